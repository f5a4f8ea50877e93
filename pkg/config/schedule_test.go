package config_test

import (
	"errors"
	"testing"

	"reportmailer/pkg/config"
	"reportmailer/pkg/schedule"
)

// TestSendProblemsArePathQualified: a digest's send: block is checked with
// the rest of the config, each problem at its field.
func TestSendProblemsArePathQualified(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, dig, want string
	}{
		{"bad time", `, send: {at: "8am"}`, `digests[0].send.at: "8am": want a 24-hour local time HH:MM, e.g. 08:00`},
		{"too many days after a week", `, send: {daysAfter: 7}`, "digests[0].send.daysAfter: 7: want 0 to 6 for a week"},
		{"unknown key", `, send: {hour: 8}`, "digests[0].send.hour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load([]byte(sample("", "", "", tc.dig, "")))
			var ps config.Problems
			if !errors.As(err, &ps) || len(ps) != 1 {
				t.Fatalf("want one problem, got %v", err)
			}
			if got := ps[0].String(); len(got) < len(tc.want) || got[:len(tc.want)] != tc.want {
				t.Errorf("problem %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSchedules(t *testing.T) {
	c, err := config.Load([]byte(sample("", "", "", `, weekStart: sunday, send: {at: "06:45", daysAfter: 1}`, "")))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := c.Schedules()
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 {
		t.Fatalf("%d schedules", len(ds))
	}
	d := ds[0]
	if d.ID != "d" || d.Send != (schedule.Send{At: "06:45", DaysAfter: 1}) || d.Period.WeekStart.String() != "Sunday" || d.Period.Location.String() != "Europe/London" {
		t.Errorf("schedule %+v", d)
	}
}
