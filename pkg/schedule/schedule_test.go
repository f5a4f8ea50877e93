package schedule

import (
	"fmt"
	"testing"
	"time"

	"reportmailer/pkg/period"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// exampleDigests mirrors reportmailer.example.yaml's three digests: London
// weekly (clocks change 28 Mar 2027), New York daily (14 Mar), Sydney
// monthly (4 Apr).
func exampleDigests(t *testing.T) []Digest {
	return []Digest{
		{ID: "weekly-managers", Period: period.Spec{Kind: period.Week, WeekStart: time.Monday, Location: mustLoc(t, "Europe/London")}, Send: Send{At: "08:00"}},
		{ID: "daily-sales", Period: period.Spec{Kind: period.Day, Location: mustLoc(t, "America/New_York")}, Send: Send{At: "07:30"}},
		{ID: "monthly-board", Period: period.Spec{Kind: period.Month, Location: mustLoc(t, "Australia/Sydney")}, Send: Send{At: "09:00", DaysAfter: 1}},
	}
}

func TestPlanAcrossDSTChanges(t *testing.T) {
	ds := exampleDigests(t)
	from := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)
	plan := Plan(ds, from, to)
	byDigest := map[string][]Planned{}
	for i, p := range plan {
		if i > 0 && p.SendAt.Before(plan[i-1].SendAt) {
			t.Fatalf("plan not in send order at %d", i)
		}
		byDigest[p.Digest] = append(byDigest[p.Digest], p)
	}
	want := map[string]int{"weekly-managers": 9, "daily-sales": 61, "monthly-board": 2}
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
	ds = append(ds, Digest{ID: "kathmandu", Period: period.Spec{Kind: period.Day, Location: mustLoc(t, "Asia/Kathmandu")}, Send: Send{At: "08:00"}},
		Digest{ID: "odd-minute", Period: period.Spec{Kind: period.Day, Location: mustLoc(t, "Europe/London")}, Send: Send{At: "06:07"}})
	from := time.Date(2027, 3, 10, 0, 0, 0, 0, time.UTC)
	to := time.Date(2027, 4, 6, 0, 0, 0, 0, time.UTC)
	every := 15 * time.Minute
	seen := map[string]int{}
	for at := from.Add(every); !at.After(to); at = at.Add(every) {
		due := Due(ds, at, every)
		if again := Due(ds, at, every); fmt.Sprint(again) != fmt.Sprint(due) {
			t.Fatalf("a retried tick at %s found %v, first %v", at, again, due)
		}
		for _, p := range due {
			if p.SendAt.After(at) || !p.SendAt.After(at.Add(-every)) {
				t.Errorf("tick %s returned a send at %s", at, p.SendAt)
			}
			seen[p.Digest+"/"+p.Period.Key()]++
		}
	}
	plan := Plan(ds, from.Add(time.Nanosecond), to.Add(time.Nanosecond))
	if len(seen) != len(plan) {
		t.Errorf("ticks found %d sends, plan has %d", len(seen), len(plan))
	}
	for _, p := range plan {
		if n := seen[p.Digest+"/"+p.Period.Key()]; n != 1 {
			t.Errorf("%s %s found by %d ticks, want 1", p.Digest, p.Period.Key(), n)
		}
	}
}

func TestSendAtAcrossGapsAndRepeats(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	lordHowe := mustLoc(t, "Australia/Lord_Howe") // a half-hour change
	day := func(loc *time.Location) period.Spec { return period.Spec{Kind: period.Day, Location: loc} }
	cases := []struct {
		name string
		spec period.Spec
		date string // the period's local start date
		at   string
		want string // RFC 3339 UTC
	}{
		{"ordinary", day(ny), "2027-03-10", "08:00", "2027-03-11T13:00:00Z"},
		{"skipped by spring forward moves to 03:00", day(ny), "2027-03-13", "02:30", "2027-03-14T07:00:00Z"},
		{"after the change keeps wall time", day(ny), "2027-03-14", "02:30", "2027-03-15T06:30:00Z"},
		{"repeated by fall back is sent once, at the first", day(ny), "2027-11-06", "01:30", "2027-11-07T05:30:00Z"},
		{"half-hour gap", day(lordHowe), "2027-10-02", "02:15", "2027-10-02T15:30:00Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.spec.Starting(tc.date)
			if err != nil {
				t.Fatal(err)
			}
			if got := SendAt(p, Send{At: tc.at}).UTC().Format(time.RFC3339); got != tc.want {
				t.Errorf("SendAt = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		kind period.Kind
		send Send
		want string
	}{
		{period.Week, Send{At: "08:00", DaysAfter: 2}, "[]"},
		{period.Week, Send{At: "8am"}, `[at: "8am": want a 24-hour local time HH:MM, e.g. 08:00]`},
		{period.Week, Send{At: "24:00"}, `[at: "24:00": want a 24-hour local time HH:MM, e.g. 08:00]`},
		{period.Week, Send{DaysAfter: 7}, "[daysAfter: 7: want 0 to 6 for a week]"},
		{period.Month, Send{DaysAfter: -1}, "[daysAfter: -1: want 0 to 27 for a month]"},
		{period.Day, Send{DaysAfter: 1}, "[daysAfter: 1: a daily digest goes out the day after its period; set only at]"},
	}
	for _, tc := range cases {
		if got := fmt.Sprint(tc.send.Check(tc.kind)); got != tc.want {
			t.Errorf("%s %+v: %s, want %s", tc.kind, tc.send, got, tc.want)
		}
	}
}
