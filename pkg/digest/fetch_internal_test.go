package digest

import (
	"context"
	"os"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"reportmailer/pkg/config"
	"reportmailer/pkg/reports"
)

// slowFetcher answers every call with no rows after latency. Inside a
// synctest bubble its sleep is on the fake clock: the test takes no real
// time and measures exactly.
type slowFetcher struct{ latency time.Duration }

func (f slowFetcher) Fetch(ctx context.Context, name reports.Name, q reports.Query) (reports.Result, error) {
	spec, _ := reports.Lookup(name)
	select {
	case <-time.After(f.latency):
		return reports.Result{Spec: spec, Query: q}, nil
	case <-ctx.Done():
		return reports.Result{}, ctx.Err()
	}
}

// Every API call, current or previous period, takes its own slot of the
// concurrency bound: fetch wall time ≤ 1.05 × latency × ceil(calls / concurrency).
func TestFetchTimeIsAtTheConcurrencyBound(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../reportmailer.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const latency = 2 * time.Second
	for _, tc := range []struct {
		name        string
		reports     int // the first n reports of the example digest; 0: all
		concurrency int
	}{
		{"example digest, concurrency 4", 0, 4},
		{"example digest, concurrency 1", 0, 1},
		{"three reports, a slot for each call", 3, 6},
		{"five reports, concurrency 3", 5, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg, err := config.Load(data)
				if err != nil {
					t.Fatal(err)
				}
				d, err := cfg.Digest("weekly-managers")
				if err != nil {
					t.Fatal(err)
				}
				if tc.reports > 0 {
					d.Reports = d.Reports[:tc.reports]
				}
				d.Concurrency = tc.concurrency
				r, err := newRun(cfg, Deps{Reports: slowFetcher{latency}}, Request{DigestID: d.ID, PeriodStart: "2026-11-16"})
				if err != nil {
					t.Fatal(err)
				}
				c := unscopedCopy(r, weekPlan(t, r, "2026-11-16"))
				_, calls, _ := c.calls()
				start := time.Now()
				_, failed, err := fetchReports(t.Context(), c)
				if err != nil {
					t.Fatal(err)
				}
				elapsed := time.Since(start)
				waves := (len(calls) + tc.concurrency - 1) / tc.concurrency
				bound := latency * time.Duration(waves) * 105 / 100
				t.Logf("%d calls, concurrency %d: %v (bound %v)", len(calls), tc.concurrency, elapsed, bound)
				if elapsed > bound {
					t.Errorf("fetch took %v for %d calls at concurrency %d; bound %v", elapsed, len(calls), tc.concurrency, bound)
				}
				if len(failed) != 0 {
					t.Errorf("failed sections %v", failed)
				}
			})
		})
	}
}

// failingFetcher fails every call for one report and counts the calls.
type failingFetcher struct {
	report reports.Name
	mu     sync.Mutex
	calls  map[reports.Name]int
}

func (f *failingFetcher) Fetch(_ context.Context, name reports.Name, q reports.Query) (reports.Result, error) {
	f.mu.Lock()
	f.calls[name]++
	f.mu.Unlock()
	if name == f.report {
		return reports.Result{}, reports.ErrNotInEdition
	}
	spec, _ := reports.Lookup(name)
	return reports.Result{Spec: spec, Query: q}, nil
}

// A section whose current period failed does not spend a call (and quota)
// on its comparison.
func TestFailedSectionSkipsItsComparison(t *testing.T) {
	t.Parallel()
	f := &failingFetcher{report: "workload", calls: map[reports.Name]int{}}
	r := exampleRun(t, Deps{Reports: f}, Request{PeriodStart: "2026-11-16"})
	r.d.Concurrency = 1
	model, failed, err := fetchReports(t.Context(), unscopedCopy(r, weekPlan(t, r, "2026-11-16")))
	if err != nil {
		t.Fatal(err)
	}
	if f.calls["workload"] != 1 || f.calls["visits"] != 2 {
		t.Errorf("workload asked %d times, want once (no comparison for a failed section); visits %d, want 2",
			f.calls["workload"], f.calls["visits"])
	}
	if len(failed) != 1 || failed[0] != "workload" {
		t.Errorf("failed %v", failed)
	}
	for i, s := range model.Sections {
		if s.Report == "workload" && s.Note != "Not available in your Comm100 edition." {
			t.Errorf("section %d note %q", i, s.Note)
		}
	}
}
