package reports

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock advances only when someone sleeps on it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Sleepers wake in order of their deadlines; moving the clock to the
	// earliest is enough for the limiter, which re-checks after waking.
	c.now = c.now.Add(d)
	return nil
}

// maxCallsInWindow is the largest number of calls in any window of length w.
func maxCallsInWindow(times []time.Time, w time.Duration) int {
	times = slices.Clone(times)
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	best, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= w {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// MaxCallsInWindow is maxCallsInWindow for the package's external tests
// (quota_sim_test.go).
var MaxCallsInWindow = maxCallsInWindow

func TestWindowLimiterHoldsInEveryWindow(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	q := Quota{Calls: 10, Window: time.Minute}
	l := newWindowLimiter(q, clock.Now, clock.Sleep)
	var times []time.Time
	for range 55 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		times = append(times, clock.Now())
	}
	if got := maxCallsInWindow(times, q.Window); got != q.Calls {
		t.Errorf("%d calls in one window, want at most (and, under load, exactly) %d", got, q.Calls)
	}
	// 55 calls at 10 a minute need four full windows of waiting.
	if got := times[len(times)-1].Sub(times[0]); got != 5*time.Minute {
		t.Errorf("55 calls took %s of fake time, want 5m0s", got)
	}
}

func TestWindowLimiterRefusesWaitPastDeadline(t *testing.T) {
	clock := &fakeClock{now: time.Now()} // deadlines are on the real clock
	l := newWindowLimiter(Quota{Calls: 1, Window: time.Hour}, clock.Now, clock.Sleep)
	ctx, cancel := context.WithDeadline(context.Background(), clock.Now().Add(time.Minute))
	defer cancel()
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(ctx); err == nil {
		t.Fatal("second call within the hour was allowed")
	}
}

// The shares of the digest processes and the alert process never add up to
// more than Comm100's quota, for any number of digest processes.
func TestSharesStayUnderSiteQuota(t *testing.T) {
	for n := 1; n <= 50; n++ {
		if total := n*DigestShare(n).Calls + AlertQuota.Calls; total > SiteQuota.Calls {
			t.Errorf("%d digest processes may make %d calls per window, over %d", n, total, SiteQuota.Calls)
		}
		if DigestShare(n).Window != SiteQuota.Window {
			t.Errorf("share window %s differs from the site's", DigestShare(n).Window)
		}
	}
	if got := DigestShare(2).Calls; got != 135 {
		t.Errorf("DigestShare(2) = %d calls, want 135", got)
	}
}
