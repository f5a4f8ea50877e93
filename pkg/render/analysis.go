package render

import (
	"math"
	"sort"

	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"
)

// rollup rolls a metric up over rows: counts add, maxima take the
// largest, averages are weighted by w (see weights.go) or, without
// weights, averaged over the rows that have data.
func rollup(rows []any, m reports.Metric, dist bool, w rowWeights) float64 {
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

// activeMetrics are the spec's metrics that carry data in these rows.
func activeMetrics(spec *reports.Spec, rows []any, dist bool) []reports.Metric {
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

func totalOf(s *Section, rows []any, wire string) float64 {
	m, ok := s.spec().MetricByWire(wire)
	if !ok {
		return 0
	}
	return s.rollup(rows, m, false)
}

// ratingStats returns rated chats, average score (1..5) and the share of 4–5.
func ratingStats(rows []any, dist bool) (rated, avg, positive float64) {
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

// kpis builds the summary strip from whichever sections the digest has.
func kpis(d *Digest) []KPI {
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
	var out []KPI
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
		if s.spec().View == reports.ViewRating {
			_, avg, pos := ratingStats(s.Rows, false)
			_, pavg, _ := ratingStats(s.Previous, false)
			kp := KPI{Label: k.label, Value: "–", figure: "rating.average"}
			if avg > 0 {
				kp.Value = format.Count(math.Round(avg*10)/10) + " / 5" // Count writes 4.0 as "4"
				kp.Previous = format.Percent(pos) + " positive"
			}
			if s.Previous != nil {
				kp.Delta = format.Change(avg, pavg, false, false)
			}
			out = append(out, kp)
			continue
		}
		cur, prev := totalOf(s, s.Rows, k.wire), totalOf(s, s.Previous, k.wire)
		if m, ok := s.spec().MetricByWire(k.wire); ok {
			if f, ok := d.canonicalFor(s, m); ok {
				cur, prev = f.cur, f.prev
			}
		}
		kp := KPI{Label: k.label, Value: d.value(cur, k.unit), figure: string(s.Report) + "." + k.wire}
		if s.Previous != nil {
			kp.Previous = "was " + d.value(prev, k.unit)
			kp.Delta = format.Change(cur, prev, k.lower, k.neutral)
		}
		out = append(out, kp)
	}
	return markKPIs(d, out)
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
	others int // >0 for the folded "N others" entry
}

// ranked sorts entries by value (ties by label) and folds the tail into
// "others": their sum for counts, their mean when the values are averages
// (ten agents' average response times do not add up).
func ranked(entries []entry, top int, average bool) []entry {
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].value != entries[j].value {
			return entries[i].value > entries[j].value
		}
		return entries[i].label < entries[j].label
	})
	if len(entries) <= top+1 {
		return entries
	}
	rest := entry{others: len(entries) - top}
	for _, e := range entries[top:] {
		rest.value += e.value
	}
	if average {
		rest.value /= float64(rest.others)
	}
	rest.label = format.Count(float64(rest.others)) + " others"
	return append(entries[:top:top], rest)
}
