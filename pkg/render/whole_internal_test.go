package render

import (
	"testing"
	"time"

	"reportmailer/pkg/reports"
)

// When the whole-period call for the previous period fails but its
// buckets came, the KPI is compared with the previous period's buckets:
// it used to read "Avg wait 40s, was 0s, new" (the missing whole figure
// taken as 0).
func TestWholePeriodPreviousFailed(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	rows := func(from time.Time, wait float64) []any {
		var out []any
		for i := 0; i < 7; i++ {
			out = append(out, &reports.WaitTimeRow{Time: dayBucket(from, i), AvgWaitTime: wait})
		}
		return out
	}
	d := volumeDigest(week(100, 90, 10), week(100, 90, 10))
	d.Sections = append(d.Sections, Section{Report: "waitTime", Group: reports.GroupDay, Rows: rows(start, 40), Previous: rows(start.AddDate(0, 0, -7), 40)})
	d.Totals = []Totals{{Report: "waitTime", Rows: []any{&reports.WaitTimeRow{AvgWaitTime: 40, MaxWaitTime: 100}}}}
	found := false
	for _, k := range kpis(cleanDigest(d)) {
		found = found || k.Label == "Avg wait"
		if k.Label == "Avg wait" && (k.Value != "40s" || k.Previous != "was 40s" || k.Delta.Text != "no change") {
			t.Errorf("previous whole-period call failed: %s %s %s", k.Value, k.Previous, k.Delta.Text)
		}
	}
	if !found {
		t.Error("no Avg wait KPI")
	}
}
