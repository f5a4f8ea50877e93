package render

import (
	"encoding/csv"
	"strings"
	"testing"

	"reportmailer/pkg/reports"
)

// Two departments' sections of one report each have a whole-period line
// set in the CSV; they must be told apart. Both used to be named "Wait
// time (whole period)" with nothing else in the line saying which
// department's figure it was.
func TestCSVWholePeriodNamesItsSection(t *testing.T) {
	t.Parallel()
	d := volumeDigest(week(100, 90, 10), nil)
	d.Previous = nil
	sales, support := &reports.Filter{Name: "department", Value: "1"}, &reports.Filter{Name: "department", Value: "2"}
	for _, f := range []*reports.Filter{sales, support} {
		var rows []any
		for i := 0; i < 7; i++ {
			rows = append(rows, &reports.WaitTimeRow{Time: dayBucket(d.Period.Start, i), AvgWaitTime: 30})
		}
		title := map[*reports.Filter]string{sales: "Wait time, Sales", support: "Wait time, Support"}[f]
		d.Sections = append(d.Sections, Section{Report: "waitTime", Title: title, Group: reports.GroupDay, Filter: f, Rows: rows})
	}
	d.Totals = []Totals{
		{Report: "waitTime", Filter: sales, Rows: []any{&reports.WaitTimeRow{AvgWaitTime: 31}}},
		{Report: "waitTime", Filter: support, Rows: []any{&reports.WaitTimeRow{AvgWaitTime: 29}}},
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(CSV(d)), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range recs {
		if strings.HasSuffix(r[0], "(whole period)") && r[7] == "avgWaitTime" {
			got[r[0]] = r[8]
		}
	}
	if got["Wait time, Sales (whole period)"] != "31" || got["Wait time, Support (whole period)"] != "29" || len(got) != 2 {
		t.Errorf("whole-period lines by section: %v", got)
	}
}
