package render

import (
	"time"

	"github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"

	"reportmailer/pkg/render/figures"
	"reportmailer/pkg/reports"
)

// lineKind tells a series from a target's line and its missed points.
type lineKind int

const (
	plainLine   lineKind = iota
	targetLine           // the limit: dashed, across the period
	missedMarks          // points that miss the limit: rings, no line
)

// colTarget draws targets and misses: the "bad" tone's red (not score1's), beside a
// word (the legend's "Target ≤ 40s", "Missed days") so colour is never alone.
var colTarget = drawing.ColorFromHex("b91c1c")

// targetSeries draws the target lines and missed points after the series,
// so they sit on top. The chart is one go-chart value that both the PNG
// and the PDF renderers draw, so both show the same lines and marks.
func targetSeries(lines []line, scale float64) []chart.Series {
	var out []chart.Series
	for _, l := range lines {
		if len(l.times) == 0 {
			continue
		}
		switch l.kind {
		case targetLine:
			out = append(out, chart.TimeSeries{Name: l.name, XValues: l.times, YValues: l.values, Style: chart.Style{
				StrokeColor: colTarget, StrokeWidth: 1.5 * scale, StrokeDashArray: []float64{6 * scale, 4 * scale}}})
		case missedMarks:
			out = append(out, chart.TimeSeries{Name: l.name, XValues: l.times, YValues: l.values, Style: chart.Style{
				StrokeColor: colNone, StrokeWidth: 0.01, DotColor: colTarget, DotWidth: 4.5 * scale}})
		}
	}
	return out
}

// legendTarget draws a target's or its misses' legend entry at x and
// returns where the next one starts.
func legendTarget(p painter, l line, x, size float64) float64 {
	if l.name == "" {
		return x
	}
	if l.kind == targetLine {
		for i := 0.0; i < 14; i += 5 {
			p.rect(x+i, 13, x+i+3, 14.5, colTarget)
		}
	} else {
		p.rect(x+4, 10, x+10, 16, colTarget)
	}
	p.text(l.name, x+18, 18, size, colMuted, 'l')
	return x + 30 + p.width(l.name, size)
}

// lineLegend is a time chart's legend as text (the mail's): the series'
// entries as legendOf makes them, a target's line as a dashed mark and its
// missed days as a dot, in the target's red, each beside its words. A
// band's second line (no name) has no entry of its own.
func lineLegend(lo layout, lines []line, names []string, cols []drawing.Color) []LegendEntry {
	all := lo.legendOf(names, cols)
	if all == nil {
		return nil
	}
	var out []LegendEntry
	for i, l := range lines {
		if l.name == "" {
			continue
		}
		e := all[i]
		switch l.kind {
		case targetLine:
			e.Color, e.Mark = hexColor(colTarget), "- -"
		case missedMarks:
			e.Color, e.Mark = hexColor(colTarget), "\u25cf"
		}
		out = append(out, e)
	}
	return out
}

// targetLines are the dashed limit lines and missed-day marks of the
// targets judged on section s for the charted metrics. A day's point is
// marked when it misses (a tie meets), judged at the precision shown.
func (d *Digest) targetLines(s *Section, charted []reports.Metric) []line {
	var out []line
	for _, a := range attainments(d) {
		if a.Section < 0 || !sameSection(&d.Sections[a.Section], s) || a.Figure.Kind != reports.FigureMetric {
			continue
		}
		// A limit reads against daily points; on an hourly chart only an
		// average's period limit does (a count's day limit is no hour's).
		if s.Group != reports.GroupDay && (a.Target.PerDay || !a.Figure.Metric.IsAverage()) {
			continue
		}
		var m *reports.Metric
		for i := range charted {
			if charted[i].Wire == a.Figure.Metric.Wire {
				m = &charted[i]
			}
		}
		if m == nil {
			continue
		}
		name := "Target " + limitText(a.Target, m.Unit, d.value)
		for _, bound := range []*float64{a.Target.Min, a.Target.Max} {
			if bound != nil {
				out = append(out, line{name: name, times: []time.Time{d.Period.Start, d.Period.End}, values: []float64{*bound, *bound}, kind: targetLine})
				name = "" // a band's second line shares the legend entry
			}
		}
		ts, vs := d.series(s.Rows, *m, 0)
		miss := line{name: "Missed days", kind: missedMarks}
		for i, v := range vs {
			if figures.Judge(a.Target.Min, a.Target.Max, v, m.Unit, 0, 0).Status == Missed {
				miss.times, miss.values = append(miss.times, ts[i]), append(miss.values, v)
			}
		}
		if len(miss.times) > 0 {
			out = append(out, miss)
		}
	}
	return out
}

// sameSection tells whether s is (a viewer's copy of) section t.
func sameSection(t, s *Section) bool {
	return t.Report == s.Report && t.Group == s.Group && t.Title == s.Title && filterKey(t.Filter) == filterKey(s.Filter)
}
