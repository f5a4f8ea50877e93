package config

import (
	"fmt"
	"strings"
)

// Env lists the environment variables LoadWith reads, and what each
// overrides. They are validated with the file, and a problem in one is
// reported as "env NAME: …".
var Env = []struct{ Name, Overrides string }{
	{"COMM100_BASE_URL", "comm100.baseURL"},
	{"COMM100_SITE_ID", "comm100.siteID"},
	{"COMM100_SECRET_ARN", "comm100.secretARN"},
	{"COMM100_EMAIL", "the Comm100 agent email (with COMM100_API_KEY, instead of the secret)"},
	{"COMM100_API_KEY", "the Comm100 API key (with COMM100_EMAIL, instead of the secret)"},
	{"MAIL_FROM", "mail.from, and clears every digest's from and alerts.from (the role may send only as this address)"},
	{"SES_CONFIGURATION_SET", "mail.configurationSet"},
	{"ARCHIVE_BUCKET", "mail.archiveBucket"},
	{"LINKS_BASE_URL", "mail.linksBaseURL (the links function's URL, set by the stack)"},
	{"DIGEST_TO", "every digest's to and every audience member's recipients (comma-separated; cc and bcc are cleared)"},
	{"ALERT_TO", "every alert rule's to and alerts.noDataTo (comma-separated)"},
	{"TABLE_NAME", "the DynamoDB table of the send log and alert state"},
}

// applyEnv applies the environment's overrides on top of the file and
// returns which config paths they set, so that validate can name the
// variable rather than a path the file never had.
func (c *Config) applyEnv(getenv func(string) string) map[string]string {
	origins := map[string]string{}
	set := func(name, path string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
			origins[path] = name
		}
	}
	set("COMM100_BASE_URL", "comm100.baseURL", &c.Comm100.BaseURL)
	set("COMM100_SITE_ID", "comm100.siteID", &c.Comm100.SiteID)
	set("COMM100_SECRET_ARN", "comm100.secretARN", &c.Comm100.SecretARN)
	set("MAIL_FROM", "mail.from", &c.Mail.From)
	if getenv("MAIL_FROM") != "" {
		// The deployment's sender is the only one its IAM role may use
		// (ses:FromAddress), so it replaces every per-digest and alert from.
		for i := range c.Digests {
			c.Digests[i].From = ""
		}
		c.Alerts.From = ""
	}
	set("SES_CONFIGURATION_SET", "mail.configurationSet", &c.Mail.ConfigurationSet)
	set("ARCHIVE_BUCKET", "mail.archiveBucket", &c.Mail.ArchiveBucket)
	set("LINKS_BASE_URL", "mail.linksBaseURL", &c.Mail.LinksBaseURL)
	if raw := getenv("DIGEST_TO"); raw != "" {
		v := splitList(raw)
		for i := range c.Digests {
			c.Digests[i].To, c.Digests[i].Cc, c.Digests[i].Bcc = v, nil, nil
			origins[fmt.Sprintf("digests[%d].to", i)] = "DIGEST_TO"
			// A staging deployment must not mail an audience's real readers.
			if a := c.Digests[i].Audience; a != nil {
				for k := range a.Members {
					a.Members[k] = v
				}
				origins[fmt.Sprintf("digests[%d].audience.members", i)] = "DIGEST_TO"
			}
		}
	}
	if raw := getenv("ALERT_TO"); raw != "" {
		v := splitList(raw)
		for i := range c.Alerts.Rules {
			c.Alerts.Rules[i].To = v
			origins[fmt.Sprintf("alerts.rules[%d].to", i)] = "ALERT_TO"
		}
		c.Alerts.NoDataTo = v
		origins["alerts.noDataTo"] = "ALERT_TO"
	}
	return origins
}

// envOnly validates the variables that do not land in the Config.
func (v *validator) envOnly(getenv func(string) string) {
	if getenv == nil {
		return
	}
	if e := getenv("COMM100_EMAIL"); e != "" {
		v.mailbox("env COMM100_EMAIL", e) // a Comm100 login, never mailed through SES
	}
	if k := getenv("COMM100_API_KEY"); k != "" && hasControl(k) {
		// Never echo a key.
		v.add("env COMM100_API_KEY", "contains a control character")
	}
	if t := getenv("TABLE_NAME"); t != "" && !tableName.MatchString(t) {
		v.add("env TABLE_NAME", "%q is not a DynamoDB table name (3–255 of A–Z a–z 0–9 _ - .)", t)
	}
}

// origin names the environment variable a path's value came from.
func origin(origins map[string]string, path string) (string, bool) {
	for p := path; p != ""; {
		if name, ok := origins[p]; ok {
			return name, true
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return "", false
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
