// Package config is reportmailer's configuration: the Comm100 connection,
// mail settings, name maps, digests and alert rules. LoadWith parses the
// file, applies the environment's overrides, validates the result (every
// problem, each at a path such as digests[0].to[1] or env MAIL_FROM) and
// resolves defaults; appenv.LoadConfig wraps it for every source, and the
// CLI's `validate`, the digest Lambda and the alert Lambda all call that,
// so they can never disagree about a configuration.
package config

import (
	"errors"
	"fmt"
	"reportmailer/pkg/period"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"reportmailer/pkg/schedule"
)

// Config is the whole file.
type Config struct {
	Comm100 Comm100  `yaml:"comm100"`
	Mail    Mail     `yaml:"mail"`
	Names   Names    `yaml:"names"`
	Digests []Digest `yaml:"digests"`
	Alerts  Alerts   `yaml:"alerts"`
	// Targets are the service levels every digest is judged by (targets.go).
	Targets []Target `yaml:"targets"`
}

// Comm100 is the API connection. Credentials are never in the file: they
// come from Secrets Manager (SecretARN) or COMM100_EMAIL / COMM100_API_KEY.
type Comm100 struct {
	BaseURL string `yaml:"baseURL"`
	SiteID  string `yaml:"siteID"`
	// SiteName names the site in alert subjects and messages (default: the site id).
	SiteName  string `yaml:"siteName"`
	SecretARN string `yaml:"secretARN"`
	// RateLimit is accepted for old configs and not used: each process
	// holds its share of Comm100's 300 calls / 5 min (reports.Quota).
	RateLimit struct {
		Burst     int     `yaml:"burst"`
		PerSecond float64 `yaml:"perSecond"`
	} `yaml:"rateLimit"`
	Timeout     Duration `yaml:"timeout"`
	MaxAttempts int      `yaml:"maxAttempts"`
}

// Mail configures sending.
type Mail struct {
	From             string  `yaml:"from"`
	ReplyTo          string  `yaml:"replyTo"`
	ConfigurationSet string  `yaml:"configurationSet"`
	Tags             NameMap `yaml:"tags"`
	// ArchiveBucket, when set, keeps every digest's PDF and HTML in S3 and
	// takes over the PDF when a message would be too large to send.
	ArchiveBucket string `yaml:"archiveBucket"`
	ArchivePrefix string `yaml:"archivePrefix"`
	// MaxMessageBytes is the encoded size above which the PDF is linked, not attached.
	MaxMessageBytes int `yaml:"maxMessageBytes"`
	// Unsubscribe is an https:// or mailto: URL for List-Unsubscribe: the
	// fallback used only when LinksBaseURL is not set (it records nothing).
	Unsubscribe string `yaml:"unsubscribe"`
	// LinksBaseURL is the links function's public https:// URL (the stack
	// sets LINKS_BASE_URL from its Function URL). With it, every digest
	// mail goes to one recipient and carries that recipient's own signed
	// one-click unsubscribe link, and oversize PDFs are linked through it.
	LinksBaseURL string `yaml:"linksBaseURL"`
	// Currency is the ISO 4217 code (EUR, USD, …) of conversion values,
	// the default for every digest's currency.
	Currency string `yaml:"currency"`
}

// Names maps ids to display names, so charts say "José Núñez", not "Agent 17".
type Names struct {
	Agents            NameMap `yaml:"agents"`
	Departments       NameMap `yaml:"departments"`
	Campaigns         NameMap `yaml:"campaigns"`
	VisitorSegments   NameMap `yaml:"visitorSegments"`
	CannedMessages    NameMap `yaml:"cannedMessages"`
	AutoInvitations   NameMap `yaml:"autoInvitations"`
	ConversionActions NameMap `yaml:"conversionActions"`
	CustomMetrics     NameMap `yaml:"customMetrics"`
}

// Digest is one scheduled report email.
type Digest struct {
	ID string `yaml:"id"`
	// FormerIDs are ids the digest had before a rename. Unsubscribes
	// recorded under them (links in older mails carry the old id) still
	// hold: suppression lookups read every id, latest choice first.
	FormerIDs   []string `yaml:"formerIds"`
	Title       string   `yaml:"title"`
	Period      string   `yaml:"period"`    // day, week or month
	WeekStart   string   `yaml:"weekStart"` // for weeks; default monday
	Timezone    string   `yaml:"timezone"`  // IANA name, e.g. Europe/London
	From        string   `yaml:"from"`      // default mail.from (resolved by Load)
	To          []string `yaml:"to"`
	Cc          []string `yaml:"cc"`
	Bcc         []string `yaml:"bcc"`
	Subject     string   `yaml:"subject"`     // default "<title> — <period>"
	Formats     []string `yaml:"formats"`     // pdf, html, csv, xlsx; default pdf and html
	Paper       string   `yaml:"paper"`       // A4 or Letter
	Concurrency int      `yaml:"concurrency"` // reports fetched at once; default 4
	Currency    string   `yaml:"currency"`    // ISO 4217 code of conversion values; default mail.currency
	// TopN is how many members ranked tables and charts list before
	// "N others (average)" and the total; default 25. The CSV has every row.
	TopN int `yaml:"topN"`
	// MinSample is the smallest sample a figure is compared and highlighted
	// from; below it the figure shows its n and no change.
	MinSample MinSample `yaml:"minSample"`
	// CompareWith is what the "was" figures are: previous,
	// sameDayLastWeek or sameWeekLastYear; default sameDayLastWeek for
	// daily digests, previous otherwise.
	CompareWith string      `yaml:"compareWith"`
	Reports     []ReportRef `yaml:"reports"`
	// Send is when the digest goes out (schedule.go); default 08:00 local
	// on the first day after the period.
	Send schedule.Send `yaml:"send"`
	// Audience fans the digest out: each member gets a copy filtered to
	// their scope (audience.go), besides to/cc/bcc's unfiltered one.
	Audience *Audience `yaml:"audience"`
	// Targets override the top level's, by metric, for this digest.
	Targets []Target `yaml:"targets"`
}

