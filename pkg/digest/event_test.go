package digest_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"reportmailer/pkg/config"
	"reportmailer/pkg/digest"
)

func oneDigest(t *testing.T) *config.Config {
	t.Helper()
	c, err := config.Load([]byte(`
mail: {from: reports@example.com}
digests:
  - {id: weekly, period: week, timezone: Europe/London, to: [a@example.com], reports: [{report: chatVolume}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseEventShapes(t *testing.T) {
	t.Parallel()
	c := oneDigest(t)
	// The default event Scheduler sends when a schedule has no Input: "detail" is the string "{}".
	def := `{"version":"0","id":"e1","detail-type":"Scheduled Event","source":"aws.scheduler","account":"123456789012",
	  "time":"2026-11-23T08:00:00Z","region":"eu-west-1","resources":["arn:aws:scheduler:eu-west-1:123456789012:schedule/default/x"],"detail":"{}"}`
	req, err := digest.ParseEvent(json.RawMessage(def), c)
	if err != nil || req.DigestID != "weekly" || !req.At.Equal(time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("default event: %+v %v", req, err)
	}
	req, err = digest.ParseEvent(json.RawMessage(`{"digest":"weekly","scheduledTime":"2026-11-23T08:00:00+01:00"}`), c)
	if err != nil || !req.At.Equal(time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)) || !req.Send {
		t.Errorf("templated input: %+v %v", req, err)
	}
	c.Digests = append(c.Digests, c.Digests[0])
	c.Digests[1].ID = "daily"
	if _, err := digest.ParseEvent(json.RawMessage(def), c); err == nil || !strings.Contains(err.Error(), "weekly, daily") {
		t.Errorf("ambiguous default event: %v", err)
	}
}
