package config_test

import (
	"fmt"
	"strings"
	"testing"

	"reportmailer/pkg/config"
)

// sample builds a small valid config with one setting spliced into each
// section (", key: value"), replacing the sample's own value for that key.
func sample(comm100, mail, names, digest, rule string) string {
	return fmt.Sprintf(`
comm100: {%s}
mail: {%s}
names: {agents: {"1": José%s}}
digests:
  - {%s}
alerts:
  rules:
    - {%s}
`, section(`siteID: "10000"`, comm100), section("from: reports@example.com", mail), names,
		section("id: d|period: week|timezone: Europe/London|to: [a@example.com]|reports: [{report: chatVolume}]", digest),
		section(`id: r|metric: queue.length|op: ">"|threshold: 5|to: [a@example.com]`, rule))
}

func section(base, extra string) string {
	key, _, _ := strings.Cut(strings.TrimPrefix(extra, ", "), ":")
	var items []string
	for _, item := range strings.Split(base, "|") {
		if k, _, _ := strings.Cut(item, ":"); extra == "" || k != key {
			items = append(items, item)
		}
	}
	return strings.TrimPrefix(strings.Join(items, ", ")+extra, ", ")
}

func TestSampleIsValid(t *testing.T) {
	c, err := config.Load([]byte(sample("", "", "", "", "")))
	if err != nil {
		t.Fatal(err)
	}
	if c.Digests[0].From != "reports@example.com" || c.Alerts.From != "reports@example.com" {
		t.Errorf("from not resolved once: digest %q, alerts %q", c.Digests[0].From, c.Alerts.From)
	}
}

// TestValidationGaps: each value here was accepted once; each must now be
// a problem at its path.
func TestValidationGaps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                            string
		comm100, mail, names, dig, rule string
		path, message                   string
	}{
		{name: "negative timeout", comm100: ", timeout: -5s", path: "comm100.timeout"},
		{name: "negative maxAttempts", comm100: ", maxAttempts: -3", path: "comm100.maxAttempts"},
		{name: "negative maxMessageBytes", mail: ", maxMessageBytes: -1", path: "mail.maxMessageBytes"},
		{name: "credentials in base URL", comm100: ", baseURL: 'https://user:pass@api.comm100.io'", path: "comm100.baseURL", message: "user:password@"},
		{name: "junk secret ARN", comm100: ", secretARN: 'arn:junk'", path: "comm100.secretARN"},
		{name: "line break in configuration set", mail: `, configurationSet: "set\r\nX-Evil: 1"`, path: "mail.configurationSet"},
		{name: "NaN threshold", rule: ", threshold: .nan", path: "alerts.rules[0].threshold", message: "finite"},
		{name: "infinite threshold", rule: ", threshold: .inf", path: "alerts.rules[0].threshold", message: "finite"},
		{name: "infinite recovery", rule: ", recovery: -.inf", path: "alerts.rules[0].recovery", message: "finite"},
		{name: "nanosecond repeat", rule: ", repeat: 1ns", path: "alerts.rules[0].repeat"},
		{name: "timezone Local", dig: ", timezone: Local", path: "digests[0].timezone"},
		{name: "negative topN", dig: ", topN: -1", path: "digests[0].topN"},
		{name: "topN over a page", dig: ", topN: 40", path: "digests[0].topN", message: "1 to 25"},
		{name: "negative minimum sample", dig: ", minSample: {ratings: -1}", path: "digests[0].minSample.ratings"},
		{name: "unknown comparison", dig: ", compareWith: lastTuesday", path: "digests[0].compareWith", message: "sameDayLastWeek"},
		{name: "same day last week for a week", dig: ", compareWith: sameDayLastWeek", path: "digests[0].compareWith", message: "daily"},
		{name: "type error names its path", comm100: ", maxAttempts: many", path: "comm100.maxAttempts", message: "(line 2)"},
		{name: "type error in a sequence item", dig: ", concurrency: [4]", path: "digests[0]", message: "cannot unmarshal !!seq into int (line 6)"},
		{name: "unparsable duration names its path", comm100: ", timeout: soon", path: "comm100.timeout", message: "not a duration"},
		{name: "unparsable base URL", comm100: ", baseURL: '://nope'", path: "comm100.baseURL"},
		{name: "control character in a title", dig: `, title: "Weekly\a"`, path: "digests[0].title"},
		{name: "line break in a subject template", dig: `, subject: "Digest {period}\nBcc: x@evil.example"`, path: "digests[0].subject"},
		{name: "line break in a rule id", rule: `, id: "r\r\nX: 1"`, path: "alerts.rules[0].id"},
		{name: "escape in a rule description", rule: `, description: "queue \e[31m"`, path: "alerts.rules[0].description"},
		{name: "line break in an agent name", names: `, "2": "Eve\r\nBcc: x@evil.example"`, path: `names.agents.2`},
		{name: "line separator in a department name", names: `}, departments: {"7": "Sales\u2028Bcc"`, path: `names.departments.7`},
		{name: "control character in a recipient", dig: `, to: ["a@example.com\u0000"]`, path: "digests[0].to[0]"},
		{name: "unknown currency", dig: ", currency: EURO", path: "digests[0].currency", message: "ISO 4217"},
		{name: "unknown default currency", mail: ", currency: XYZ", path: "mail.currency"},
		{name: "duplicate name", names: `, "1": Other`, path: "names.agents.1", message: "duplicate key"},
		{name: "bad archive bucket", mail: ", archiveBucket: My_Bucket", path: "mail.archiveBucket"},
		{name: "bad tag name", mail: ", tags: {'a b': x}", path: `mail.tags["a b"]`},
		{name: "non-numeric site id", comm100: ", siteID: abc", path: "comm100.siteID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load([]byte(sample(tc.comm100, tc.mail, tc.names, tc.dig, tc.rule)))
			ps, ok := err.(config.Problems)
			if !ok {
				t.Fatalf("accepted (err = %v)", err)
			}
			for _, p := range ps {
				if p.Path == tc.path && strings.Contains(p.Message, tc.message) {
					if strings.Contains(p.Message, "pass@") {
						t.Errorf("problem echoes a credential: %s", p)
					}
					return
				}
			}
			t.Errorf("no problem at %s containing %q; got:\n%v", tc.path, tc.message, err)
		})
	}
}

