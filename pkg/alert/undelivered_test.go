package alert_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	gomail "reportmailer/pkg/mail"
)

// TestRejectedAlertMailIsCountedAsUndelivered: an alert mail SES refuses
// for good is never sent again and the evaluation succeeds, so nothing
// but its log line tells anyone on-call was not reached. That line must
// carry "outcome":"failed", which the stack's Undelivered metric filter
// counts (as it does for digests, docs/reliability.md).
func TestRejectedAlertMailIsCountedAsUndelivered(t *testing.T) {
	r := newRun(t, `
    - {id: queue-long, metric: queue.length, op: ">", threshold: 8, to: [oncall@example.com]}
`, sequence(9))
	var logs bytes.Buffer
	r.ev.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	r.ev.Sender = &failing{err: &gomail.PermanentError{Err: errors.New("ses: MessageRejected: Email address is not verified")}}
	if _, err := r.ev.Evaluate(context.Background(), t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var v map[string]any
		_ = json.Unmarshal([]byte(line), &v)
		if v["outcome"] == "failed" {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d lines with outcome=failed, want the rejection's one:\n%s", failed, logs.String())
	}
}
