// Package figures is the arithmetic of what a section says, apart from
// how it is drawn: how a metric rolls up over rows (counts add, maxima
// take the largest, averages weighted as Comm100 weights them or
// recomputed from their own totals), how much weight a row carries and
// where it comes from, each average's period figure across the sections
// of one digest and when its sample is too small (period.go), the rating
// summary, the order and folded tail of a ranked list (ranked.go),
// whether a change is news (significance.go), and a figure judged against
// a target's limits as the digest shows it, by period or by day
// (judge.go, days.go). It reads rows through the reports registry and
// knows nothing of charts, PDFs, wording or mail. render hands it the
// sections (weights.go) and decides which rows a view shows and what the
// digest says of the numbers; figures says what they add up to.
package figures

import (
	"math"
	"strings"

	"reportmailer/pkg/reports"
)

// Weights maps a row (by pointer) to its weight for one metric.
type Weights map[any]float64

// Rollup rolls a metric up over rows: counts add, maxima take the
// largest, averages are weighted by w (Period computes them) or, without
// weights, averaged over the rows that have data.
func Rollup(rows []any, m reports.Metric, dist bool, w Weights) float64 {
	if v, ok := ExactRatio(rows, m, dist); ok {
		return v
	}
	var sum, maxV, wsum, wv float64
	var n int
	for _, r := range rows {
		v := reports.MetricValue(r, m, dist)
		sum += v
		maxV = math.Max(maxV, v)
		if v != 0 {
			n++
		}
		if x := w[r]; x > 0 {
			wsum += x
			wv += x * v
		}
	}
	switch {
	case m.IsMax():
		return maxV
	case m.IsAverage() && wsum > 0:
		return wv / wsum
	case m.IsAverage():
		if n == 0 {
			return 0
		}
		return sum / float64(n)
	}
	return sum
}

// ExactRatio rolls up an average whose numerator and denominator the rows
// carry (reports.Weight.Num): ΣNum/ΣWires, not a weighting of the rounded
// per-row averages.
func ExactRatio(rows []any, m reports.Metric, dist bool) (float64, bool) {
	w := m.Weight
	if dist || w == nil || w.Num == "" || len(w.Reports) > 0 {
		return 0, false
	}
	var num, den float64
	for _, r := range rows {
		num += FieldsSum(r, []string{w.Num}, false)
		den += FieldsSum(r, w.Wires, false)
	}
	if den <= 0 {
		return 0, false
	}
	return num / den, true
}

// ActiveMetrics are the spec's metrics that carry data in these rows.
func ActiveMetrics(spec *reports.Spec, rows []any, dist bool) []reports.Metric {
	var out []reports.Metric
	for _, m := range spec.Metrics {
		for _, r := range rows {
			if reports.MetricValue(r, m, dist) != 0 {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// RatingStats returns rated chats, average score (1..5) and the share of 4–5.
func RatingStats(rows []any, dist bool) (rated, avg, positive float64) {
	var weighted float64
	for _, r := range rows {
		for s := 1; s <= 5; s++ {
			wire := "score" + string(rune('0'+s))
			if dist {
				wire = "avgScore" + string(rune('0'+s))
			}
			v, _ := reports.Value(r, wire)
			rated += v
			weighted += v * float64(s)
			if s >= 4 {
				positive += v
			}
		}
	}
	if rated == 0 {
		return 0, 0, 0
	}
	return rated, weighted / rated, positive / rated
}

func HasData(rows []any, m reports.Metric, dist bool) bool {
	for _, r := range rows {
		if reports.MetricValue(r, m, dist) != 0 {
			return true
		}
	}
	return false
}

// MatchWeight sums the weight fields of the source rows that fall in row
// r: the same entity for a dimension, the same slot for a distribution,
// and every bucket inside r's bucket for time groups.
func MatchWeight(r any, g reports.Group, src []any, wires []string, dist bool) float64 {
	var sum float64
	b := reports.TimeOf(r)
	for _, x := range src {
		switch {
		case g.IsDimension():
			if reports.KeyOf(x, g) != reports.KeyOf(r, g) {
				continue
			}
		case b == nil:
			continue
		case b.From.Kind == reports.SlotDateTime:
			xb := reports.TimeOf(x)
			if xb == nil || xb.From.Kind != reports.SlotDateTime || b.To.Kind != reports.SlotDateTime || xb.To.Kind != reports.SlotDateTime ||
				xb.From.DateTime.Before(b.From.DateTime) || xb.To.DateTime.After(b.To.DateTime) {
				continue
			}
		default:
			xb := reports.TimeOf(x)
			if xb == nil || xb.From != b.From {
				continue
			}
		}
		sum += FieldsSum(x, wires, dist)
	}
	return sum
}

// OwnWeight is the weight a row carries itself.
func OwnWeight(r any, m reports.Metric, w *reports.Weight, dist bool) float64 {
	if w.Total != "" {
		total := FieldsSum(r, []string{w.Total}, dist)
		if avg := reports.MetricValue(r, m, dist); avg > 0 {
			return total / avg
		}
		return 0
	}
	return FieldsSum(r, w.Wires, dist)
}

func FieldsSum(r any, wires []string, dist bool) float64 {
	var sum float64
	for _, wire := range wires {
		if dist {
			wire = "avg" + strings.ToUpper(wire[:1]) + wire[1:]
		}
		v, _ := reports.Value(r, wire)
		sum += v
	}
	return sum
}