// TestEnvOverridesAreValidated: each environment override with a bad value
// fails validation, and the problem names the variable.
func TestEnvOverridesAreValidated(t *testing.T) {
	t.Parallel()
	for name, value := range map[string]string{
		"COMM100_BASE_URL":      "://nope",
		"COMM100_SITE_ID":       "site-ten",
		"COMM100_SECRET_ARN":    "arn:junk",
		"COMM100_EMAIL":         "not-an-address",
		"COMM100_API_KEY":       "key\r\nX-Evil: 1",
		"MAIL_FROM":             "Ops <ops@",
		"SES_CONFIGURATION_SET": "set\nX-Evil: 1",
		"ARCHIVE_BUCKET":        "Not_A_Bucket",
		"DIGEST_TO":             "a@example.com,broken@",
		"ALERT_TO":              "pager",
		"TABLE_NAME":            "t",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string {
				if k == name {
					return value
				}
				return ""
			}
			_, err := config.LoadWith([]byte(sample("", "", "", "", "")), config.Options{Getenv: getenv})
			if err == nil || !strings.Contains(err.Error(), "env "+name+": ") {
				t.Fatalf("err = %v, want a problem at env %s", err, name)
			}
			if name == "COMM100_API_KEY" && strings.Contains(err.Error(), "key") && strings.Contains(err.Error(), "X-Evil") {
				t.Errorf("the problem echoes the API key: %v", err)
			}
			if ps := err.(config.Problems); len(ps) != 1 {
				t.Errorf("%d problems, want the one (DIGEST_TO over several digests is still one):\n%v", len(ps), err)
			}
		})
	}
}

