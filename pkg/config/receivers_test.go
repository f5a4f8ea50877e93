package config_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"reportmailer/pkg/config"
)

func receiversConfig(receivers, notify string) string {
	return fmt.Sprintf(`
mail: {from: a@example.com}
alerts:
  receivers:
%s
  rules:
    - {id: r, metric: queue.length, op: ">", threshold: 5, notify: %s}
`, receivers, notify)
}

func TestReceiversValid(t *testing.T) {
	c, err := config.Load([]byte(receiversConfig(`
    - {name: s, slack: {url: "https://hooks.slack.com/services/T0/B0/XXXX"}}
    - {name: t, teams: {urlSecret: reportmailer/receivers/teams}}
    - {name: p, pagerduty: {routingKey: R0UT1NGKEY}}
    - {name: w, webhook: {url: "http://127.0.0.1:9093/alerts"}}
    - {name: l, webhook: {url: "http://localhost:9093/alerts"}}`, "[s, t, p, w, l]")))
	if err != nil {
		t.Fatal(err)
	}
	if k := c.Alerts.Receivers[2].Kind(); k != "pagerduty" {
		t.Errorf("kind %q", k)
	}
}

// TestReceiverProblems: each mistake is reported at its path, and no
// problem echoes a webhook URL or routing key (they are credentials).
func TestReceiverProblems(t *testing.T) {
	t.Parallel()
	const secret = "S3CRETPART"
	for _, tc := range []struct{ name, receivers, notify, path string }{
		{"unknown notify name", `    - {name: s, slack: {url: "https://hooks.slack.com/` + secret + `"}}`, "[s, nope]", "alerts.rules[0].notify[1]"},
		{"http to a remote host", `    - {name: s, slack: {url: "http://hooks.example.com/` + secret + `"}}`, "[s]", "alerts.receivers[0].slack.url"},
		{"not a URL", `    - {name: s, teams: {url: "hooks/` + secret + `"}}`, "[s]", "alerts.receivers[0].teams.url"},
		{"url and urlSecret", `    - {name: s, webhook: {url: "https://x.example.com/` + secret + `", urlSecret: a}}`, "[s]", "alerts.receivers[0].webhook"},
		{"neither", `    - {name: s, webhook: {}}`, "[s]", "alerts.receivers[0].webhook"},
		{"two kinds", `    - {name: s, webhook: {url: "https://x.example.com/` + secret + `"}, slack: {urlSecret: a}}`, "[s]", "alerts.receivers[0]"},
		{"no routing key", `    - {name: p, pagerduty: {url: "https://events.pagerduty.com/v2/enqueue"}}`, "[p]", "alerts.receivers[0].pagerduty"},
		{"duplicate name", `    - {name: s, slack: {urlSecret: a}}
    - {name: s, slack: {urlSecret: b}}`, "[s]", "alerts.receivers[1].name"},
		{"user info", `    - {name: s, webhook: {url: "https://u:` + secret + `@x.example.com/"}}`, "[s]", "alerts.receivers[0].webhook.url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load([]byte(receiversConfig(tc.receivers, tc.notify)))
			var ps config.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want problems", err)
			}
			found := false
			for _, p := range ps {
				found = found || p.Path == tc.path
			}
			if !found {
				t.Errorf("no problem at %s: %v", tc.path, err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("a problem echoes the secret: %v", err)
			}
		})
	}
}

// TestReceiverSecretsDoNotPrint: a loaded receiver's URL and key print as
// [redacted] through fmt.
func TestReceiverSecretsDoNotPrint(t *testing.T) {
	c, err := config.Load([]byte(receiversConfig(`
    - {name: s, slack: {url: "https://hooks.slack.com/services/SECRETPATH"}}
    - {name: p, pagerduty: {routingKey: SECRETKEY}}`, "[s, p]")))
	if err != nil {
		t.Fatal(err)
	}
	if out := fmt.Sprintf("%v %+v", c.Alerts.Receivers, c.Alerts); strings.Contains(out, "SECRET") {
		t.Errorf("printed: %s", out)
	}
}