// MinSample is the smallest sample worth a change or a highlight.
type MinSample struct {
	Ratings int `yaml:"ratings"` // rated chats; default 10
	Chats   int `yaml:"chats"`   // chats behind an average or rate; default 20
}

// ReportRef is one section of a digest.
type ReportRef struct {
	Report string     `yaml:"report"`
	Group  string     `yaml:"group"`
	Filter *FilterRef `yaml:"filter"`
	Title  string     `yaml:"title"`
	// WaitOver, for queueHistory, is the wait a minute "with someone
	// waiting too long" counts from; default 60s (history.DefaultWait).
	WaitOver Duration `yaml:"waitOver"`
}

// FilterRef narrows a report (filterName/filterValue).
type FilterRef struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}

// Alerts holds the real-time alert rules.
type Alerts struct {
	// NoDataAfter is how many failed polls in a row fire "data unavailable".
	NoDataAfter int      `yaml:"noDataAfter"`
	NoDataTo    []string `yaml:"noDataTo"`
	From        string   `yaml:"from"` // default mail.from (resolved by Load)
	// NoDataNotify names the receivers of "Comm100 data unavailable", beside NoDataTo.
	NoDataNotify []string `yaml:"noDataNotify"`
	// Timezone is the IANA zone of the times in alerts (default UTC); a
	// rule's activeHours.timezone wins for that rule.
	Timezone string `yaml:"timezone"`
	// ConsoleURL is an optional link to the Comm100 console in every alert.
	ConsoleURL string `yaml:"consoleURL"`
	// Receivers are the chat, paging and webhook destinations (receivers.go).
	Receivers []Receiver `yaml:"receivers"`
	Rules     []Rule     `yaml:"rules"`

	// HistoryDays is how long each poll's snapshot is kept (package
	// history); default 35.
	HistoryDays int `yaml:"historyDays"`
}

// Rule is one threshold alert.
type Rule struct {
	ID          string `yaml:"id"`
	Description string `yaml:"description"`
	Metric      string `yaml:"metric"`
	// Queue scopes a realtime/queue metric: empty for every queue, or
	// "site", "department:<id>", "agent:<id>".
	Queue     string   `yaml:"queue"`
	Op        string   `yaml:"op"` // > >= < <=
	Threshold *float64 `yaml:"threshold"`
	// Recovery is the value the metric must get back past to resolve
	// (hysteresis); default: the threshold itself.
	Recovery *float64 `yaml:"recovery"`
	// For is how long the condition must hold: a duration ("3m") or a
	// count of evaluations ("3").
	For          string       `yaml:"for"`
	Severity     string       `yaml:"severity"`
	To           []string     `yaml:"to"`
	Repeat       Duration     `yaml:"repeat"`
	SendResolved *bool        `yaml:"sendResolved"`
	ActiveHours  *ActiveHours `yaml:"activeHours"`
	// Notify names receivers (alerts.receivers) besides the mail to To.
	Notify []string `yaml:"notify"`
	// RunbookURL is linked from every notification of the rule.
	RunbookURL string `yaml:"runbookURL"`
}

// ActiveHours are when a rule may page: days and a local time window.
type ActiveHours struct {
	Timezone string   `yaml:"timezone"`
	Days     []string `yaml:"days"` // default every day
	From     string   `yaml:"from"` // HH:MM
	To       string   `yaml:"to"`   // HH:MM; before From means overnight
}

// Duration is a time.Duration written as "30s", "5m", "1h30m".
type Duration time.Duration

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		// A TypeError, so that yaml collects it with the others and Load
		// reports it at its path.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: `%s` is not a duration: want e.g. 30s, 5m, 1h", n.Line, s)}}
	}
	*d = Duration(v)
	return nil
}

