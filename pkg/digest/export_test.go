package digest

import (
	"testing"
	"time"
)

// SetSendTimes shrinks the send window and the outcome write's time for
// one test, so that a stalled send ends in a second, not two minutes.
func SetSendTimes(t testing.TB, send, minSend, record time.Duration) {
	t.Helper()
	s, m, r := sendTimeout, minSendTime, recordTimeout
	sendTimeout, minSendTime, recordTimeout = send, minSend, record
	t.Cleanup(func() { sendTimeout, minSendTime, recordTimeout = s, m, r })
}

// Lease is how long a send-log claim blocks other runs.
const Lease = 10 * time.Minute

func init() {
	if lease != Lease {
		panic("digest: Lease out of date")
	}
}
