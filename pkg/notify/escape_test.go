package notify_test

import (
	"encoding/json"
	"strings"
	"testing"

	"reportmailer/pkg/notify"
)

// TestSlackTextIsEscaped: a hostile name in the title (a queue id from
// the API, a department name) must not become a Slack mention or link in
// any mrkdwn field, the notification's fallback text included.
func TestSlackTextIsEscaped(t *testing.T) {
	t.Parallel()
	m := message(notify.Firing)
	m.Title = "[FIRING] Acme: Queue length 12 > 8 — department <!channel> <https://evil.example|click> (no name in config)"
	data, _ := json.Marshal(notify.SlackPayload(m))
	var v struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(data, &v)
	for _, bad := range []string{"<!channel>", "<https://evil"} {
		if strings.Contains(v.Text, bad) {
			t.Errorf("Slack's text carries %q unescaped: %s", bad, v.Text)
		}
	}
}
