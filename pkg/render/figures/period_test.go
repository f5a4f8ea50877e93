package figures

import (
	"math"
	"testing"
	"time"

	"reportmailer/pkg/reports"
)

func day(d int) *reports.Bucket {
	from := time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC)
	return &reports.Bucket{
		From: reports.Slot{Kind: reports.SlotDateTime, DateTime: from},
		To:   reports.Slot{Kind: reports.SlotDateTime, DateTime: from.AddDate(0, 0, 1)},
	}
}

// TestPeriodWeightsFromAnotherSection: Wait time's average wait is
// weighted day by day by Chat volume's chats that waited, and that
// weighted figure is the period figure; without Chat volume it is
// unweighted and has no period figure.
func TestPeriodWeightsFromAnotherSection(t *testing.T) {
	t.Parallel()
	v1 := &reports.ChatVolumeRow{Time: day(16), Chats: 25, MissedChats: 5}
	v2 := &reports.ChatVolumeRow{Time: day(17), Chats: 10}
	w1 := &reports.WaitTimeRow{Time: day(16), AvgWaitTime: 10}
	w2 := &reports.WaitTimeRow{Time: day(17), AvgWaitTime: 40}
	avg := metric(t, "waitTime", "avgWaitTime")

	secs := []Section{
		{Report: "chatVolume", Group: reports.GroupDay, Rows: []any{v1, v2}},
		{Report: "waitTime", Group: reports.GroupDay, Rows: []any{w1, w2}},
	}
	ws, canon := Period(secs, nil)
	w := ws[1].Weights["avgWaitTime"]
	if w[w1] != 30 || w[w2] != 10 {
		t.Errorf("weights = %v, %v; want 30, 10", w[w1], w[w2])
	}
	f, ok := canon.For(nil, avg)
	if want := (30*10 + 10*40) / 40.0; !ok || math.Abs(f.Cur-want) > 1e-9 || f.HasPrev {
		t.Errorf("period figure = %+v, %v; want %v without a previous one", f, ok, want)
	}
	if n, ok := Sample(w, avg, secs[1].Rows); !ok || n != 40 {
		t.Errorf("Sample = %v, %v; want 40 chats", n, ok)
	}

	ws, canon = Period(secs[1:], nil)
	if !ws[0].Unweighted["avgWaitTime"] {
		t.Errorf("without Chat volume avgWaitTime should be unweighted: %+v", ws[0])
	}
	if f, ok := canon.For(nil, avg); ok {
		t.Errorf("an unweighted average has a period figure: %+v", f)
	}
}

// TestPeriodWholeFirst: the API's whole-period answer is the period figure
// before any weighted roll-up, and an impossible one is not taken.
func TestPeriodWholeFirst(t *testing.T) {
	t.Parallel()
	avg := metric(t, "waitTime", "avgWaitTime")
	secs := []Section{
		{Report: "chatVolume", Group: reports.GroupDay, Rows: []any{&reports.ChatVolumeRow{Time: day(16), Chats: 4}}},
		{Report: "waitTime", Group: reports.GroupDay, Rows: []any{&reports.WaitTimeRow{Time: day(16), AvgWaitTime: 10}}},
	}
	whole := []Whole{{Report: "waitTime", Rows: []any{&reports.WaitTimeRow{AvgWaitTime: 12}}, Previous: []any{&reports.WaitTimeRow{AvgWaitTime: 9}}}}
	_, canon := Period(secs, whole)
	if f, _ := canon.For(nil, avg); f != (Figure{Cur: 12, Prev: 9, HasPrev: true}) {
		t.Errorf("period figure = %+v; want the API's 12 and 9", f)
	}
	whole[0].Rows = []any{&reports.WaitTimeRow{AvgWaitTime: 2 * MaxValue}}
	_, canon = Period(secs, whole)
	if f, _ := canon.For(nil, avg); f.Cur != 10 {
		t.Errorf("period figure = %+v; want the weighted 10, not the impossible answer", f)
	}
}

// TestSmallSample: an average is small when this period's or the previous
// period's chats are under the minimum; one whose weight does not count
// chats never is.
func TestSmallSample(t *testing.T) {
	t.Parallel()
	avg := metric(t, "waitTime", "avgWaitTime")
	r1, r2 := &reports.WaitTimeRow{AvgWaitTime: 10}, &reports.WaitTimeRow{AvgWaitTime: 20}
	w := Weights{r1: 30, r2: 5}
	if n, small := SmallSample(w, avg, []any{r1}, nil, 20); n != 30 || small {
		t.Errorf("30 chats, no previous period: %v, %v", n, small)
	}
	if n, small := SmallSample(w, avg, []any{r1}, []any{r2}, 20); n != 30 || !small {
		t.Errorf("30 chats against 5 before: %v, %v", n, small)
	}
	if n, small := SmallSample(nil, avg, []any{r1}, []any{r2}, 20); n != 0 || small {
		t.Errorf("no weights: %v, %v", n, small)
	}
}
