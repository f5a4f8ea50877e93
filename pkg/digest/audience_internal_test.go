package digest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"reportmailer/internal/testconfig"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/sendlog"
)

// boundFetcher records the most calls in flight at once and the filters asked for.
type boundFetcher struct {
	mu            sync.Mutex
	inFlight, max int
	filters       map[string]int // "name=value" → calls
}

func (f *boundFetcher) Fetch(_ context.Context, name reports.Name, q reports.Query) (reports.Result, error) {
	f.mu.Lock()
	f.inFlight++
	f.max = max(f.max, f.inFlight)
	key := ""
	if q.Filter != nil {
		key = q.Filter.Name + "=" + q.Filter.Value
	}
	f.filters[key]++
	f.mu.Unlock()
	time.Sleep(time.Millisecond) // let calls overlap; the bound is asserted, not the timing
	f.mu.Lock()
	f.inFlight--
	f.mu.Unlock()
	spec, _ := reports.Lookup(name)
	return reports.Result{Spec: spec, Query: q}, nil
}

// TestAudienceRun: the example's four-department audience makes four
// filtered copies in one run, never more calls at once than the digest's
// concurrency, each copy's messages under keys of their own.
func TestAudienceRun(t *testing.T) {
	t.Parallel()
	cfg := testconfig.Example(t)
	d, _ := cfg.Digest("weekly-teams")
	d.Concurrency = 2
	f := &boundFetcher{filters: map[string]int{}}
	sends := &sendlog.Memory{}
	res, err := Run(context.Background(), cfg, Deps{Reports: f, Sender: &mail.Memory{}, SendLog: sends, Now: func() time.Time { return wednesday }},
		Request{DigestID: "weekly-teams", PeriodStart: "2026-11-16", Send: true})
	if err != nil {
		t.Fatal(err)
	}
	if f.max > 2 {
		t.Errorf("%d calls at once, over the digest's concurrency (2)", f.max)
	}
	if len(f.filters) != 4 || f.filters[""] != 0 {
		t.Errorf("calls by filter %v: want four departments and no unfiltered call", f.filters)
	}
	keys := map[string]bool{}
	for _, m := range res.Messages {
		if m.Outcome != sendlog.StateSent || keys[m.Key] || !strings.HasPrefix(m.Key, "digest#weekly-teams#2026-11-16_2026-11-22#department=1487fd0") {
			t.Errorf("message %s: %s", m.Key, m.Outcome)
		}
		keys[m.Key] = true
	}
	if len(res.Messages) != 4 {
		t.Errorf("%d messages, want 4 (support has two readers in one group message)", len(res.Messages))
	}
	again, err := Run(context.Background(), cfg, Deps{Reports: f, Sender: &mail.Memory{}, SendLog: sends, Now: func() time.Time { return wednesday }},
		Request{DigestID: "weekly-teams", PeriodStart: "2026-11-16", Send: true})
	if err != nil || !again.AlreadySent {
		t.Errorf("second run: already sent %v, %v", again.AlreadySent, err)
	}
}
