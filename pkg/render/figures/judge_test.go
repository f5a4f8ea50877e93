package figures

import (
	"testing"

	"reportmailer/pkg/reports"
)

func f64(v float64) *float64 { return &v }

func TestJudge(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		min, max     *float64
		v            float64
		unit         reports.Unit
		sample, need float64
		want         Status
		by           float64
	}{
		{name: "max met", max: f64(40), v: 31, unit: reports.Seconds, want: Met},
		{name: "max missed", max: f64(40), v: 52, unit: reports.Seconds, want: Missed, by: 12},
		{name: "max tie is met", max: f64(40), v: 40, unit: reports.Seconds, want: Met},
		{name: "max tie as shown is met", max: f64(40), v: 40.4, unit: reports.Seconds, want: Met},
		{name: "min met", min: f64(0.95), v: 0.97, unit: reports.Ratio, sample: 100, need: 20, want: Met},
		{name: "min missed", min: f64(0.95), v: 0.9, unit: reports.Ratio, sample: 100, need: 20, want: Missed, by: 0.05},
		{name: "min tie is met", min: f64(0.95), v: 19.0 / 20, unit: reports.Ratio, sample: 20, need: 20, want: Met},
		{name: "shown 95% meets 95%", min: f64(0.95), v: 0.9496, unit: reports.Ratio, sample: 500, need: 20, want: Met},
		{name: "rating min missed", min: f64(4.5), v: 4.2, unit: reports.Average, sample: 40, need: 10, want: Missed, by: 0.3},
		{name: "one rating is too few", min: f64(4.5), v: 1, unit: reports.Average, sample: 1, need: 10, want: TooFew},
		{name: "sample at the floor is judged", min: f64(4.5), v: 4, unit: reports.Average, sample: 10, need: 10, want: Missed, by: 0.5},
		{name: "count max missed", max: f64(50), v: 64, unit: reports.Count, want: Missed, by: 14},
		{name: "band: below", min: f64(10), max: f64(20), v: 5, unit: reports.Count, want: Missed, by: 5},
		{name: "band: inside", min: f64(10), max: f64(20), v: 15, unit: reports.Count, want: Met},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Judge(tc.min, tc.max, tc.v, tc.unit, tc.sample, tc.need)
			if got.Status != tc.want {
				t.Fatalf("status %v, want %v (%+v)", got.Status, tc.want, got)
			}
			if diff := got.By - tc.by; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("by %v, want %v", got.By, tc.by)
			}
		})
	}
}
