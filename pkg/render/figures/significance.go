package figures

import (
	"math"

	"reportmailer/pkg/reports"
)

// MinScore is the significance a change needs to be news (the digest's
// "What changed"). Scores are in "standard errors": for counts the change
// over √(cur+prev) (a Poisson z-score, so 2 → 4 is never news), for
// averages the relative change over 5 %, for ratios the change over 2
// percentage points, for the average rating the change over 0.1.
const MinScore = 2

// Significance scores a change of a figure in unit u (average: an average
// metric) from prev to cur; see MinScore.
func Significance(u reports.Unit, average bool, cur, prev float64) float64 {
	switch {
	case u == reports.Ratio:
		return math.Abs(cur-prev) / 0.02
	case average || u == reports.Seconds || u == reports.Money:
		if prev <= 0 || cur <= 0 {
			return 0 // appearing from nothing is not a trend for an average
		}
		return math.Abs(cur-prev) / prev / 0.05
	}
	if cur+prev < 20 {
		return 0 // the volume floor: small numbers swing
	}
	if prev == 0 {
		return 0
	}
	z := math.Abs(cur-prev) / math.Sqrt(cur+prev)
	if math.Abs(cur-prev)/prev < 0.05 {
		return math.Min(z, MinScore-0.01) // significant but too small to mention
	}
	return z
}

// RatingSignificance scores a change of the average score (out of 5)
// from prev to cur: 0 below a twentieth of a point, else the change over
// 0.1. Score counts are not news; the average score is.
func RatingSignificance(cur, prev float64) float64 {
	d := math.Abs(cur - prev)
	if d < 0.05 {
		return 0
	}
	return d / 0.1
}
