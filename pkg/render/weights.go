package render

import (
	"reportmailer/pkg/render/figures"
	"reportmailer/pkg/reports"
)

// How averages roll up over a period, where their weights come from and
// which section's figure is the period figure (canonical) is figures'
// (figures.Period). This file hands it the digest's sections and keeps
// its answers on the cleaned copy.

// computeWeights fills each section's weights and the digest's canonical
// figures. It runs on the cleaned copy of the digest.
func computeWeights(d *Digest) {
	secs := figureSections(d)
	whole := make([]figures.Whole, len(d.Totals))
	for i, t := range d.Totals {
		whole[i] = figures.Whole(t)
	}
	ws, canon := figures.Period(secs, whole)
	for i := range d.Sections {
		d.Sections[i].weights = ws[i].Weights
		d.Sections[i].unweighted = ws[i].Unweighted
	}
	d.canonical = canon
}

// figureSections is what figures reads of d's sections.
func figureSections(d *Digest) []figures.Section {
	secs := make([]figures.Section, len(d.Sections))
	for i, s := range d.Sections {
		_, known := reports.Lookup(s.Report)
		secs[i] = figures.Section{Report: s.Report, Group: s.Group, Filter: s.Filter,
			Rows: s.Rows, Previous: s.Previous, Skip: !known || s.Note != ""}
	}
	return secs
}

func filterKey(f *reports.Filter) string { return figures.FilterKey(f) }

// canonicalFor is the period figure of an average metric for section s.
func (d *Digest) canonicalFor(s *Section, m reports.Metric) (figures.Figure, bool) {
	return d.canonical.For(s.Filter, m)
}

// sampleIn is how many chats an average of section s rests on over some
// of its rows (a day's, for a per-day target), when its weight counts
// chats (figures.Sample).
func sampleIn(s *Section, m reports.Metric, rows []any) (n float64, ok bool) {
	return figures.Sample(s.weights[m.Wire], m, rows)
}

// smallSample reports whether an average of s, now or before, rests on
// fewer chats than the digest's minimum (figures.SmallSample): it then
// shows its n and no change.
func (d *Digest) smallSample(s *Section, m reports.Metric) (n float64, small bool) {
	return figures.SmallSample(s.weights[m.Wire], m, s.Rows, s.Previous, float64(d.minChats()))
}