func TestEnvOverridesApply(t *testing.T) {
	env := map[string]string{"MAIL_FROM": "Ops <ops@example.com>", "DIGEST_TO": "x@example.com, y@example.com",
		"ALERT_TO": "pager@example.com", "SES_CONFIGURATION_SET": "reportmailer-prod", "COMM100_BASE_URL": "https://eu.comm100.example"}
	c, err := config.LoadWith([]byte(sample("", "", "", ", cc: [c@example.com]", "")), config.Options{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	d := c.Digests[0]
	if strings.Join(d.To, ",") != "x@example.com,y@example.com" || d.Cc != nil || d.From != "Ops <ops@example.com>" {
		t.Errorf("digest: to %v cc %v from %q", d.To, d.Cc, d.From)
	}
	if c.Alerts.Rules[0].To[0] != "pager@example.com" || c.Alerts.NoDataTo[0] != "pager@example.com" || c.Alerts.From != "Ops <ops@example.com>" {
		t.Errorf("alerts: %+v", c.Alerts)
	}
	if c.Mail.ConfigurationSet != "reportmailer-prod" || c.Comm100.BaseURL != "https://eu.comm100.example" {
		t.Errorf("mail %+v comm100 %+v", c.Mail, c.Comm100)
	}
}

func TestCheckRunsAfterValidation(t *testing.T) {
	called := 0
	check := func(*config.Config) error { called++; return fmt.Errorf("rule r: cannot compile") }
	_, err := config.LoadWith([]byte(sample("", "", "", "", "")), config.Options{Check: check})
	if err == nil || !strings.Contains(err.Error(), "alerts.rules: rule r: cannot compile") || called != 1 {
		t.Errorf("err = %v (check called %d times)", err, called)
	}
	// An invalid file never reaches the compiler (it may rely on validated fields).
	_, err = config.LoadWith([]byte(sample("", "", "", "", ", threshold: null")), config.Options{Check: check})
	if err == nil || called != 1 {
		t.Errorf("check ran on an invalid config (err %v)", err)
	}
}

func TestCurrency(t *testing.T) {
	c, err := config.Load([]byte(sample("", ", currency: eur", "", "", "")))
	if err != nil {
		t.Fatal(err)
	}
	if c.Digests[0].Currency != "EUR" || c.Mail.Currency != "EUR" {
		t.Errorf("currency: digest %q, mail %q", c.Digests[0].Currency, c.Mail.Currency)
	}
}

func TestSizeLimit(t *testing.T) {
	big := sample("", "", "", "", "") + "# " + strings.Repeat("x", config.MaxBytes) + "\n"
	_, err := config.Load([]byte(big))
	if err == nil || !strings.Contains(err.Error(), "(file): ") || !strings.Contains(err.Error(), "the limit is") {
		t.Errorf("err = %v", err)
	}
}

func TestTypeErrorsNameThePath(t *testing.T) {
	_, err := config.Load([]byte(`
mail:
  from: reports@example.com
digests:
  - id: d
    period: week
    concurrency: [4]
    formats: pdf
`))
	for _, want := range []string{"digests[0].concurrency: cannot unmarshal !!seq into int (line 7)", "digests[0].formats: cannot unmarshal !!str `pdf` into []string (line 8)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestProblemsQuoteAtMostAFewCharacters(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	_, err := config.Load([]byte(sample("", "", "", ", timezone: "+huge, "")))
	if err == nil || len(err.Error()) > 500 || !strings.Contains(err.Error(), "digests[0].timezone: ") {
		t.Errorf("%d-byte error: %.200s", len(fmt.Sprint(err)), err)
	}
	c, _ := config.Load([]byte(sample("", "", "", "", "")))
	if _, err := c.Digest(huge); err == nil || len(err.Error()) > 500 {
		t.Errorf("%d-byte error for an unknown digest id", len(fmt.Sprint(err)))
	}
}

// formats takes the four the digest can make, and nothing else.
func TestFormats(t *testing.T) {
	t.Parallel()
	c, err := config.Load([]byte(sample("", "", "", ", formats: [pdf, html, csv, xlsx]", "")))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Digests[0].Formats, ","); got != "pdf,html,csv,xlsx" {
		t.Errorf("formats = %s", got)
	}
	_, err = config.Load([]byte(sample("", "", "", ", formats: [xls]", "")))
	if err == nil || !strings.Contains(err.Error(), `digests[0].formats[0]: "xls": want pdf, html, csv or xlsx`) {
		t.Errorf("err = %v", err)
	}
}
