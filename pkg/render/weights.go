package render

import (
	"reportmailer/pkg/render/figures"
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
// all show the period figure (canonical), taken from the best weighted
// section of that metric and filter.

// computeWeights fills each section's weights and the digest's canonical
// figures. It runs on the cleaned copy of the digest.
func computeWeights(d *Digest) {
	for i := range d.Sections {
		s := &d.Sections[i]
		spec, ok := reports.Lookup(s.Report)
		if !ok || s.Note != "" {
			continue
		}
		dist := s.Group.IsDistribution()
		for _, m := range spec.Metrics {
			if m.Weight == nil || !m.IsAverage() {
				continue
			}
			cur, okCur := weightsFor(d, s, m, s.Rows, false, dist)
			prev, _ := weightsFor(d, s, m, s.Previous, true, dist)
			if s.weights == nil {
				s.weights = map[string]figures.Weights{}
				s.unweighted = map[string]bool{}
			}
			if okCur {
				for r, w := range prev {
					cur[r] = w
				}
				s.weights[m.Wire] = cur
			} else if figures.HasData(s.Rows, m, dist) {
				s.unweighted[m.Wire] = true
			}
		}
	}
	d.canonical = map[canonKey]canonFigure{}
	// The API's own whole-period figures come first (totals.go).
	for i := range d.Sections {
		s := &d.Sections[i]
		spec, ok := reports.Lookup(s.Report)
		if !ok || s.Note != "" {
			continue
		}
		for _, m := range spec.Metrics {
			if !m.IsAverage() && !m.IsMax() {
				continue
			}
			k := canonKey{filter: filterKey(s.Filter), wire: m.Wire}
			if _, have := d.canonical[k]; have {
				continue
			}
			if f, ok := totalsFigure(d, s, m); ok {
				d.canonical[k] = f
			}
		}
	}
	// Time-grouped sections first (they cover the period bucket by
	// bucket), then dimensions; distributions are averages of averages.
	for _, pass := range []func(reports.Group) bool{reports.Group.IsTime, reports.Group.IsDimension} {
		for i := range d.Sections {
			s := &d.Sections[i]
			spec, ok := reports.Lookup(s.Report)
			if !ok || s.Note != "" || !pass(s.Group) {
				continue
			}
			for _, m := range spec.Metrics {
				w, ok := s.weights[m.Wire]
				if !ok {
					continue
				}
				k := canonKey{filter: filterKey(s.Filter), wire: m.Wire}
				if _, have := d.canonical[k]; have {
					continue
				}
				f := canonFigure{cur: figures.Rollup(s.Rows, m, false, w), hasPrev: s.Previous != nil}
				if s.Previous != nil {
					f.prev = figures.Rollup(s.Previous, m, false, w)
				}
				d.canonical[k] = f
			}
		}
	}
}

// canonKey identifies a metric across the sections of one digest: the same
// wire name under the same filter means the same figure (avgWaitTime in
// Wait time, Agent performance and Efficiency is one definition).
type canonKey struct{ filter, wire string }

type canonFigure struct {
	cur, prev float64
	hasPrev   bool
}

func filterKey(f *reports.Filter) string {
	if f == nil {
		return ""
	}
	return f.Name + "=" + f.Value
}

// canonicalFor is the period figure of an average metric for section s.
func (d *Digest) canonicalFor(s *Section, m reports.Metric) (canonFigure, bool) {
	if d.canonical == nil || (!m.IsAverage() && !m.IsMax()) {
		return canonFigure{}, false
	}
	f, ok := d.canonical[canonKey{filter: filterKey(s.Filter), wire: m.Wire}]
	return f, ok
}

// weightsFor computes the weight of each row, and whether every row with
// data got one.
func weightsFor(d *Digest, s *Section, m reports.Metric, rows []any, previous, dist bool) (figures.Weights, bool) {
	w := m.Weight
	out := figures.Weights{}
	if len(w.Reports) > 0 {
		src := weightSource(d, s, w.Reports)
		if src == nil {
			return nil, false
		}
		srcRows := src.Rows
		if previous {
			srcRows = src.Previous
		}
		for _, r := range rows {
			out[r] = figures.MatchWeight(r, s.Group, srcRows, w.Wires, dist)
		}
	} else {
		for _, r := range rows {
			out[r] = figures.OwnWeight(r, m, w, dist)
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
func weightSource(d *Digest, s *Section, names []reports.Name) *Section {
	for _, n := range names {
		for i := range d.Sections {
			c := &d.Sections[i]
			if c.Report != n || c.Note != "" || filterKey(c.Filter) != filterKey(s.Filter) {
				continue
			}
			if c.Group == s.Group || (c.Group.IsTime() && s.Group.IsTime()) {
				return c
			}
		}
	}
	return nil
}

// sampleOf is how many chats an average of section s rests on (its
// weight summed over the period, or the previous one), when its weight
// counts chats; ok is false for averages over time (utilisation) or
// without a weight.
func sampleOf(s *Section, m reports.Metric, previous bool) (n float64, ok bool) {
	rows := s.Rows
	if previous {
		rows = s.Previous
	}
	return sampleIn(s, m, rows)
}

// sampleIn is sampleOf over some of the section's rows (a day's, for a
// per-day target).
func sampleIn(s *Section, m reports.Metric, rows []any) (n float64, ok bool) {
	w, have := s.weights[m.Wire]
	if !have || !m.IsAverage() || m.Weight == nil || (len(m.Weight.Reports) == 0 && m.Weight.Total == "") {
		return 0, false
	}
	for _, r := range rows {
		n += w[r]
	}
	return n, true
}

// smallSample reports whether an average of s, now or before, rests on
// fewer chats than the digest's minimum: it then shows its n and no change.
func (d *Digest) smallSample(s *Section, m reports.Metric) (n float64, small bool) {
	n, ok := sampleOf(s, m, false)
	if !ok {
		return 0, false
	}
	pn, _ := sampleOf(s, m, true)
	min := float64(d.minChats())
	return n, n < min || (s.Previous != nil && pn < min)
}
