package figures

import (
	"math"

	"reportmailer/pkg/reports"
)

// Averages are rolled up the way Comm100 computes them for a whole period:
// each bucket's (or entity's) average is weighted by its own denominator,
// which the registry names (reports.Metric.Weight): chats that waited for
// the average wait, chats for the average chat time, chatting + idle time
// for utilisation, and so on. Weights come from the same row, or from the
// same bucket or entity of another section of the digest (Chat volume's
// chats for Wait time's average wait; finer buckets are summed, so hourly
// chat volume weights daily wait times). An average whose weight the digest
// cannot supply falls back to the mean over buckets with data, and the
// section says so.
//
// The same metric then reads the same everywhere in one digest: the KPI
// strip, a distribution's "typical day" row and a dimension table's total
// all show the period figure (Canonical), taken from the API's whole-period
// answer (Whole) or else the best weighted section of that metric and
// filter.

// MaxValue is the largest figure taken at face value in a field the
// digest reads; render's cleaning drops larger ones as impossible.
const MaxValue = 1e12

// Section is what the period figures read of one digest section: its
// report, grouping, filter and the rows of this period and the previous
// one. Skip marks a section that has no data to weigh (it carries a note
// instead, or names an unknown report).
type Section struct {
	Report   reports.Name
	Group    reports.Group
	Filter   *reports.Filter
	Rows     []any
	Previous []any
	Skip     bool
}

// Whole is the API's answer for one report and filter asked for the whole
// period at once (render's Totals): one row for the period, one for the
// previous period.
type Whole struct {
	Report   reports.Name
	Filter   *reports.Filter
	Rows     []any
	Previous []any
}

// SectionWeights are one section's row weights for each average metric,
// by wire name (this period's and the previous period's rows together);
// Unweighted lists the averages with data that the digest has no weight
// for.
type SectionWeights struct {
	Weights    map[string]Weights
	Unweighted map[string]bool
}

// Key identifies a metric across the sections of one digest: the same wire
// name under the same filter means the same figure (avgWaitTime in Wait
// time, Agent performance and Efficiency is one definition).
type Key struct{ Filter, Wire string }

// Figure is a metric's period figure, and the previous period's when
// HasPrev.
type Figure struct {
	Cur, Prev float64
	HasPrev   bool
}

// Canonical holds each average's and maximum's period figure.
type Canonical map[Key]Figure

// For is the period figure of metric m under filter f.
func (c Canonical) For(f *reports.Filter, m reports.Metric) (Figure, bool) {
	if c == nil || (!m.IsAverage() && !m.IsMax()) {
		return Figure{}, false
	}
	fig, ok := c[Key{Filter: FilterKey(f), Wire: m.Wire}]
	return fig, ok
}

// FilterKey names a filter for matching ("" for none).
func FilterKey(f *reports.Filter) string {
	if f == nil {
		return ""
	}
	return f.Name + "=" + f.Value
}

// Period computes each section's weights (by index, as secs) and the
// digest's canonical figures.
func Period(secs []Section, totals []Whole) ([]SectionWeights, Canonical) {
	out := make([]SectionWeights, len(secs))
	for i := range secs {
		s := &secs[i]
		spec, ok := reports.Lookup(s.Report)
		if !ok || s.Skip {
			continue
		}
		dist := s.Group.IsDistribution()
		for _, m := range spec.Metrics {
			if m.Weight == nil || !m.IsAverage() {
				continue
			}
			cur, okCur := weightsFor(secs, s, m, s.Rows, false, dist)
			prev, _ := weightsFor(secs, s, m, s.Previous, true, dist)
			if out[i].Weights == nil {
				out[i].Weights = map[string]Weights{}
				out[i].Unweighted = map[string]bool{}
			}
			if okCur {
				for r, w := range prev {
					cur[r] = w
				}
				out[i].Weights[m.Wire] = cur
			} else if HasData(s.Rows, m, dist) {
				out[i].Unweighted[m.Wire] = true
			}
		}
	}
	canon := Canonical{}
	// The API's own whole-period figures come first.
	for i := range secs {
		s := &secs[i]
		spec, ok := reports.Lookup(s.Report)
		if !ok || s.Skip {
			continue
		}
		for _, m := range spec.Metrics {
			if !m.IsAverage() && !m.IsMax() {
				continue
			}
			k := Key{Filter: FilterKey(s.Filter), Wire: m.Wire}
			if _, have := canon[k]; have {
				continue
			}
			if f, ok := wholeFigure(totals, s, m); ok {
				canon[k] = f
			}
		}
	}
	// Time-grouped sections first (they cover the period bucket by
	// bucket), then dimensions; distributions are averages of averages.
	for _, pass := range []func(reports.Group) bool{reports.Group.IsTime, reports.Group.IsDimension} {
		for i := range secs {
			s := &secs[i]
			spec, ok := reports.Lookup(s.Report)
			if !ok || s.Skip || !pass(s.Group) {
				continue
			}
			for _, m := range spec.Metrics {
				w, ok := out[i].Weights[m.Wire]
				if !ok {
					continue
				}
				k := Key{Filter: FilterKey(s.Filter), Wire: m.Wire}
				if _, have := canon[k]; have {
					continue
				}
				f := Figure{Cur: Rollup(s.Rows, m, false, w), HasPrev: s.Previous != nil}
				if s.Previous != nil {
					f.Prev = Rollup(s.Previous, m, false, w)
				}
				canon[k] = f
			}
		}
	}
	return out, canon
}

