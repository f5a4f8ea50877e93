package render

import (
	"math"

	"reportmailer/pkg/format"
	"reportmailer/pkg/render/figures"
	"reportmailer/pkg/reports"
)

func totalOf(s *Section, rows []any, wire string) float64 {
	m, ok := s.spec().MetricByWire(wire)
	if !ok {
		return 0
	}
	return s.rollup(rows, m, false)
}

// KPI is one figure of the summary strip.
type KPI struct {
	Label    string
	Value    string
	Previous string
	Delta    format.Delta
	// Target and Verdict show the card's target: "Target ≤ 40s", "met"
	// (VerdictTone colours the word, never replaces it); see markKPIs.
	Target, Verdict, VerdictTone string
	figure                       string // the figure's name, to find its target
}

type kpiDef struct {
	label  string
	report reports.Name
	// also are reports that carry the same metric, used when the digest lacks report.
	also    []reports.Name
	wire    string
	lower   bool
	neutral bool
	unit    reports.Unit
}

var kpiDefs = []kpiDef{
	{label: "Chats", report: "chatVolume", wire: "chats"},
	{label: "Missed chats", report: "chatVolume", wire: "missedChats", lower: true},
	{label: "Avg wait", report: "waitTime", also: []reports.Name{"agentPerformance", "efficiency"}, wire: "avgWaitTime", lower: true, unit: reports.Seconds},
	{label: "Avg chat time", report: "agentPerformance", wire: "avgChatTime", neutral: true, unit: reports.Seconds},
	{label: "Satisfaction", report: "rating"},
	{label: "Conversions", report: "conversions", wire: "conversions"},
}

// KPIFigure is one figure of the summary strip, as numbers: the mail's
// KPIs and the workbook's Summary sheet are both made from it.
type KPIFigure struct {
	Label             string
	Unit              reports.Unit
	Current, Previous float64
	// HasPrevious is false when the digest has no previous period's rows.
	HasPrevious bool
	// Rating marks the satisfaction figure: Current and Previous are
	// average scores out of 5, Positive and PreviousPositive the shares
	// of 4–5.
	Rating                     bool
	Positive, PreviousPositive float64
	// Rated and PreviousRated are the number of ratings (Rating only).
	Rated, PreviousRated float64
	LowerIsBetter        bool
	Neutral              bool
	// Small marks a figure from fewer than the digest's minimum sample
	// (ratings, or chats for SampleN): it is shown with its n and compared
	// with nothing.
	Small   bool
	SampleN float64
	// Figure names the figure as a target does ("waitTime.avgWaitTime",
	// "rating.average"), so a card finds its target.
	Figure string
	// metric is the figure's registry metric, with LowerIsBetter as the
	// strip reads it, for percentage-point changes of rates.
	metric *reports.Metric
}

// Summary is the digest's summary strip as numbers (see KPIFigure).
func Summary(d *Digest) []KPIFigure {
	return kpiFigures(cleanDigest(d))
}

// kpis builds the summary strip from whichever sections the digest has.
// A figure from fewer than the digest's minimum sample shows how few and
// is compared with nothing.
func kpis(d *Digest) []KPI {
	var out []KPI
	for _, f := range kpiFigures(d) {
		if f.Rating {
			kp := KPI{Label: f.Label, Value: "–", figure: f.Figure}
			if f.Current > 0 {
				kp.Value = format.Count(math.Round(f.Current*10)/10) + " / 5" // Count writes 4.0 as "4"
				kp.Previous = format.Percent(f.Positive) + " positive"
			}
			if f.Current > 0 && f.Rated < float64(d.minRatings()) {
				kp.Previous = "from " + format.Count(f.Rated) + " rated"
			}
			if f.HasPrevious && !f.Small {
				kp.Delta = format.Change(f.Current, f.Previous, false, false)
			}
			out = append(out, kp)
			continue
		}
		kp := KPI{Label: f.Label, Value: d.value(f.Current, f.Unit), figure: f.Figure}
		if f.metric != nil && f.Small {
			kp.Previous = "from " + format.Count(math.Round(f.SampleN)) + " chats"
			out = append(out, kp)
			continue
		}
		if f.HasPrevious {
			kp.Previous = "was " + d.value(f.Previous, f.Unit)
			kp.Delta = format.Change(f.Current, f.Previous, f.LowerIsBetter, f.Neutral)
			if f.metric != nil {
				kp.Delta = d.change(f.Current, f.Previous, *f.metric, f.Neutral)
			}
		}
		out = append(out, kp)
	}
	return markKPIs(d, out)
}

