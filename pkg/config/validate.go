package config

import (
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"reportmailer/pkg/period"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"reportmailer/pkg/reports"
)

type validator struct {
	ps      Problems
	seen    map[Problem]bool
	origins map[string]string // path → environment variable that set it
}

// add records a problem at path, or at "env NAME" when the value there
// came from the environment; the same problem is recorded once.
func (v *validator) add(path, format string, args ...any) {
	if name, ok := origin(v.origins, path); ok {
		path = "env " + name
	}
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = capEcho(s)
		}
	}
	p := Problem{Path: path, Message: fmt.Sprintf(format, args...)}
	if v.seen[p] {
		return
	}
	if v.seen == nil {
		v.seen = map[Problem]bool{}
	}
	v.seen[p] = true
	v.ps = append(v.ps, p)
}

// maxEcho is how much of a bad value a problem quotes: enough to find
// it, not a megabyte of it in a log line.
const maxEcho = 64

// capEcho shortens s to maxEcho runes.
func capEcho(s string) string {
	n := 0
	for i := range s {
		if n == maxEcho {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// Limits on settings whose nonsense values would otherwise be accepted.
const (
	maxTimeout      = 5 * time.Minute
	maxAttempts     = 10
	maxMessageBytes = 40 << 20 // SES v2's limit for a raw message
	minRepeat       = time.Minute
)

var (
	// SES configuration set names: letters, digits, _ and -, at most 64.
	configSetName = nameRule{regexp.MustCompile(`^[A-Za-z0-9_-]+$`), 1, 64}
	// S3 bucket names (general purpose): 3–63 of a–z 0–9 . -, starting and ending alphanumeric.
	bucketName = nameRule{regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`), 3, 63}
	tableName  = nameRule{regexp.MustCompile(`^[A-Za-z0-9_.-]+$`), 3, 255}
	siteID     = nameRule{regexp.MustCompile(`^[0-9]+$`), 1, 12}
)

// nameRule is a pattern with a length range, checked apart: a counted
// repetition such as {3,255} compiles into a state per count, and those
// four regexps took half a millisecond of every process's start.
type nameRule struct {
	chars    *regexp.Regexp
	min, max int
}

// MatchString reports whether s has the rule's length and characters.
func (n nameRule) MatchString(s string) bool {
	return len(s) >= n.min && len(s) <= n.max && n.chars.MatchString(s)
}

// Validate returns every problem in the configuration (nil when it is good).
func (c *Config) Validate() Problems { return c.validate(nil, nil) }

func (c *Config) validate(origins map[string]string, getenv func(string) string) Problems {
	v := &validator{origins: origins}
	v.comm100(c.Comm100)
	v.mail(c.Mail)
	v.names(c.Names)
	seen := map[string]bool{}
	for i, d := range c.Digests {
		p := fmt.Sprintf("digests[%d]", i)
		v.digest(p, d, c.Mail.From)
		if d.ID != "" && seen[d.ID] {
			v.add(p+".id", "duplicate id %q", d.ID)
		}
		seen[d.ID] = true
	}
	v.formerIDs(c.Digests)
	v.alerts(c.Alerts, c.Mail.From)
	v.allTargets(c)
	v.envOnly(getenv)
	return v.ps
}

func (v *validator) comm100(c Comm100) {
	if c.BaseURL != "" {
		v.baseURL("comm100.baseURL", c.BaseURL)
	}
	if c.SiteID != "" && !siteID.MatchString(c.SiteID) {
		v.add("comm100.siteID", "%q: want the numeric site id", c.SiteID)
	}
	if c.SecretARN != "" {
		v.secretARN("comm100.secretARN", c.SecretARN)
	}
	rl := c.RateLimit
	if rl.Burst < 0 || rl.PerSecond < 0 || math.IsNaN(rl.PerSecond) || math.IsInf(rl.PerSecond, 0) {
		v.add("comm100.rateLimit", "burst and perSecond must be finite and not negative")
	}
	if t := time.Duration(c.Timeout); t < 0 || t > maxTimeout {
		v.add("comm100.timeout", "%s: want more than 0 and at most %s", t, maxTimeout)
	}
	if c.MaxAttempts < 0 || c.MaxAttempts > maxAttempts {
		v.add("comm100.maxAttempts", "%d: want 1 to %d", c.MaxAttempts, maxAttempts)
	}
}

func (v *validator) baseURL(path, raw string) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || hasControl(raw):
		v.add(path, "%q is not an http(s) URL", raw)
	case u.User != nil:
		// Never echo the credentials.
		v.add(path, "must not carry user:password@ (credentials come from the secret or COMM100_API_KEY)")
	case u.RawQuery != "" || u.Fragment != "":
		v.add(path, "%q: want scheme://host[/path], no query or fragment", raw)
	}
}

func (v *validator) secretARN(path, s string) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "secretsmanager" || a.Region == "" || len(a.AccountID) != 12 || !strings.HasPrefix(a.Resource, "secret:") || hasControl(s) {
		v.add(path, "%q is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)", s)
	}
}

func (v *validator) mail(m Mail) {
	if m.From != "" {
		v.address("mail.from", m.From)
	}
	if m.ReplyTo != "" {
		v.address("mail.replyTo", m.ReplyTo)
	}
	if m.ConfigurationSet != "" && !configSetName.MatchString(m.ConfigurationSet) {
		v.add("mail.configurationSet", "%q: want 1–64 letters, digits, _ or -", m.ConfigurationSet)
	}
	for _, k := range sortedKeys(m.Tags) {
		if !configSetName.MatchString(k) || hasControl(m.Tags[k]) || len(m.Tags[k]) > 256 {
			v.add(joinPath("mail.tags", k), "SES tags: names of letters, digits, _ or -, values of at most 256 printable characters")
		}
	}
	if m.ArchivePrefix != "" {
		v.archivePrefix("mail.archivePrefix", m.ArchivePrefix)
	}
	if m.ArchiveBucket != "" && !bucketName.MatchString(m.ArchiveBucket) {
		v.add("mail.archiveBucket", "%q is not an S3 bucket name", m.ArchiveBucket)
	}
	if m.MaxMessageBytes < 0 || m.MaxMessageBytes > maxMessageBytes {
		v.add("mail.maxMessageBytes", "%d: want 0 (default, 10 MiB) to %d (SES's limit)", m.MaxMessageBytes, maxMessageBytes)
	}
	if u := m.Unsubscribe; u != "" {
		if (!strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "mailto:")) || hasControl(u) || strings.ContainsAny(u, "<> ") {
			v.add("mail.unsubscribe", "%q: want an https:// or mailto: URL", u)
		}
	}
	if m.LinksBaseURL != "" {
		v.linksBaseURL(m.LinksBaseURL)
	}
	if m.Currency != "" {
		v.currency("mail.currency", m.Currency)
	}
}

// names checks that every display name can go into a subject line.
func (v *validator) names(n Names) {
	for _, f := range []struct {
		path string
		m    NameMap
	}{{"names.agents", n.Agents}, {"names.departments", n.Departments}, {"names.campaigns", n.Campaigns},
		{"names.visitorSegments", n.VisitorSegments}, {"names.cannedMessages", n.CannedMessages},
		{"names.autoInvitations", n.AutoInvitations}, {"names.conversionActions", n.ConversionActions},
		{"names.customMetrics", n.CustomMetrics}} {
		var bad []string
		for k, name := range f.m {
			if hasControl(k) || hasControl(name) {
				bad = append(bad, k)
			}
		}
		sort.Strings(bad)
		for _, k := range bad {
			v.add(joinPath(f.path, k), "%q contains a control character (names reach mail subjects)", f.m[k])
		}
	}
}

// headerText rejects what must never reach a mail header.
func (v *validator) headerText(path, s string) {
	if hasControl(s) {
		v.add(path, "%q contains a control character or line break (it reaches a mail header)", s)
	}
}

// hasControl reports C0/C1 controls, DEL and the Unicode line and
// paragraph separators: none belongs in a header or a name.
func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == unicode.ReplacementChar {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// address checks an address mail is sent from or to: one SES can deliver.
func (v *validator) address(path, addr string) {
	if a, ok := v.mailbox(path, addr); ok {
		v.sesAddress(path, addr, a.Address)
	}
}

// mailbox checks that addr parses as an address and is safe in a header.
func (v *validator) mailbox(path, addr string) (*mail.Address, bool) {
	if hasControl(addr) {
		v.add(path, "%q contains a control character or line break (header injection)", addr)
		return nil, false
	}
	a, err := mail.ParseAddress(addr)
	if err != nil {
		v.add(path, "%q is not an email address", addr)
		return nil, false
	}
	return a, true
}

func (v *validator) timezone(path, name string) {
	if name == "" {
		v.add(path, "required (an IANA name such as Europe/London)")
		return
	}
	if name == "Local" {
		v.add(path, "Local depends on the machine; want an IANA name such as Europe/London")
		return
	}
	if _, err := time.LoadLocation(name); err != nil {
		v.add(path, "unknown timezone %q (want an IANA name such as Europe/London)", name)
	}
}

func (v *validator) digest(p string, d Digest, defaultFrom string) {
	v.digestID(p+".id", d.ID)
	switch d.Period {
	case "day", "week", "month":
	case "":
		v.add(p+".period", "required (day, week or month)")
	default:
		v.add(p+".period", "%q: want day, week or month", d.Period)
	}
	if d.WeekStart != "" {
		if _, err := ParseWeekday(d.WeekStart); err != nil {
			v.add(p+".weekStart", "%v", err)
		}
	}
	v.timezone(p+".timezone", d.Timezone)
	if d.From == "" && defaultFrom == "" {
		v.add(p+".from", "required here or as mail.from")
	} else if d.From != "" {
		v.address(p+".from", d.From)
	}
	if len(d.To)+len(d.Cc)+len(d.Bcc) == 0 && d.Audience == nil {
		v.add(p+".to", "at least one recipient (to, cc or bcc), or an audience")
	}
	if d.Audience != nil {
		v.audience(p+".audience", d)
	}
	for _, field := range []struct {
		name string
		list []string
	}{{"to", d.To}, {"cc", d.Cc}, {"bcc", d.Bcc}} {
		for j, a := range field.list {
			v.address(fmt.Sprintf("%s.%s[%d]", p, field.name, j), a)
		}
	}
	v.headerText(p+".title", d.Title)
	v.headerText(p+".subject", d.Subject)
	if d.Currency != "" {
		v.currency(p+".currency", d.Currency)
	}
	for j, f := range d.Formats {
		if f != "pdf" && f != "html" && f != "csv" && f != "xlsx" {
			v.add(fmt.Sprintf("%s.formats[%d]", p, j), "%q: want pdf, html, csv or xlsx", f)
		}
	}
	if d.Paper != "" && d.Paper != "A4" && d.Paper != "Letter" {
		v.add(p+".paper", "%q: want A4 or Letter", d.Paper)
	}
	if d.TopN < 0 || d.TopN > 25 {
		// Charts and tables list the same members; a chart fits a page at 25.
		v.add(p+".topN", "%d: want 1 to 25", d.TopN)
	}
	if d.MinSample.Ratings < 0 {
		v.add(p+".minSample.ratings", "%d: want 0 or more", d.MinSample.Ratings)
	}
	if d.MinSample.Chats < 0 {
		v.add(p+".minSample.chats", "%d: want 0 or more", d.MinSample.Chats)
	}
	switch d.CompareWith {
	case "", period.ComparePrevious, period.CompareSameDayLastWeek, period.CompareSameWeekLastYear:
	default:
		v.add(p+".compareWith", "%q: want previous, sameDayLastWeek or sameWeekLastYear", d.CompareWith)
	}
	if d.CompareWith == period.CompareSameDayLastWeek && d.Period != "" && d.Period != string(period.Day) {
		v.add(p+".compareWith", "sameDayLastWeek is for daily digests; this one is %s", d.Period)
	}
	if d.Concurrency < 0 || d.Concurrency > 16 {
		v.add(p+".concurrency", "%d: want 1 to 16", d.Concurrency)
	}
	if len(d.Reports) == 0 {
		v.add(p+".reports", "at least one report")
	}
	for j, r := range d.Reports {
		v.report(fmt.Sprintf("%s.reports[%d]", p, j), r)
	}
	v.send(p+".send", d)
}

func (v *validator) report(p string, r ReportRef) {
	spec, ok := reports.Lookup(reports.Name(r.Report))
	if !ok {
		v.add(p+".report", "unknown report %q (known: %s)", r.Report, strings.Join(reports.Names(), ", "))
		return
	}
	g := reports.Group(r.Group)
	if g == "" {
		g = spec.DefaultGroup()
	}
	if !spec.AllowsGroup(g) {
		var allowed []string
		for _, a := range spec.Groups {
			allowed = append(allowed, string(a))
		}
		if len(allowed) == 0 {
			v.add(p+".group", "%s takes no group, got %q", r.Report, r.Group)
		} else {
			v.add(p+".group", "%q is not allowed for %s (allowed: %s)", r.Group, r.Report, strings.Join(allowed, ", "))
		}
	}
	v.headerText(p+".title", r.Title)
	switch w := time.Duration(r.WaitOver); {
	case w != 0 && !spec.FromHistory():
		v.add(p+".waitOver", "only for queueHistory (a wait over which a minute counts), not %s", r.Report)
	case w < 0 || w > 24*time.Hour:
		v.add(p+".waitOver", "%s: want a wait between 1s and 24h", w)
	case w != 0 && w < time.Second:
		v.add(p+".waitOver", "%s: want a wait between 1s and 24h", w)
	}
	if r.Filter != nil {
		v.headerText(p+".filter.value", r.Filter.Value)
		if !spec.AllowsFilter(r.Filter.Name) {
			v.add(p+".filter.name", "%q is not allowed for %s (allowed: %s)", r.Filter.Name, r.Report, strings.Join(spec.Filters, ", "))
		}
		if r.Filter.Value == "" {
			v.add(p+".filter.value", "required")
		}
	}
}

func (v *validator) alerts(a Alerts, defaultFrom string) {
	for j, addr := range a.NoDataTo {
		v.address(fmt.Sprintf("alerts.noDataTo[%d]", j), addr)
	}
	receivers := v.receivers(a)
	v.notify("alerts.noDataNotify", a.NoDataNotify, receivers)
	if a.Timezone != "" {
		v.timezone("alerts.timezone", a.Timezone)
	}
	if a.ConsoleURL != "" {
		v.linkURL("alerts.consoleURL", a.ConsoleURL)
	}
	if len(a.Rules) == 0 {
		return
	}
	if a.From == "" && defaultFrom == "" {
		v.add("alerts.from", "required here or as mail.from")
	} else if a.From != "" {
		v.address("alerts.from", a.From)
	}
	if a.NoDataAfter < 0 {
		v.add("alerts.noDataAfter", "must not be negative")
	}
	if a.HistoryDays < 0 || a.HistoryDays > 366 {
		v.add("alerts.historyDays", "want 1 to 366 days")
	}
	seen := map[string]bool{}
	for i, r := range a.Rules {
		p := fmt.Sprintf("alerts.rules[%d]", i)
		if r.ID == "" {
			v.add(p+".id", "required")
		} else if !plainKey.MatchString(r.ID) {
			v.add(p+".id", "%q: use letters, digits, - and _ (it goes into Message-IDs and headers)", r.ID)
		} else if seen[r.ID] {
			v.add(p+".id", "duplicate id %q", r.ID)
		} else if r.ID == NoDataRuleID {
			v.add(p+".id", "%q is reserved (the built-in no-data alert's id: the two would resolve each other's alerts); choose another id", r.ID)
		}
		seen[r.ID] = true
		metric, ok := reports.AlertMetrics[r.Metric]
		if !ok {
			v.add(p+".metric", "unknown metric %q (known: %s)", r.Metric, strings.Join(reports.AlertMetricNames(), ", "))
		}
		v.headerText(p+".description", r.Description)
		if r.Queue != "" {
			v.headerText(p+".queue", r.Queue)
			if metric.SiteWide() {
				v.add(p+".queue", "%s is site-wide; queue applies to queue.* metrics only", r.Metric)
			}
			kind, id, _ := strings.Cut(r.Queue, ":")
			if !(r.Queue == "site" || ((kind == "department" || kind == "agent") && id != "")) {
				v.add(p+".queue", "%q: want site, department:<id> or agent:<id>", r.Queue)
			}
		}
		switch r.Op {
		case ">", ">=", "<", "<=":
		case "":
			v.add(p+".op", "required (>, >=, < or <=)")
		default:
			v.add(p+".op", "%q: want >, >=, < or <=", r.Op)
		}
		if r.Threshold == nil {
			v.add(p+".threshold", "required")
		} else if !finite(*r.Threshold) {
			v.add(p+".threshold", "%v: want a finite number", *r.Threshold)
		}
		if r.Recovery != nil && !finite(*r.Recovery) {
			v.add(p+".recovery", "%v: want a finite number", *r.Recovery)
		} else if r.Recovery != nil && r.Threshold != nil {
			up := r.Op == ">" || r.Op == ">="
			if (up && *r.Recovery > *r.Threshold) || (!up && *r.Recovery < *r.Threshold) {
				v.add(p+".recovery", "%v must be on the safe side of threshold %v", *r.Recovery, *r.Threshold)
			}
		}
		v.headerText(p+".for", r.For)
		if _, err := ParseFor(r.For); err != nil {
			v.add(p+".for", "%q: %v", r.For, err)
		}
		switch r.Severity {
		case "", "info", "warning", "critical":
		default:
			v.add(p+".severity", "%q: want info, warning or critical", r.Severity)
		}
		if len(r.To) == 0 && len(r.Notify) == 0 {
			v.add(p+".to", "at least one recipient (or a receiver in notify)")
		}
		v.notify(p+".notify", r.Notify, receivers)
		if r.RunbookURL != "" {
			v.linkURL(p+".runbookURL", r.RunbookURL)
		}
		for j, addr := range r.To {
			v.address(fmt.Sprintf("%s.to[%d]", p, j), addr)
		}
		if rp := time.Duration(r.Repeat); rp < 0 || (rp > 0 && rp < minRepeat) {
			v.add(p+".repeat", "%s: want at least %s (alerts are evaluated once a minute)", rp, minRepeat)
		}
		if s := r.ActiveHours; s != nil {
			v.activeHours(p+".activeHours", *s)
		}
	}
}

func (v *validator) activeHours(p string, s ActiveHours) {
	v.timezone(p+".timezone", s.Timezone)
	for j, d := range s.Days {
		if _, err := ParseWeekday(d); err != nil {
			v.add(fmt.Sprintf("%s.days[%d]", p, j), "%v", err)
		}
	}
	for _, f := range [][2]string{{"from", s.From}, {"to", s.To}} {
		if _, err := ParseClock(f[1]); err != nil {
			v.add(p+"."+f[0], "%q: %v", f[1], err)
		}
	}
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// ParseClock reads HH:MM into minutes after midnight.
func ParseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("want HH:MM (24-hour)")
	}
	return t.Hour()*60 + t.Minute(), nil
}

// ParseWeekday reads a weekday name ("monday", "Mon").
func ParseWeekday(s string) (time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || (len(s) >= 3 && strings.HasPrefix(name, s)) {
			return d, nil
		}
	}
	return 0, fmt.Errorf("weekday %q: want monday … sunday", s)
}

// WeekStartDay is the digest's week start as a time.Weekday.
func (d Digest) WeekStartDay() time.Weekday {
	w, _ := ParseWeekday(d.WeekStart)
	return w
}
