package alert_test

import (
	"strings"
	"testing"

	"reportmailer/internal/notifytest"
	"reportmailer/pkg/alert"
)

// TestHugeRetryAfterStillGivesUpAfter24h: a receiver answering 429 with
// Retry-After of a year must not park its delivery (and every later one
// to it) for a year: the delivery is tried again, and given up with the
// alarm, when it is 24 hours old, as docs/alerts.md promises.
func TestHugeRetryAfterStillGivesUpAfter24h(t *testing.T) {
	for _, ra := range []string{"31536000", "99999999999"} {
		t.Run(ra, func(t *testing.T) {
			r := newReceiverRun(t, `, queue: "department:d-sales"`, sequence(12))
			r.si.pager.Down(notifytest.Failure{Status: 429, Body: `{"status":"throttle event"}`, RetryAfter: ra})
			r.evaluate(t, 0)
			r.evaluate(t, 24*60)
			if n := r.si.pager.Attempts(); n != 2 {
				t.Errorf("PagerDuty asked %d times in 24 hours, want 2 (the second when the delivery is 24 h old)", n)
			}
			if !strings.Contains(r.log.String(), alert.AlarmReceiverRejected) {
				t.Errorf("the delivery was not given up after 24 hours:\n%s", r.log.String())
			}
		})
	}
}
