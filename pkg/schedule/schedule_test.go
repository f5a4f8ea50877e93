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

// MustLoc is mustLoc for the package's external tests (example_test.go).
var MustLoc = mustLoc

func TestSendAtAcrossGapsAndRepeats(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	lordHowe := mustLoc(t, "Australia/Lord_Howe") // a half-hour change
	london := mustLoc(t, "Europe/London")
	santiago := mustLoc(t, "America/Santiago") // midnight itself is skipped
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
		{"repeated in London too: the first (BST)", day(london), "2027-10-30", "01:30", "2027-10-31T00:30:00Z"},
		{"half-hour gap", day(lordHowe), "2027-10-02", "02:15", "2027-10-02T15:30:00Z"},
		{"the day after a skipped midnight", day(santiago), "2026-09-05", "08:00", "2026-09-06T11:00:00Z"},
		{"the day whose midnight was skipped", day(santiago), "2026-09-06", "08:00", "2026-09-07T11:00:00Z"},
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

// A digest in a zone whose clocks skip midnight (Santiago) is planned once
// a day across the change, without looping.
func TestPlanAcrossASkippedMidnight(t *testing.T) {
	d := Entry{ID: "daily-cl", Period: period.Spec{Kind: period.Day, Location: mustLoc(t, "America/Santiago")}, Send: Send{At: "08:00"}}
	plan := Plan([]Entry{d}, time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC), time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC))
	var keys []string
	for _, p := range plan {
		keys = append(keys, p.Period.Key())
	}
	if got := fmt.Sprint(keys); got != "[2026-09-02 2026-09-03 2026-09-04 2026-09-05 2026-09-06 2026-09-07 2026-09-08]" {
		t.Errorf("planned periods %s", got)
	}
}
