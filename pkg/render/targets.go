package render

import (
	"fmt"
	"math"
	"strconv"

	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"
)

// Target is a service level the digest is judged by (config.Target with
// its limits read): a figure that should stay at or above Min and/or at or
// below Max, over the whole period or on each day.
type Target struct {
	// Metric names the figure as "report.name" (reports.LookupFigure).
	Metric string
	// Min and Max are in the figure's unit: seconds, a 0..1 ratio, a number.
	Min, Max *float64
	// PerDay judges each day's figure instead of the period's.
	PerDay bool
}

// Status is a target's verdict.
type Status int

// Verdicts. NoData and TooFew are not misses: the row says why.
const (
	NoData Status = iota // the figure could not be fetched or has no rows
	TooFew               // too small a sample to judge
	Met
	Missed
)

func (s Status) String() string {
	return [...]string{"no data", "too few", "met", "missed"}[s]
}

// verdict is one figure judged against a target's limits.
type verdict struct {
	Status Status
	// Value is the figure as the digest shows it (rounded to its precision).
	Value float64
	// By is how far past the limit a miss is, in the figure's unit (> 0).
	By float64
	// Bound is the limit missed ("min" or "max"), for the wording.
	Bound string
}

// judge holds the figure v (with sample behind it, against need; need 0
// means no floor) against min and max. The figure is judged as the
// digest shows it, so "95%" never reads as a miss of a 95% target: a value
// on the limit meets it.
func judge(min, max *float64, v float64, u reports.Unit, sample, need float64) verdict {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return verdict{Status: NoData}
	}
	shown := shownValue(v, u)
	if need > 0 && sample < need {
		return verdict{Status: TooFew, Value: shown}
	}
	out := verdict{Status: Met, Value: shown}
	if min != nil && shown < shownValue(*min, u) {
		out.Status, out.By, out.Bound = Missed, shownValue(*min, u)-shown, "min"
	}
	if max != nil && shown > shownValue(*max, u) {
		out.Status, out.By, out.Bound = Missed, shown-shownValue(*max, u), "max"
	}
	return out
}

// shownValue rounds v to the precision the digest prints it with
// (format.Value): whole seconds, whole percent (tenths under 10%), a tenth
// of an average, cents, whole counts (tenths for fractional counts).
func shownValue(v float64, u reports.Unit) float64 {
	switch u {
	case reports.Seconds:
		return math.Round(v)
	case reports.Ratio:
		if p := v * 100; p != 0 && math.Abs(p) < 10 {
			return math.Round(p*10) / 1000
		}
		return math.Round(v*100) / 100
	case reports.Average:
		return math.Round(v*10) / 10
	case reports.Money:
		return math.Round(v*100) / 100
	}
	if v == math.Trunc(v) {
		return v
	}
	return math.Round(v*10) / 10
}

// limitText is a target's limits as a reader writes them: "≤ 40s",
// "≥ 95%", "4.5 – 5".
func limitText(t Target, u reports.Unit, value func(float64, reports.Unit) string) string {
	switch {
	case t.Min != nil && t.Max != nil:
		return value(*t.Min, u) + " – " + value(*t.Max, u)
	case t.Min != nil:
		return "≥ " + value(*t.Min, u)
	case t.Max != nil:
		return "≤ " + value(*t.Max, u)
	}
	return ""
}

// byText says how far a miss is: "12s", "2 pts" for rates, "0.3", "14".
func byText(by float64, u reports.Unit, value func(float64, reports.Unit) string) string {
	if u == reports.Ratio {
		pts := by * 100
		if pts < 10 {
			return strconv.FormatFloat(math.Round(pts*10)/10, 'f', -1, 64) + " pts"
		}
		return format.Count(math.Round(pts)) + " pts"
	}
	return value(by, u)
}

// daysText is "on target 5 of 7 days", with the days not judged said.
func daysText(met, days, tooFew, noData int) string {
	unit := "days"
	if days == 1 {
		unit = "day"
	}
	s := fmt.Sprintf("on target %d of %d %s", met, days, unit)
	switch {
	case tooFew > 0 && noData > 0:
		s += fmt.Sprintf(" (%d too few to judge, %d without data)", tooFew, noData)
	case tooFew > 0:
		s += fmt.Sprintf(" (%d too few to judge)", tooFew)
	case noData > 0:
		s += fmt.Sprintf(" (%d without data)", noData)
	}
	return s
}