// kpiFigures computes the summary strip from whichever sections the digest has.
func kpiFigures(d *Digest) []KPIFigure {
	// The site-wide section of a report, or else a filtered one (a
	// department's digest has only filtered sections).
	find := func(name reports.Name) *Section {
		var filtered *Section
		for i := range d.Sections {
			s := &d.Sections[i]
			if s.Report != name || s.Note != "" || s.Group.IsDistribution() {
				continue
			}
			if s.Filter == nil {
				return s
			}
			if filtered == nil {
				filtered = s
			}
		}
		return filtered
	}
	var out []KPIFigure
	for _, k := range kpiDefs {
		s := find(k.report)
		for _, alt := range k.also {
			if s == nil {
				s = find(alt)
			}
		}
		if s == nil {
			continue
		}
		f := KPIFigure{Label: k.label, Unit: k.unit, HasPrevious: s.Previous != nil, LowerIsBetter: k.lower, Neutral: k.neutral,
			Figure: string(s.Report) + "." + k.wire}
		if s.spec().View == reports.ViewRating {
			f.Rated, f.Current, f.Positive = figures.RatingStats(s.Rows, false)
			f.PreviousRated, f.Previous, f.PreviousPositive = figures.RatingStats(s.Previous, false)
			f.Rating, f.Unit, f.Figure = true, reports.Average, "rating.average"
			f.Small = f.Rated < float64(d.minRatings()) || f.PreviousRated < float64(d.minRatings())
			out = append(out, f)
			continue
		}
		f.Current, f.Previous = totalOf(s, s.Rows, k.wire), totalOf(s, s.Previous, k.wire)
		if m, ok := s.spec().MetricByWire(k.wire); ok {
			if c, ok := d.canonicalFor(s, m); ok {
				f.Current, f.Previous = c.Cur, c.Prev
			}
		}
		if m, ok := s.spec().MetricByWire(k.wire); ok {
			f.SampleN, f.Small = d.smallSample(s, m)
			m.LowerIsBetter = k.lower
			f.metric = &m
		}
		out = append(out, f)
	}
	return out
}

// Table is a compact table of the numbers behind a chart.
type Table struct {
	Head []string
	Rows [][]string
	// Tones colour cells ("good"/"bad"/"flat"), parallel to Rows; may be nil.
	Tones [][]string
	// NumericFrom is the first column that is right-aligned.
	NumericFrom int
	// TotalRow marks the last row as a total.
	TotalRow bool
}

// entry is one labelled value of a ranked list.
type entry struct {
	label  string
	value  float64
	row    any
	others int   // >0 for the folded "N others (average)" entry
	rest   []any // the folded rows, for the others entry
}

// ranked sorts entries by value (ties by label) and folds the tail into
// one "N others (average)" entry (figures.Ranked: the mean of the rest,
// each weighted by the metric's own weight, weight(row); nil weighs every
// row 1). One rule for every ranked table and chart; the table adds the
// period's Total.
func ranked(entries []entry, top int, weight func(any) float64) []entry {
	var w func(entry) float64
	if weight != nil {
		w = func(e entry) float64 { return weight(e.row) }
	}
	lead, tail, avg, fold := figures.Ranked(entries, top,
		func(e entry) float64 { return e.value }, func(e entry) string { return e.label }, w)
	if !fold {
		return lead
	}
	rest := entry{others: len(tail), value: avg, label: othersLabel(len(tail))}
	for _, e := range tail {
		rest.rest = append(rest.rest, e.row)
	}
	return append(lead, rest)
}

// othersLabel names the folded tail of a ranked list.
func othersLabel(n int) string {
	return format.Count(float64(n)) + " others (average)"
}

// minRatings and minChats are the smallest samples compared (Digest.MinRatings, MinChats).
func (d *Digest) minRatings() int {
	if d.MinRatings > 0 {
		return d.MinRatings
	}
	return 10
}

func (d *Digest) minChats() int {
	if d.MinChats > 0 {
		return d.MinChats
	}
	return 20
}

// topNOf is the digest's ranked-list length (Digest.TopN, default 25).
func (d *Digest) topNOf() int {
	if d.TopN > 0 {
		return d.TopN
	}
	return defaultTopN
}
