package render

import (
	"fmt"

	"github.com/wcharczuk/go-chart/v2/drawing"

	"reportmailer/pkg/render/figures"
	"reportmailer/pkg/reports"
)

func distributionView(v *view, d *Digest, s *Section, spec *reports.Spec) {
	metrics := figures.ActiveMetrics(spec, s.Rows, true)
	if len(metrics) == 0 {
		return
	}
	m := metrics[0]
	v.Table = totalsTable(d, s, spec, metrics, false)
	peak, at := peakOf(s.Rows, m)
	v.Summary = fmt.Sprintf("%s peaks at %s (%s on average)", m.Label, at, d.value(peak, m.Unit))
	format := unitFormatter(m.Unit)
	if s.Group == reports.GroupWeekDistribution {
		var grid [7][24]float64
		for _, r := range s.Rows {
			b := reports.TimeOf(r)
			if b == nil || b.From.Kind != reports.SlotWeekClock {
				continue
			}
			day := (int(b.From.Weekday) + 6) % 7 // Monday first
			grid[day][b.From.Minute/60%24] += reports.MetricValue(r, m, true)
		}
		v.figure = func(lo layout) *Figure {
			return heatmapFigure(grid, format, "on average", v.Title+": "+v.Summary, lo)
		}
		return
	}
	var cols []column
	for _, r := range s.Rows {
		c := column{segments: []float64{reports.MetricValue(r, m, true)}}
		if b := reports.TimeOf(r); b != nil && b.From.Minute%120 == 0 {
			c.label = twoDigits(b.From.Minute / 60)
		}
		cols = append(cols, c)
	}
	v.figure = func(lo layout) *Figure {
		return columnsFigure(cols, []drawing.Color{colPrimary}, []string{m.Label + " (average)"}, format, v.Title+": "+v.Summary, lo)
	}
}
