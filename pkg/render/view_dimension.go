package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wcharczuk/go-chart/v2/drawing"

	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"
)

func dimensionEntries(d *Digest, s *Section, m reports.Metric, rows []any) []entry {
	var es []entry
	for _, r := range rows {
		es = append(es, entry{label: d.Names.Name(s.Group, reports.KeyOf(r, s.Group)), value: reports.MetricValue(r, m, false), row: r})
	}
	return ranked(es, topN, m.IsAverage())
}

func dimensionView(v *view, d *Digest, s *Section, spec *reports.Spec) {
	metrics := activeMetrics(spec, s.Rows, false)
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
	rowsOf := func(e entry) []any {
		if e.others == 0 {
			return []any{e.row}
		}
		var rest []any
		top := map[any]bool{}
		for _, x := range es {
			top[x.row] = true
		}
		for _, r := range s.Rows {
			if !top[r] {
				rest = append(rest, r)
			}
		}
		return rest
	}
	for _, e := range es {
		row := []string{e.label}
		for _, mt := range metrics {
			row = append(row, d.value(s.rollup(rowsOf(e), mt, false), mt.Unit))
		}
		t.Rows = append(t.Rows, row)
	}
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
	var es []entry
	for _, r := range s.Rows {
		row := r.(*reports.AvailabilityRow)
		es = append(es, entry{label: d.Names.Name(reports.GroupAgent, row.AgentID), value: row.Online, row: row})
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].value > es[j].value })
	t := &Table{Head: []string{"Agent", "Online", "Away", "Logged in"}, NumericFrom: 1}
	var bars []hbar
	for _, e := range es {
		row := e.row.(*reports.AvailabilityRow)
		away := statusTime(row.StatusDistribution, "Total Away")
		logged := statusTime(row.StatusDistribution, "Logged-in")
		if row.Online == 0 && away == 0 && logged == 0 {
			continue // never logged in: nothing to draw
		}
		t.Rows = append(t.Rows, []string{e.label, format.Duration(row.Online), format.Duration(away), format.Duration(logged)})
		bars = append(bars, hbar{label: e.label, segments: []float64{row.Online, away},
			colors: []drawing.Color{statusCols["Online"], statusCols["Away"]}, value: format.Duration(row.Online)})
	}
	if len(t.Rows) == 0 {
		return
	}
	v.Summary = fmt.Sprintf("Most online: %s (%s)", es[0].label, format.Duration(es[0].value)) + noDataNote(len(es)-len(t.Rows), reports.GroupAgent, "time logged in")
	v.Table = t
	v.figure = func(lo layout) *Figure {
		return hbarsFigure(bars, []string{"Online", "Away"}, []drawing.Color{statusCols["Online"], statusCols["Away"]}, v.Title+": "+v.Summary, lo)
	}
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
