package figures

import (
	"math"
	"strconv"

	"reportmailer/pkg/format"

	"reportmailer/pkg/reports"
)

// Status is a target's verdict.
type Status int

// Verdicts. NoData and TooFew are not misses: the row says why.
const (
	NoData Status = iota // the figure could not be fetched or has no rows
	TooFew               // too small a sample to judge
	Met
	Missed
)

// String is the verdict as the digest writes it.
func (s Status) String() string {
	return [...]string{"no data", "too few", "met", "missed"}[s]
}

// Verdict is one figure judged against a target's limits.
type Verdict struct {
	Status Status
	// Value is the figure as the digest shows it (rounded to its precision).
	Value float64
	// By is how far past the limit a miss is, in the figure's unit (> 0).
	By float64
	// Bound is the limit missed ("min" or "max"), for the wording.
	Bound string
}

// Judge holds the figure v (with sample behind it, against need; need 0
// means no floor) against min and max. The figure is judged as the
// digest shows it, so "95%" never reads as a miss of a 95% target: a value
// on the limit meets it.
func Judge(min, max *float64, v float64, u reports.Unit, sample, need float64) Verdict {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Verdict{Status: NoData}
	}
	shown := ShownValue(v, u)
	if need > 0 && sample < need {
		return Verdict{Status: TooFew, Value: shown}
	}
	out := Verdict{Status: Met, Value: shown}
	if min != nil && shown < ShownValue(*min, u) {
		out.Status, out.By, out.Bound = Missed, ShownValue(*min, u)-shown, "min"
	}
	if max != nil && shown > ShownValue(*max, u) {
		out.Status, out.By, out.Bound = Missed, shown-ShownValue(*max, u), "max"
	}
	return out
}

// ShownValue rounds v to the precision the digest prints it with
// (format.Value), the way it prints it: whole seconds (whole minutes from
// an hour, cut as "1h 00m" cuts; from a day, whole hours rounded as the
// digest's "54h"), whole percent
// (tenths under 10%), a tenth of an average, cents, whole counts (tenths
// for fractional counts under 1,000). Percent and average round a half to
// even as the decimal conversion does, so 12.5% is 12% here as on the page.
func ShownValue(v float64, u reports.Unit) float64 {
	decimal := func(v float64, prec int) float64 {
		r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', prec, 64), 64)
		return r
	}
	switch u {
	case reports.Seconds:
		s := math.Round(v)
		switch a := math.Abs(s); {
		case a >= 86400 && a <= format.MaxSeconds:
			return math.Round(s/3600) * 3600 // "54h", as the digest writes a day or more
		case a >= 3600 && a <= format.MaxSeconds:
			return s - math.Mod(s, 60)
		}
		return s
	case reports.Ratio:
		if p := v * 100; p != 0 && math.Abs(p) < 10 {
			return decimal(p, 1) / 100
		}
		return decimal(v*100, 0) / 100
	case reports.Average:
		return decimal(v, 1)
	case reports.Money:
		return math.Round(v*100) / 100
	}
	if v == math.Trunc(v) {
		return v
	}
	if math.Abs(v) >= 1000 {
		return math.Round(v)
	}
	return decimal(v, 1)
}
