package figures

import (
	"testing"

	"reportmailer/pkg/reports"
)

// TestSignificance: which changes pass MinScore and which never can.
func TestSignificance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		u         reports.Unit
		average   bool
		cur, prev float64
		news      bool
	}{
		{"counts: 2 → 4 is never news", reports.Count, false, 4, 2, false},
		{"counts: 100 → 140 is", reports.Count, false, 140, 100, true},
		{"counts: a small share of a large count is not", reports.Count, false, 10400, 10000, false},
		{"averages: 10 % is", reports.Seconds, true, 44, 40, true},
		{"averages: from nothing is not", reports.Seconds, true, 40, 0, false},
		{"ratios: 5 points is", reports.Ratio, true, 0.55, 0.5, true},
		{"ratios: 1 point is not", reports.Ratio, true, 0.51, 0.5, false},
	} {
		if got := Significance(tc.u, tc.average, tc.cur, tc.prev) >= MinScore; got != tc.news {
			t.Errorf("%s: news = %v", tc.name, got)
		}
	}
	if RatingSignificance(4.3, 4.1) < MinScore || RatingSignificance(4.2, 4.1) >= MinScore || RatingSignificance(4.14, 4.1) != 0 {
		t.Error("a rating change is news from 0.2 of a point")
	}
}
