package render

import (
	"math"

	"reportmailer/pkg/render/figures"
	"reportmailer/pkg/reports"
)

// Totals are what the API answered for one report and filter asked for the
// whole period at once (a group whose one bucket covers the period), and
// for the previous period. They are the source of each average's and
// maximum's period figure: the API's own figure for exactly that period and
// scope, where re-weighting its rounded daily averages can be a second or a
// point off and flip a small change's sign, and where the highest of the
// half-hour averages is not the period's maximum.
type Totals struct {
	Report   reports.Name
	Filter   *reports.Filter
	Rows     []any
	Previous []any
}

// totalsFigure is the whole-period figure of metric m for section s from
// the digest's Totals: ok only when the API answered one row for the
// period (and, when hasPrev, one for the previous period), with values
// that can be true.
func totalsFigure(d *Digest, s *Section, m reports.Metric) (canonFigure, bool) {
	for _, t := range d.Totals {
		if t.Report != s.Report || filterKey(t.Filter) != filterKey(s.Filter) {
			continue
		}
		cur, ok := wholeValue(t.Rows, m)
		if !ok {
			return canonFigure{}, false
		}
		f := canonFigure{cur: cur}
		if prev, ok := wholeValue(t.Previous, m); ok {
			f.prev, f.hasPrev = prev, true
		}
		return f, true
	}
	return canonFigure{}, false
}

// wholeValue is m's value in a one-row answer; an exact ratio (Weight.Num)
// is recomputed from the row's own totals rather than read rounded.
func wholeValue(rows []any, m reports.Metric) (float64, bool) {
	if len(rows) != 1 || rows[0] == nil {
		return 0, false
	}
	v := figures.Rollup(rows, m, false, nil)
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > maxValue {
		return 0, false
	}
	return v, true
}
