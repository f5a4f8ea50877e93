package config

import (
	"fmt"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"time"

	"reportmailer/pkg/reports"
)

// AlertMetrics are the metrics an alert rule may watch, and whether each
// is per queue (realtime/queue) or site-wide (realtime/rightNow).
var AlertMetrics = map[string]string{
	"queue.length":                         "queue",
	"queue.longestWait":                    "queue",
	"queue.avgWaitTimeInLast30Mins":        "queue",
	"queue.avgWaitTimeInLast60Mins":        "queue",
	"queue.abandonedChatsInLast30Mins":     "queue",
	"queue.switchedToMessagesInLast30Mins": "queue",
	"queue.ongoingChats":                   "queue",
	"site.currentQueueLength":              "site",
	"site.chatUtilization":                 "site",
	"site.loggedInAgents":                  "site",
	"site.agentsInChat":                    "site",
	"site.ongoingChats":                    "site",
	"site.visitorsOnSite":                  "site",
}

func alertMetricNames() string {
	var names []string
	for n := range AlertMetrics {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

type validator struct{ ps Problems }

func (v *validator) add(path, format string, args ...any) {
	v.ps = append(v.ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Validate returns every problem in the configuration (nil when it is good).
func (c *Config) Validate() Problems {
	v := &validator{}
	if c.Comm100.BaseURL != "" {
		if u, err := url.Parse(c.Comm100.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.add("comm100.baseURL", "%q is not an http(s) URL", c.Comm100.BaseURL)
		}
	}
	if c.Comm100.RateLimit.Burst < 0 || c.Comm100.RateLimit.PerSecond < 0 {
		v.add("comm100.rateLimit", "burst and perSecond must not be negative")
	}
	if c.Comm100.SecretARN != "" && !strings.HasPrefix(c.Comm100.SecretARN, "arn:") {
		v.add("comm100.secretARN", "%q is not an ARN (arn:aws:secretsmanager:…)", c.Comm100.SecretARN)
	}
	if c.Mail.From != "" {
		v.address("mail.from", c.Mail.From)
	}
	if c.Mail.ReplyTo != "" {
		v.address("mail.replyTo", c.Mail.ReplyTo)
	}
	if u := c.Mail.Unsubscribe; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "mailto:") {
		v.add("mail.unsubscribe", "%q: want an https:// or mailto: URL", u)
	}
	seen := map[string]bool{}
	for i, d := range c.Digests {
		p := fmt.Sprintf("digests[%d]", i)
		v.digest(p, d, c.Mail.From)
		if d.ID != "" && seen[d.ID] {
			v.add(p+".id", "duplicate id %q", d.ID)
		}
		seen[d.ID] = true
	}
	v.alerts(c.Alerts, c.Mail.From)
	return v.ps
}

func (v *validator) address(path, addr string) {
	if strings.ContainsAny(addr, "\r\n") {
		v.add(path, "%q contains a line break (header injection)", addr)
		return
	}
	if _, err := mail.ParseAddress(addr); err != nil {
		v.add(path, "%q is not an email address", addr)
	}
}

func (v *validator) timezone(path, name string) {
	if name == "" {
		v.add(path, "required (an IANA name such as Europe/London)")
		return
	}
	if _, err := time.LoadLocation(name); err != nil {
		v.add(path, "unknown timezone %q (want an IANA name such as Europe/London)", name)
	}
}

func (v *validator) digest(p string, d Digest, defaultFrom string) {
	if d.ID == "" {
		v.add(p+".id", "required")
	} else if strings.ContainsAny(d.ID, " /#\r\n") {
		v.add(p+".id", "%q: use letters, digits, - and _", d.ID)
	}
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
	if len(d.To)+len(d.Cc)+len(d.Bcc) == 0 {
		v.add(p+".to", "at least one recipient (to, cc or bcc)")
	}
	for _, field := range []struct {
		name string
		list []string
	}{{"to", d.To}, {"cc", d.Cc}, {"bcc", d.Bcc}} {
		for j, a := range field.list {
			v.address(fmt.Sprintf("%s.%s[%d]", p, field.name, j), a)
		}
	}
	if strings.ContainsAny(d.Subject, "\r\n") || strings.ContainsAny(d.Title, "\r\n") {
		v.add(p+".subject", "subject and title may not contain line breaks (header injection)")
	}
	for j, f := range d.Formats {
		if f != "pdf" && f != "html" && f != "csv" {
			v.add(fmt.Sprintf("%s.formats[%d]", p, j), "%q: want pdf, html or csv", f)
		}
	}
	if d.Paper != "" && d.Paper != "A4" && d.Paper != "Letter" {
		v.add(p+".paper", "%q: want A4 or Letter", d.Paper)
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
	if r.Filter != nil {
		if !spec.AllowsFilter(r.Filter.Name) {
			v.add(p+".filter.name", "%q is not allowed for %s (allowed: %s)", r.Filter.Name, r.Report, strings.Join(spec.Filters, ", "))
		}
		if r.Filter.Value == "" {
			v.add(p+".filter.value", "required")
		}
	}
}

func (v *validator) alerts(a Alerts, defaultFrom string) {
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
	for j, addr := range a.NoDataTo {
		v.address(fmt.Sprintf("alerts.noDataTo[%d]", j), addr)
	}
	seen := map[string]bool{}
	for i, r := range a.Rules {
		p := fmt.Sprintf("alerts.rules[%d]", i)
		if r.ID == "" {
			v.add(p+".id", "required")
		} else if seen[r.ID] {
			v.add(p+".id", "duplicate id %q", r.ID)
		}
		seen[r.ID] = true
		scope, ok := AlertMetrics[r.Metric]
		if !ok {
			v.add(p+".metric", "unknown metric %q (known: %s)", r.Metric, alertMetricNames())
		}
		if r.Queue != "" {
			if scope == "site" {
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
		}
		if r.Recovery != nil && r.Threshold != nil {
			up := r.Op == ">" || r.Op == ">="
			if (up && *r.Recovery > *r.Threshold) || (!up && *r.Recovery < *r.Threshold) {
				v.add(p+".recovery", "%v must be on the safe side of threshold %v", *r.Recovery, *r.Threshold)
			}
		}
		if _, err := ParseFor(r.For); err != nil {
			v.add(p+".for", "%q: %v", r.For, err)
		}
		switch r.Severity {
		case "", "info", "warning", "critical":
		default:
			v.add(p+".severity", "%q: want info, warning or critical", r.Severity)
		}
		if len(r.To) == 0 {
			v.add(p+".to", "at least one recipient")
		}
		for j, addr := range r.To {
			v.address(fmt.Sprintf("%s.to[%d]", p, j), addr)
		}
		if r.Repeat < 0 {
			v.add(p+".repeat", "must not be negative")
		}
		if s := r.ActiveHours; s != nil {
			v.schedule(p+".activeHours", *s)
		}
	}
}

func (v *validator) schedule(p string, s Schedule) {
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