// RowWeights computes the weight of each of rows (some of section s's
// rows, or rows made like them) for average m, and whether every row with
// data got one; previous says the rows are of the previous period, so
// weights come from the previous rows of another section.
func RowWeights(secs []Section, s int, m reports.Metric, rows []any, previous, dist bool) (Weights, bool) {
	return weightsFor(secs, &secs[s], m, rows, previous, dist)
}

// weightsFor is RowWeights.
func weightsFor(secs []Section, s *Section, m reports.Metric, rows []any, previous, dist bool) (Weights, bool) {
	w := m.Weight
	out := Weights{}
	if len(w.Reports) > 0 {
		src := weightSource(secs, s, w.Reports)
		if src == nil {
			return nil, false
		}
		srcRows := src.Rows
		if previous {
			srcRows = src.Previous
		}
		for _, r := range rows {
			out[r] = MatchWeight(r, s.Group, srcRows, w.Wires, dist)
		}
	} else {
		for _, r := range rows {
			out[r] = OwnWeight(r, m, w, dist)
		}
	}
	for _, r := range rows {
		if reports.MetricValue(r, m, dist) != 0 && out[r] <= 0 {
			return out, false
		}
	}
	return out, true
}

// weightSource finds the section of the first listed report that can
// weight s: same filter, and a group whose rows line up with s's (any time
// group for a time group, the same group otherwise).
func weightSource(secs []Section, s *Section, names []reports.Name) *Section {
	for _, n := range names {
		for i := range secs {
			c := &secs[i]
			if c.Report != n || c.Skip || FilterKey(c.Filter) != FilterKey(s.Filter) {
				continue
			}
			if c.Group == s.Group || (c.Group.IsTime() && s.Group.IsTime()) {
				return c
			}
		}
	}
	return nil
}

// wholeFigure is the whole-period figure of metric m for section s from
// the API's whole-period answers: ok only when the API answered one row
// for the period (and, when HasPrev, one for the previous period), with
// values that can be true.
func wholeFigure(totals []Whole, s *Section, m reports.Metric) (Figure, bool) {
	for _, t := range totals {
		if t.Report != s.Report || FilterKey(t.Filter) != FilterKey(s.Filter) {
			continue
		}
		cur, ok := WholeValue(t.Rows, m)
		if !ok {
			return Figure{}, false
		}
		f := Figure{Cur: cur}
		prev, ok := WholeValue(t.Previous, m)
		if !ok && s.Previous != nil {
			// The previous period's whole answer is missing (its call
			// failed) though its buckets came: both figures are rolled up
			// from the buckets, rather than this one compared with 0.
			return Figure{}, false
		}
		if ok {
			f.Prev, f.HasPrev = prev, true
		}
		return f, true
	}
	return Figure{}, false
}

// WholeValue is m's value in a one-row answer; an exact ratio (Weight.Num)
// is recomputed from the row's own totals rather than read rounded.
func WholeValue(rows []any, m reports.Metric) (float64, bool) {
	if len(rows) != 1 || rows[0] == nil {
		return 0, false
	}
	v := Rollup(rows, m, false, nil)
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > MaxValue {
		return 0, false
	}
	return v, true
}

// Sample is how many chats an average rests on over rows (its weight w
// summed), when its weight counts chats; ok is false for averages over
// time (utilisation) or without a weight (w nil).
func Sample(w Weights, m reports.Metric, rows []any) (n float64, ok bool) {
	if w == nil || !m.IsAverage() || m.Weight == nil || (len(m.Weight.Reports) == 0 && m.Weight.Total == "") {
		return 0, false
	}
	for _, r := range rows {
		n += w[r]
	}
	return n, true
}

// SmallSample reports whether an average rests on fewer than min chats in
// this period (rows) or, when there is one, the previous period
// (previous): it is then shown with its n and compared with nothing. n is
// this period's sample; an average whose weight does not count chats is
// never small.
func SmallSample(w Weights, m reports.Metric, rows, previous []any, min float64) (n float64, small bool) {
	n, ok := Sample(w, m, rows)
	if !ok {
		return 0, false
	}
	pn, _ := Sample(w, m, previous)
	return n, n < min || (previous != nil && pn < min)
}
