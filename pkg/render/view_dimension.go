package render

import (
	"fmt"
	"math"
	"strings"

	"github.com/wcharczuk/go-chart/v2/drawing"

	"reportmailer/pkg/format"
	"reportmailer/pkg/render/figures"
	"reportmailer/pkg/reports"
)

func dimensionEntries(d *Digest, s *Section, m reports.Metric, rows []any) []entry {
	var es []entry
	for _, r := range rows {
		es = append(es, entry{label: d.Names.Name(s.Group, reports.KeyOf(r, s.Group)), value: reports.MetricValue(r, m, false), row: r})
	}
	return ranked(es, d.topNOf(), s.weightOf(m))
}

// weightOf is metric m's own weight of a row for ranked's "others": the
// average's denominator, or 1 for counts (a plain mean per member).
func (s *Section) weightOf(m reports.Metric) func(any) float64 {
	w, ok := s.weights[m.Wire]
	if !m.IsAverage() || !ok {
		return nil
	}
	return func(r any) float64 { return w[r] }
}

// othersValue is the "N others (average)" figure of a metric over the
// folded rows: a weighted average for averages, the mean per member for
// counts.
func othersValue(s *Section, rest []any, m reports.Metric) float64 {
	v := s.rollup(rest, m, false)
	if !m.IsAverage() && !m.IsMax() && len(rest) > 0 {
		v /= float64(len(rest))
	}
	return v
}

func dimensionView(v *view, d *Digest, s *Section, spec *reports.Spec) {
	metrics := figures.ActiveMetrics(spec, s.Rows, false)
	if len(metrics) == 0 {
		return
	}
	m := metrics[0]
	// Entities with nothing in any metric are folded into one line.
	var withData []any
	for _, r := range s.Rows {
		for _, mt := range metrics {
			if reports.MetricValue(r, mt, false) != 0 {
				withData = append(withData, r)
				break
			}
		}
	}
	es := dimensionEntries(d, s, m, withData)
	defer func() { v.Summary += noDataNote(len(s.Rows)-len(withData), s.Group, "data") }()
	if len(metrics) > 4 {
		metrics = metrics[:4]
	}
	t := &Table{Head: []string{splitCamel(strings.ToUpper(string(s.Group[:1])) + string(s.Group[1:]))}, NumericFrom: 1, TotalRow: true}
	for _, mt := range metrics {
		t.Head = append(t.Head, mt.Label)
	}
	for _, e := range es {
		row := []string{e.label}
		for _, mt := range metrics {
			if e.others > 0 {
				row = append(row, d.value(othersValue(s, e.rest, mt), mt.Unit))
				continue
			}
			row = append(row, d.value(s.rollup([]any{e.row}, mt, false), mt.Unit))
		}
		t.Rows = append(t.Rows, row)
	}
	v.more = foldedNote(es, len(withData), s.Group)
	total := []string{"Total"}
	for _, mt := range metrics {
		total = append(total, d.value(d.periodFigure(s, mt, false), mt.Unit))
	}
	t.Rows = append(t.Rows, total)
	v.Table = t
	if len(es) > 0 {
		v.Summary = fmt.Sprintf("Top by %s: %s (%s)", strings.ToLower(m.Label), es[0].label, d.value(es[0].value, m.Unit))
	}
	var bars []hbar
	for _, e := range es {
		bars = append(bars, hbar{label: e.label, segments: []float64{e.value}, colors: []drawing.Color{colPrimary}, value: d.value(e.value, m.Unit)})
	}
	v.figure = func(lo layout) *Figure {
		return hbarsFigure(bars, []string{m.Label}, []drawing.Color{colPrimary}, v.Title+": "+v.Summary, lo)
	}
}

func statusTime(dist []reports.StatusTime, status string) float64 {
	for _, st := range dist {
		if strings.EqualFold(st.Status, status) {
			return st.Time
		}
	}
	return 0
}

func availabilityView(v *view, d *Digest, s *Section, _ *reports.Spec) {
	type times struct{ online, away, logged float64 }
	timesOf := func(r any) times {
		row := r.(*reports.AvailabilityRow)
		return times{row.Online, statusTime(row.StatusDistribution, "Total Away"), statusTime(row.StatusDistribution, "Logged-in")}
	}
	var es []entry
	for _, r := range s.Rows {
		row := r.(*reports.AvailabilityRow)
		if tm := timesOf(r); tm.online == 0 && tm.away == 0 && tm.logged == 0 {
			continue // never logged in: nothing to draw
		}
		es = append(es, entry{label: d.Names.Name(reports.GroupAgent, row.AgentID), value: row.Online, row: row})
	}
	if len(es) == 0 {
		return
	}
	listed := len(es)
	es = ranked(es, d.topNOf(), nil)
	t := &Table{Head: []string{"Agent", "Online", "Away", "Logged in"}, NumericFrom: 1, TotalRow: true}
	var bars []hbar
	var total times
	for _, r := range s.Rows {
		tm := timesOf(r)
		total.online, total.away, total.logged = total.online+tm.online, total.away+tm.away, total.logged+tm.logged
	}
	for _, e := range es {
		if e.others > 0 {
			var sum times
			for _, r := range e.rest {
				tm := timesOf(r)
				sum.online, sum.away, sum.logged = sum.online+tm.online, sum.away+tm.away, sum.logged+tm.logged
			}
			n := float64(e.others)
			t.Rows = append(t.Rows, []string{e.label, hours(sum.online / n), hours(sum.away / n), hours(sum.logged / n)})
			continue
		}
		tm := timesOf(e.row)
		t.Rows = append(t.Rows, []string{e.label, hours(tm.online), hours(tm.away), hours(tm.logged)})
		bars = append(bars, hbar{label: e.label, segments: []float64{tm.online, tm.away},
			colors: []drawing.Color{statusCols["Online"], statusCols["Away"]}, value: hours(tm.online)})
	}
	t.Rows = append(t.Rows, []string{"Total", hours(total.online), hours(total.away), hours(total.logged)})
	v.Summary = fmt.Sprintf("Most online: %s (%s)", es[0].label, hours(es[0].value)) + noDataNote(len(s.Rows)-listed, reports.GroupAgent, "time logged in")
	v.more = foldedNote(es, listed, reports.GroupAgent)
	v.Table = t
	v.figure = func(lo layout) *Figure {
		return hbarsFigure(bars, []string{"Online", "Away"}, []drawing.Color{statusCols["Online"], statusCols["Away"]}, v.Title+": "+v.Summary, lo)
	}
}

// hours writes a time people count in hours ("27d 11h" becomes "659h");
// under an hour it reads as format.Duration does.
func hours(seconds float64) string {
	if seconds < 3600 {
		return format.Duration(seconds)
	}
	return format.Count(math.Round(seconds/3600)) + "h"
}

// noDataNote mentions the rows left out for having no data.
func noDataNote(n int, g reports.Group, what string) string {
	if n == 0 {
		return ""
	}
	noun := strings.ToLower(splitCamel(string(g)))
	if n > 1 {
		noun += "s"
	}
	return fmt.Sprintf(" (%d %s with no %s not listed)", n, noun, what)
}
