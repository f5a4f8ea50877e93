package period

import (
	"testing"
	"time"
)

func TestCompare(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	day := Spec{Kind: Day, Location: ny}
	week := Spec{Kind: Week, WeekStart: time.Monday, Location: ny}
	sat, _ := day.Starting("2026-11-07")
	mon, _ := week.Starting("2026-11-16")
	for _, tc := range []struct {
		name string
		s    Spec
		p    Period
		with string
		want string
	}{
		{"daily default: Saturday with last Saturday", day, sat, DefaultCompare(Day), "2026-10-31"},
		{"daily previous", day, sat, ComparePrevious, "2026-11-06"},
		{"weekly previous", week, mon, DefaultCompare(Week), "2026-11-09"},
		{"weekly last year, same weekdays", week, mon, CompareSameWeekLastYear, "2025-11-17"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.p.Compare(tc.s, tc.with)
			if got.Key() != tc.want || got.End.Sub(got.Start) < 23*time.Hour {
				t.Errorf("Compare(%s) = %s–%s, want start %s", tc.with, got.Key(), got.LastDay(), tc.want)
			}
		})
	}
}
