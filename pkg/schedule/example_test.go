package schedule_test

import (
	"fmt"
	"testing"
	"time"

	"reportmailer/internal/testconfig"
	"reportmailer/pkg/period"
	"reportmailer/pkg/schedule"
)

// exampleDigests reads reportmailer.example.yaml's three digests through
// the config: London weekly (clocks change 28 Mar 2027), New York daily
// (14 Mar), Sydney monthly (4 Apr).
func exampleDigests(t *testing.T) []schedule.Entry {
	t.Helper()
	cfg := testconfig.Example(t)
	ds, err := cfg.Schedules()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]schedule.Send{"weekly-managers": {At: "08:00"}, "weekly-teams": {At: "09:00"}, "daily-sales": {At: "07:30"}, "monthly-board": {At: "09:00", DaysAfter: 1}}
	if len(ds) != len(want) {
		t.Fatalf("example has %d digests, want %d", len(ds), len(want))
	}
	for _, d := range ds {
		if d.Send != want[d.ID] {
			t.Fatalf("example digest %s sends %+v; this test expects %+v", d.ID, d.Send, want[d.ID])
		}
	}
	return ds
}

func clock(s string) (h, m int, err error) {
	t, err := time.Parse("15:04", s)
	return t.Hour(), t.Minute(), err
}

func TestPlanAcrossDSTChanges(t *testing.T) {
	ds := exampleDigests(t)
	from := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)
	plan := schedule.Plan(ds, from, to)
	byDigest := map[string][]schedule.Planned{}
	for i, p := range plan {
		if i > 0 && p.SendAt.Before(plan[i-1].SendAt) {
			t.Fatalf("plan not in send order at %d", i)
		}
		byDigest[p.Digest] = append(byDigest[p.Digest], p)
	}
	want := map[string]int{"weekly-managers": 9, "weekly-teams": 9, "daily-sales": 61, "monthly-board": 2}
	for _, d := range ds {
		got := byDigest[d.ID]
		if len(got) != want[d.ID] {
			t.Errorf("%s: %d sends in Mar–Apr 2027, want %d", d.ID, len(got), want[d.ID])
		}
		h, m, _ := clock(d.Send.At)
		for i, p := range got {
			loc := d.Period.Location
			if i > 0 && !p.Period.Start.Equal(got[i-1].Period.End) {
				t.Errorf("%s: period %s does not follow %s", d.ID, p.Period.Key(), got[i-1].Period.Key())
			}
			if p.SendAt.Before(p.Period.End) {
				t.Errorf("%s: period %s sent at %s, before it ends", d.ID, p.Period.Key(), p.SendAt)
			}
			local := p.SendAt.In(loc)
			if local.Hour() != h || local.Minute() != m {
				t.Errorf("%s: period %s sent at local %s, want %s", d.ID, p.Period.Key(), local.Format("15:04 MST"), d.Send.At)
			}
			if d.Period.Kind == period.Week && local.Weekday() != time.Monday {
				t.Errorf("%s: sent on %s, want Monday", d.ID, local.Weekday())
			}
			if d.Period.Kind == period.Month && local.Day() != 2 {
				t.Errorf("%s: sent on day %d, want the 2nd (daysAfter 1)", d.ID, local.Day())
			}
		}
	}
	// The London week of the change is 167 hours and is still mailed at
	// 08:00 BST on Monday 29 March.
	for _, p := range byDigest["weekly-managers"] {
		if p.Period.Key() == "2027-03-22" {
			if h := p.Period.End.Sub(p.Period.Start).Hours(); h != 167 {
				t.Errorf("DST week is %v hours, want 167", h)
			}
			if got := p.SendAt.UTC().Format(time.RFC3339); got != "2027-03-29T07:00:00Z" {
				t.Errorf("DST week sent at %s, want 2027-03-29T07:00:00Z", got)
			}
		}
	}
}

// Ticking every 15 minutes yields each planned send exactly once, and a
// repeated tick (a Scheduler retry of the same scheduled time) finds the
// same set again, which the send log then absorbs.
func TestTicksFindEachSendOnce(t *testing.T) {
	ds := exampleDigests(t)
	ds = append(ds, schedule.Entry{ID: "kathmandu", Period: period.Spec{Kind: period.Day, Location: schedule.MustLoc(t, "Asia/Kathmandu")}, Send: schedule.Send{At: "08:00"}},
		schedule.Entry{ID: "odd-minute", Period: period.Spec{Kind: period.Day, Location: schedule.MustLoc(t, "Europe/London")}, Send: schedule.Send{At: "06:07"}})
	from := time.Date(2027, 3, 10, 0, 0, 0, 0, time.UTC)
	to := time.Date(2027, 4, 6, 0, 0, 0, 0, time.UTC)
	every := 15 * time.Minute
	seen := map[string]int{}
	for at := from.Add(every); !at.After(to); at = at.Add(every) {
		due := schedule.Due(ds, at, every)
		if again := schedule.Due(ds, at, every); fmt.Sprint(again) != fmt.Sprint(due) {
			t.Fatalf("a retried tick at %s found %v, first %v", at, again, due)
		}
		for _, p := range due {
			if p.SendAt.After(at) || !p.SendAt.After(at.Add(-every)) {
				t.Errorf("tick %s returned a send at %s", at, p.SendAt)
			}
			seen[p.Digest+"/"+p.Period.Key()]++
		}
	}
	plan := schedule.Plan(ds, from.Add(time.Nanosecond), to.Add(time.Nanosecond))
	if len(seen) != len(plan) {
		t.Errorf("ticks found %d sends, plan has %d", len(seen), len(plan))
	}
	for _, p := range plan {
		if n := seen[p.Digest+"/"+p.Period.Key()]; n != 1 {
			t.Errorf("%s %s found by %d ticks, want 1", p.Digest, p.Period.Key(), n)
		}
	}
}
