package reports_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/reports"
)

// callLog is a RoundTripper that serves requests from the simulator in
// process and records when each one was made. Inside a synctest bubble
// time.Now is the bubble's fake clock, which moves only when every
// goroutine is asleep: no real waiting, and a call's recorded time is
// exactly the instant its limiter let it go.
type callLog struct {
	sim   http.Handler
	mu    sync.Mutex
	times []time.Time
}

func (l *callLog) RoundTrip(req *http.Request) (*http.Response, error) {
	l.mu.Lock()
	l.times = append(l.times, time.Now())
	l.mu.Unlock()
	rec := httptest.NewRecorder()
	l.sim.ServeHTTP(rec, req)
	return rec.Result(), nil
}

// TestConsumersAtOneTickStayUnderSiteQuota: N digests due at the same tick
// are N consumers (the queue's maximum concurrency) each fetching with
// four workers and its DigestShare(N), beside the alert process polling
// with AlertQuota. Every 5-minute window of the simulator's call log holds
// at most Comm100's 300 calls.
func TestConsumersAtOneTickStayUnderSiteQuota(t *testing.T) {
	for _, n := range []int{2, 4} {
		t.Run(fmt.Sprintf("consumers=%d", n), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				log := &callLog{sim: comm100sim.New(comm100sim.Options{Seed: 1})}
				newClient := func(q reports.Quota) *reports.Client {
					return reports.New(reports.WithBaseURL("http://sim.invalid"), reports.WithHTTPClient(&http.Client{Transport: log}),
						reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}),
						reports.WithQuota(q))
				}
				ctx, stop := context.WithCancel(context.Background())
				var wg sync.WaitGroup
				// The alert process polls every minute (two calls), as fast as its share allows.
				alert := newClient(reports.AlertQuota)
				wg.Go(func() {
					for ctx.Err() == nil {
						_, _ = alert.Fetch(ctx, "chatVolume", week(reports.GroupDay))
						_, _ = alert.Fetch(ctx, "waitTime", week(reports.GroupDay))
						select {
						case <-ctx.Done():
						case <-time.After(time.Minute):
						}
					}
				})
				const perConsumer = 240 // more than a share, so every consumer waits
				var consumers sync.WaitGroup
				for range n {
					c := newClient(reports.DigestShare(n))
					jobs := make(chan int)
					consumers.Go(func() {
						var workers sync.WaitGroup
						for range 4 {
							workers.Go(func() {
								for range jobs {
									if _, err := c.Fetch(ctx, "visits", week(reports.GroupDay)); err != nil {
										t.Error(err)
									}
								}
							})
						}
						for i := range perConsumer {
							jobs <- i
						}
						close(jobs)
						workers.Wait()
					})
				}
				consumers.Wait()
				stop()
				wg.Wait()
				log.mu.Lock()
				defer log.mu.Unlock()
				if len(log.times) < n*perConsumer {
					t.Fatalf("%d calls logged, want at least %d", len(log.times), n*perConsumer)
				}
				got := reports.MaxCallsInWindow(log.times, reports.SiteQuota.Window)
				if got > reports.SiteQuota.Calls {
					t.Errorf("%d calls in one 5-minute window, over Comm100's %d", got, reports.SiteQuota.Calls)
				}
				// The shares are used, not idle: the busiest window is close to the limit.
				if want := n*reports.DigestShare(n).Calls + 2; got < want {
					t.Errorf("busiest window %d calls; the consumers' shares allow %d", got, want)
				}
				t.Logf("%d consumers: %d calls over %s of fake time, at most %d in any 5 minutes",
					n, len(log.times), log.times[len(log.times)-1].Sub(log.times[0]), got)
			})
		})
	}
}

// TestTokenBucketWouldExceedTheQuota records why the client no longer uses
// a token bucket: 300 burst + 1/s lets 599 calls through in 5 minutes.
func TestTokenBucketWouldExceedTheQuota(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log := &callLog{sim: comm100sim.New(comm100sim.Options{Seed: 1})}
		c := reports.New(reports.WithBaseURL("http://sim.invalid"), reports.WithHTTPClient(&http.Client{Transport: log}),
			reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}),
			reports.WithRateLimit(300, 1))
		for range 600 {
			if _, err := c.Fetch(context.Background(), "visits", week(reports.GroupDay)); err != nil {
				t.Fatal(err)
			}
		}
		got := reports.MaxCallsInWindow(log.times, reports.SiteQuota.Window)
		if got <= reports.SiteQuota.Calls {
			t.Errorf("token bucket made at most %d calls in a window", got)
		}
		t.Logf("token bucket (300, 1/s): %d calls in one 5-minute window", got)
	})
}
