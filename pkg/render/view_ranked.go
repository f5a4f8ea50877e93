package render

import (
	"fmt"
	"strings"

	"github.com/wcharczuk/go-chart/v2/drawing"

	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"
)

func rankedView(v *view, d *Digest, s *Section, spec *reports.Spec) {
	m := spec.Metrics[0]
	var es []entry
	for _, r := range s.Rows {
		label := ""
		switch row := r.(type) {
		case *reports.RequestPageRow:
			label = row.RequestPage
		case *reports.CannedMessageRow:
			label = d.Names.Name("cannedMessage", row.ID)
		}
		es = append(es, entry{label: label, value: reports.MetricValue(r, m, false), row: r})
	}
	var total float64
	for _, e := range es {
		total += e.value
	}
	n := len(es)
	es = ranked(es, d.topNOf(), nil)
	if total == 0 {
		return
	}
	t := &Table{Head: []string{"#", strings.TrimSuffix(spec.Title, "s"), m.Label, "Share"}, NumericFrom: 2, TotalRow: true}
	if len(spec.Metrics) > 1 {
		t.Head = append(t.Head, spec.Metrics[1].Label)
	}
	var bars []hbar
	for i, e := range es {
		rank := fmt.Sprint(i + 1)
		if e.others > 0 {
			rank = ""
		}
		share := format.Percent(ratio(e.value, total))
		if e.others > 0 {
			share = "" // an average member's share says nothing
		}
		row := []string{rank, format.Truncate(e.label, 70), d.value(e.value, m.Unit), share}
		if len(spec.Metrics) > 1 && e.others == 0 {
			row = append(row, d.value(reports.MetricValue(e.row, spec.Metrics[1], false), spec.Metrics[1].Unit))
		} else if len(spec.Metrics) > 1 {
			row = append(row, "")
		}
		t.Rows = append(t.Rows, row)
		label := strings.TrimPrefix(strings.TrimPrefix(e.label, "https://"), "http://")
		bars = append(bars, hbar{label: label, segments: []float64{e.value}, colors: []drawing.Color{colPrimary}, value: d.value(e.value, m.Unit)})
	}
	totalRow := []string{"", "Total", d.value(total, m.Unit), format.Percent(1)}
	if len(spec.Metrics) > 1 {
		totalRow = append(totalRow, "")
	}
	t.Rows = append(t.Rows, totalRow)
	v.more = foldedNote(es, n, "")
	v.Table = t
	v.Summary = fmt.Sprintf("Top: %s (%s %s)", format.Truncate(es[0].label, 60), d.value(es[0].value, m.Unit), strings.ToLower(m.Label))
	v.figure = func(lo layout) *Figure { return hbarsFigure(bars, nil, nil, v.Title+": "+v.Summary, lo) }
}
