package render

import (
	"fmt"
	"math"
	"strconv"

	"reportmailer/pkg/format"
	"reportmailer/pkg/render/figures"
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

// Status is a target's verdict (judged in figures).
type Status = figures.Status

// Verdicts. NoData and TooFew are not misses: the row says why.
const (
	NoData = figures.NoData // the figure could not be fetched or has no rows
	TooFew = figures.TooFew // too small a sample to judge
	Met    = figures.Met
	Missed = figures.Missed
)

// verdict is one figure judged against a target's limits (figures.Judge).
type verdict = figures.Verdict

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
