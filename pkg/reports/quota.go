package reports

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Quota is a sliding-window call limit: at most Calls requests in any
// Window. Comm100 allows 300 calls per 5 minutes per IP address.
type Quota struct {
	Calls  int
	Window time.Duration
}

// SiteQuota is Comm100's published limit.
var SiteQuota = Quota{Calls: 300, Window: 5 * time.Minute}

// AlertQuota is what one alert process may use: two calls a minute, with
// room for a retry of each.
var AlertQuota = Quota{Calls: 30, Window: 5 * time.Minute}

// String reads like "145/5m0s".
func (q Quota) String() string { return fmt.Sprintf("%d/%s", q.Calls, q.Window) }

// DigestShare is one digest process's part of the site quota when up to
// `processes` digest processes run at once beside one alert process. The
// shares add up to at most the site quota, whatever the processes do:
//
//	processes × DigestShare(processes) + AlertQuota.Calls ≤ SiteQuota.Calls
func DigestShare(processes int) Quota {
	if processes < 1 {
		processes = 1
	}
	return Quota{Calls: (SiteQuota.Calls - AlertQuota.Calls) / processes, Window: SiteQuota.Window}
}

// windowLimiter enforces a Quota in one process: a call waits until fewer
// than Calls calls were made in the Window before it. Unlike a token
// bucket (whose burst plus refill allows up to twice its size in one
// window), the bound holds for every window.
type windowLimiter struct {
	q     Quota
	now   func() time.Time
	sleep func(context.Context, time.Duration) error

	mu   sync.Mutex
	sent []time.Time // start times of the last q.Calls calls, oldest first
}

func newWindowLimiter(q Quota, now func() time.Time, sleep func(context.Context, time.Duration) error) *windowLimiter {
	if q.Calls < 1 {
		q.Calls = 1
	}
	return &windowLimiter{q: q, now: now, sleep: sleep}
}

// Wait blocks until a call may start, and counts it. A wait that would
// pass ctx's deadline fails at once.
func (l *windowLimiter) Wait(ctx context.Context) error {
	for {
		l.mu.Lock()
		now := l.now()
		if len(l.sent) < l.q.Calls {
			l.sent = append(l.sent, now)
			l.mu.Unlock()
			return nil
		}
		free := l.sent[0].Add(l.q.Window)
		if !now.Before(free) {
			l.sent = append(l.sent[1:], now)
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		wait := free.Sub(now)
		if dl, ok := ctx.Deadline(); ok && now.Add(wait).After(dl) {
			return fmt.Errorf("quota %s reached; the next call is allowed in %s, after the deadline", l.q, wait.Round(time.Second))
		}
		if err := l.sleep(ctx, wait); err != nil {
			return err
		}
	}
}