// Problem is one thing wrong with a config, at a path like digests[0].reports[3].group.
type Problem struct {
	Path, Message string
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// Problems is every problem found; it is the error Load returns.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d problem(s) in the configuration:\n  %s", len(ps), strings.Join(lines, "\n  "))
}

// Options are what LoadWith takes besides the file.
type Options struct {
	// Getenv supplies the environment overrides (nil: none); see Env.
	Getenv func(string) string
	// Check runs after the configuration's own validation passed, on the
	// configuration with defaults applied; appenv compiles the alert rules
	// here. Its error becomes a problem at path "alerts.rules".
	Check func(*Config) error
}

// Load parses YAML (or JSON, which is YAML) strictly and validates it,
// without environment overrides. Unknown keys are errors, so a typo never
// silently does nothing.
func Load(data []byte) (*Config, error) { return LoadWith(data, Options{}) }

// LoadWith is the one loader: parse strictly, apply the environment's
// overrides, validate everything (file and overrides alike), resolve the
// defaults and run opts.Check. The error is Problems, every one at once.
func LoadWith(data []byte, opts Options) (*Config, error) {
	c, ps := decode(data)
	if len(ps) > 0 {
		return nil, ps
	}
	var origins map[string]string
	if opts.Getenv != nil {
		origins = c.applyEnv(opts.Getenv)
	}
	if ps := c.validate(origins, opts.Getenv); len(ps) > 0 {
		return nil, ps
	}
	c.applyDefaults()
	if opts.Check != nil {
		if err := opts.Check(&c); err != nil {
			return nil, Problems{{Path: "alerts.rules", Message: err.Error()}}
		}
	}
	return &c, nil
}

// Digest returns the digest with the given id.
func (c *Config) Digest(id string) (*Digest, error) {
	var ids []string
	for i := range c.Digests {
		if c.Digests[i].ID == id {
			return &c.Digests[i], nil
		}
		ids = append(ids, c.Digests[i].ID)
	}
	return nil, fmt.Errorf("no digest %q in the configuration (digests: %s)", capEcho(id), strings.Join(ids, ", "))
}

func (c *Config) applyDefaults() {
	if c.Comm100.RateLimit.Burst == 0 {
		c.Comm100.RateLimit.Burst = 300
	}
	if c.Comm100.RateLimit.PerSecond == 0 {
		c.Comm100.RateLimit.PerSecond = 1
	}
	if c.Comm100.Timeout == 0 {
		c.Comm100.Timeout = Duration(30 * time.Second)
	}
	if c.Comm100.MaxAttempts == 0 {
		c.Comm100.MaxAttempts = 4
	}
	if c.Mail.MaxMessageBytes == 0 {
		c.Mail.MaxMessageBytes = 10 << 20
	}
	if c.Mail.ArchivePrefix == "" {
		c.Mail.ArchivePrefix = "digests/"
	}
	c.Mail.Currency = strings.ToUpper(c.Mail.Currency)
	for i := range c.Digests {
		d := &c.Digests[i]
		if d.From == "" {
			d.From = c.Mail.From
		}
		if d.Currency == "" {
			d.Currency = c.Mail.Currency
		}
		d.Currency = strings.ToUpper(d.Currency)
		if d.WeekStart == "" {
			d.WeekStart = "monday"
		}
		if len(d.Formats) == 0 {
			d.Formats = []string{"pdf", "html"}
		}
		if d.Paper == "" {
			d.Paper = "A4"
		}
		if d.TopN == 0 {
			d.TopN = 25
		}
		if d.MinSample.Ratings == 0 {
			d.MinSample.Ratings = 10
		}
		if d.MinSample.Chats == 0 {
			d.MinSample.Chats = 20
		}
		if d.CompareWith == "" {
			d.CompareWith = period.DefaultCompare(period.Kind(d.Period))
		}
		if d.Concurrency == 0 {
			d.Concurrency = 4
		}
		if d.Title == "" {
			d.Title = "Chat digest"
		}
	}
	if c.Alerts.From == "" {
		c.Alerts.From = c.Mail.From
	}
	if c.Alerts.HistoryDays == 0 {
		c.Alerts.HistoryDays = 35
	}
	if c.Alerts.NoDataAfter == 0 {
		c.Alerts.NoDataAfter = 5
	}
	for i := range c.Alerts.Rules {
		r := &c.Alerts.Rules[i]
		if r.SendResolved == nil {
			t := true
			r.SendResolved = &t
		}
		if r.Severity == "" {
			r.Severity = "warning"
		}
		if r.Repeat == 0 {
			r.Repeat = Duration(time.Hour)
		}
	}
}

// ForSpec is a rule's `for`: either a duration or a count of evaluations.
type ForSpec struct {
	Duration    time.Duration
	Evaluations int
}

// ParseFor reads "3m" or "3"; empty means fire at once.
func ParseFor(s string) (ForSpec, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return ForSpec{}, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return ForSpec{Evaluations: n}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return ForSpec{}, errors.New("want a duration like 3m or a number of evaluations like 3")
	}
	return ForSpec{Duration: d}, nil
}
