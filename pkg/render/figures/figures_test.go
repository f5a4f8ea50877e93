package figures

import (
	"math"
	"testing"

	"reportmailer/pkg/reports"
)

func metric(t *testing.T, report reports.Name, wire string) reports.Metric {
	t.Helper()
	spec, ok := reports.Lookup(report)
	if !ok {
		t.Fatalf("no report %q", report)
	}
	m, ok := spec.MetricByWire(wire)
	if !ok {
		t.Fatalf("%s has no metric %q", report, wire)
	}
	return m
}

// TestRollup: counts add, maxima take the largest, averages are weighted
// by the rows' weights or, without any, averaged over the rows with data,
// and an exact ratio is recomputed from the rows' own totals.
func TestRollup(t *testing.T) {
	t.Parallel()
	v1 := &reports.ChatVolumeRow{Chats: 30}
	v2 := &reports.ChatVolumeRow{Chats: 12}
	w1 := &reports.WaitTimeRow{AvgWaitTime: 10, MaxWaitTime: 50}
	w2 := &reports.WaitTimeRow{AvgWaitTime: 40, MaxWaitTime: 90}
	w3 := &reports.WaitTimeRow{} // no data: not in the plain mean
	u1 := &reports.WorkloadRow{LinearChatTime: 30, IdleTime: 70, AgentUtilization: 0.3}
	u2 := &reports.WorkloadRow{LinearChatTime: 90, IdleTime: 10, AgentUtilization: 0.9}
	for _, tc := range []struct {
		name string
		rows []any
		m    reports.Metric
		w    Weights
		want float64
	}{
		{"counts add", []any{v1, v2}, metric(t, "chatVolume", "chats"), nil, 42},
		{"maxima take the largest", []any{w1, w2}, metric(t, "waitTime", "maxWaitTime"), nil, 90},
		{"an average without weights: the mean over rows with data", []any{w1, w2, w3}, metric(t, "waitTime", "avgWaitTime"), nil, 25},
		{"an average weighted", []any{w1, w2, w3}, metric(t, "waitTime", "avgWaitTime"), Weights{w1: 3, w2: 1}, 17.5},
		{"an exact ratio from the rows' totals", []any{u1, u2}, metric(t, "workload", "agentUtilization"), nil, 0.6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Rollup(tc.rows, tc.m, false, tc.w); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("Rollup = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRatingStats: rated chats, the average score and the share of 4–5.
func TestRatingStats(t *testing.T) {
	t.Parallel()
	rows := []any{&reports.RatingRow{Score1: 1, Score4: 2, Score5: 1}}
	rated, avg, positive := RatingStats(rows, false)
	if rated != 4 || avg != 3.5 || positive != 0.75 {
		t.Errorf("RatingStats = %v, %v, %v; want 4, 3.5, 0.75", rated, avg, positive)
	}
	if rated, avg, positive := RatingStats(nil, false); rated != 0 || avg != 0 || positive != 0 {
		t.Errorf("no rows: %v, %v, %v; want zeros", rated, avg, positive)
	}
}
