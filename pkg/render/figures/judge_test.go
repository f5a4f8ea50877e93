package figures

import (
	"testing"

	"reportmailer/pkg/format"
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

// A figure is judged as format.Value prints it, to the digit: the digest
// must never print "12%" beside "met" for a 13% minimum. 0.125 prints
// "12%" (the decimal conversion rounds a half to even) but was judged as
// 13%; a 4.25 rating prints "4.2" but was judged 4.3; 3629s prints
// "1h 00m" but missed a 1h maximum "by 29s"; 1000.4 chats print "1,000"
// but missed a 1,000 maximum. (A day or more the digest writes in rounded
// hours, "54h", not as format.Value's "2d 6h".)
func TestJudgedAsPrinted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		min, max *float64
		v        float64
		unit     reports.Unit
		want     Status
	}{
		{name: "12.5% shown 12% misses 13%", min: f64(0.13), v: 0.125, unit: reports.Ratio, want: Missed},
		{name: "62.5% shown 62% misses 63%", min: f64(0.63), v: 0.625, unit: reports.Ratio, want: Missed},
		{name: "1.25% shown 1.2% meets at most 1.2%", max: f64(0.012), v: 0.0125, unit: reports.Ratio, want: Met},
		{name: "4.25 shown 4.2 misses 4.3", min: f64(4.3), v: 4.25, unit: reports.Average, want: Missed},
		{name: "3629s shown 1h 00m meets 1h", max: f64(3600), v: 3629, unit: reports.Seconds, want: Met},
		{name: "54h 29m shown 54h meets 54h", max: f64(54 * 3600), v: 54*3600 + 1799, unit: reports.Seconds, want: Met},
		{name: "53h 30m shown 54h misses 53h", max: f64(53 * 3600), v: 53*3600 + 1800, unit: reports.Seconds, want: Missed},
		{name: "1000.4 shown 1,000 meets 1,000", max: f64(1000), v: 1000.4, unit: reports.Count, want: Met},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Judge(tc.min, tc.max, tc.v, tc.unit, 0, 0); got.Status != tc.want {
				t.Errorf("%v (%s): got %v, want %v", tc.v, format.Value(tc.v, tc.unit), got.Status, tc.want)
			}
		})
	}
	// Counts are left out: "20.0" and "20" are one number.
	for _, u := range []reports.Unit{reports.Seconds, reports.Ratio, reports.Average, reports.Money} {
		for _, v := range []float64{0, 0.0125, 0.125, 0.625, 0.9496, 4.25, 19.995, 40.4, 999.95, 1000.4, 3629, 3600 + 3599, -0.625} {
			if a, b := format.Value(ShownValue(v, u), u), format.Value(v, u); a != b {
				t.Errorf("unit %v: %v prints %q, its shown value %v prints %q", u, v, b, ShownValue(v, u), a)
			}
		}
	}
}
