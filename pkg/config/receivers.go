package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"reportmailer/pkg/reports"
)

// Receiver is one named destination for alert notifications besides mail:
// exactly one of its kinds is set. Webhook URLs and routing keys are
// credentials (whoever has one can post): they are reports.Secret, which
// never prints, and validation never echoes them.
type Receiver struct {
	Name      string     `yaml:"name"`
	Slack     *Hook      `yaml:"slack"`     // a Slack incoming webhook (Block Kit)
	Teams     *Hook      `yaml:"teams"`     // a Teams Workflows webhook (Adaptive Card)
	Webhook   *Hook      `yaml:"webhook"`   // the Alertmanager webhook format, version 4
	PagerDuty *PagerDuty `yaml:"pagerduty"` // PagerDuty Events API v2
}

// Hook is a receiver posting to a URL, given in the file or as the name
// (or ARN) of a Secrets Manager secret whose string is the URL.
type Hook struct {
	URL       reports.Secret `yaml:"url"`
	URLSecret string         `yaml:"urlSecret"`
}

// PagerDuty is an Events API v2 integration: its routing (integration)
// key, in the file or in a Secrets Manager secret, and the endpoint.
type PagerDuty struct {
	RoutingKey       reports.Secret `yaml:"routingKey"`
	RoutingKeySecret string         `yaml:"routingKeySecret"`
	// URL is the events endpoint (default DefaultPagerDutyURL); not secret.
	URL string `yaml:"url"`
}

// DefaultPagerDutyURL is PagerDuty's Events API v2 endpoint.
const DefaultPagerDutyURL = "https://events.pagerduty.com/v2/enqueue"

// Kind names the receiver's kind: slack, teams, webhook or pagerduty.
func (r Receiver) Kind() string {
	switch {
	case r.Slack != nil:
		return "slack"
	case r.Teams != nil:
		return "teams"
	case r.Webhook != nil:
		return "webhook"
	case r.PagerDuty != nil:
		return "pagerduty"
	}
	return ""
}

// Hook returns the URL part of a slack, teams or webhook receiver.
func (r Receiver) Hook() *Hook {
	switch {
	case r.Slack != nil:
		return r.Slack
	case r.Teams != nil:
		return r.Teams
	}
	return r.Webhook
}

// Receiver returns the named receiver.
func (a Alerts) Receiver(name string) (Receiver, bool) {
	for _, r := range a.Receivers {
		if r.Name == name {
			return r, true
		}
	}
	return Receiver{}, false
}

// secretName is a Secrets Manager secret name (or ARN): letters, digits and /_+=.@- .
var secretName = nameRule{regexp.MustCompile(`^[A-Za-z0-9/_+=.@:-]+$`), 1, 2048}

// receivers checks alerts.receivers; names are returned for the rules' notify.
func (v *validator) receivers(a Alerts) map[string]bool {
	names := map[string]bool{}
	for i, r := range a.Receivers {
		p := fmt.Sprintf("alerts.receivers[%d]", i)
		switch {
		case r.Name == "":
			v.add(p+".name", "required")
		case !plainKey.MatchString(r.Name):
			v.add(p+".name", "%q: use letters, digits, - and _", r.Name)
		case names[r.Name]:
			v.add(p+".name", "duplicate receiver %q", r.Name)
		}
		names[r.Name] = true
		kinds := 0
		for _, set := range []bool{r.Slack != nil, r.Teams != nil, r.Webhook != nil, r.PagerDuty != nil} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			v.add(p, "want exactly one of slack, teams, webhook or pagerduty")
			continue
		}
		if h := r.Hook(); h != nil {
			pk := p + "." + r.Kind()
			v.secretOrValue(pk, "url", "urlSecret", string(h.URL), h.URLSecret)
			if h.URL != "" {
				v.receiverURL(pk+".url", string(h.URL), true)
			}
			continue
		}
		pd := r.PagerDuty
		v.secretOrValue(p+".pagerduty", "routingKey", "routingKeySecret", string(pd.RoutingKey), pd.RoutingKeySecret)
		if pd.RoutingKey != "" && (hasControl(string(pd.RoutingKey)) || len(pd.RoutingKey) > 128) {
			v.add(p+".pagerduty.routingKey", "not a routing key (printable, at most 128 characters)")
		}
		if pd.URL != "" {
			v.receiverURL(p+".pagerduty.url", pd.URL, false)
		}
	}
	return names
}

// secretOrValue wants exactly one of a value and a secret name.
func (v *validator) secretOrValue(p, value, secret, val, name string) {
	switch {
	case val == "" && name == "":
		v.add(p, "want %s or %s", value, secret)
	case val != "" && name != "":
		v.add(p, "want %s or %s, not both", value, secret)
	case name != "" && !secretName.MatchString(name):
		v.add(p+"."+secret, "%q is not a Secrets Manager secret name or ARN", name)
	}
}

// receiverURL checks a receiver's URL: https, or http only to this
// machine (tests and local stand-ins). A secret URL is never echoed.
func (v *validator) receiverURL(p, raw string, secret bool) {
	shown := fmt.Sprintf("%q", raw)
	if secret {
		shown = "the URL"
	}
	u, err := url.Parse(raw)
	if err != nil || hasControl(raw) || u.Host == "" {
		v.add(p, "%s is not an absolute URL", shown)
		return
	}
	local := isLoopback(u.Hostname())
	switch {
	case u.User != nil:
		v.add(p, "%s must not carry user:password@", shown)
	case u.Scheme == "https":
	case u.Scheme == "http" && local:
	case u.Scheme == "http":
		v.add(p, "%s: want https:// (http only to 127.0.0.1 or localhost)", shown)
	default:
		v.add(p, "%s: want an https:// URL", shown)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// linkURL checks a runbook or console link: an absolute http(s) URL.
func (v *validator) linkURL(p, raw string) {
	u, err := url.Parse(raw)
	if err != nil || hasControl(raw) || strings.ContainsAny(raw, "<> ") || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		v.add(p, "%q is not an http(s) URL", raw)
	}
}

// notify checks a list of receiver names.
func (v *validator) notify(p string, list []string, names map[string]bool) {
	seen := map[string]bool{}
	for j, n := range list {
		switch {
		case !names[n]:
			v.add(fmt.Sprintf("%s[%d]", p, j), "no receiver %q in alerts.receivers", n)
		case seen[n]:
			v.add(fmt.Sprintf("%s[%d]", p, j), "receiver %q listed twice", n)
		}
		seen[n] = true
	}
}
