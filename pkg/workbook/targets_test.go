package workbook_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// TestSummaryHoldsTheTargets: the Summary's Targets table says what the
// mail's Targets block says, with each period figure as a number.
func TestSummaryHoldsTheTargets(t *testing.T) {
	c := *siteDigest(t, 20) // a copy: the fixture is shared
	d := &c
	f40, f95, f50 := 40.0, 0.95, 50.0
	d.Targets = []render.Target{
		{Metric: "waitTime.avgWaitTime", Max: &f40},
		{Metric: "chatVolume.answeredRate", Min: &f95},
		{Metric: "chatVolume.missedChats", Max: &f50, PerDay: true},
	}
	want := render.Targets(d)
	if len(want) == 0 {
		t.Fatal("no targets judged")
	}
	f := open(t, build(t, d))
	all, err := f.GetRows("Summary", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	head := -1
	for i, r := range all {
		if len(r) > 3 && r[0] == "Target" && r[3] == "Verdict" {
			head = i
		}
	}
	if head < 0 {
		t.Fatal("no Targets table on the Summary")
	}
	for j, w := range want {
		r := all[head+1+j]
		for len(r) < 5 {
			r = append(r, "")
		}
		if r[0] != w.Label || r[1] != w.Limit || r[3] != w.Verdict || r[4] != w.Previous {
			t.Errorf("row %d = %q, want %q %q … %q %q", j, r, w.Label, w.Limit, w.Verdict, w.Previous)
		}
		if !w.HasFigure {
			if r[2] != w.Value {
				t.Errorf("%s: %q, want %q", w.Label, r[2], w.Value)
			}
			continue
		}
		got, err := strconv.ParseFloat(r[2], 64)
		if w.Unit == reports.Seconds {
			got *= 86400
		}
		if err != nil || math.Abs(got-w.Figure) > 1e-6 {
			t.Errorf("%s: figure %q, want %v", w.Label, r[2], w.Figure)
		}
	}
}
