package render

import (
	"math"
	"time"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"

	"reportmailer/pkg/render/internal/text"
)

// line is one series of a time chart.
type line struct {
	name   string
	times  []time.Time
	values []float64
	color  drawing.Color
	faint  bool // the previous period: dashed, grey, no fill
	// kind marks a target's line and its missed points (chartTarget).
	kind lineKind
}

// lineFigure draws series over time with go-chart, across [start, end).
// Times are instants; ticks are labelled in loc by tickFormat.
func lineFigure(lines []line, start, end time.Time, ticks []time.Time, tickFormat string, loc *time.Location, format func(float64) string, alt string, lo layout) *Figure {
	scale := lo.scale
	const h = 220
	regular, _ := text.ChartFonts()
	var maxV float64
	for _, l := range lines {
		for _, v := range l.values {
			maxV = math.Max(maxV, v)
		}
	}
	top := niceCeil(maxV)
	var yTicks []chart.Tick
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		yTicks = append(yTicks, chart.Tick{Value: v, Label: format(v)})
	}
	var xTicks []chart.Tick
	for _, t := range ticks {
		xTicks = append(xTicks, chart.Tick{Value: chart.TimeToFloat64(t), Label: t.In(loc).Format(tickFormat)})
	}
	// go-chart sets the x range to the ticks' span (explicit ticks win over
	// XAxis.Range), so the ticks must reach both ends of the period.
	if len(ticks) == 0 || ticks[0].After(start) {
		xTicks = append([]chart.Tick{{Value: chart.TimeToFloat64(start)}}, xTicks...)
	}
	if len(ticks) == 0 || ticks[len(ticks)-1].Before(end) {
		xTicks = append(xTicks, chart.Tick{Value: chart.TimeToFloat64(end)})
	}
	s := func(v float64) int { return int(math.Round(v * scale)) }
	axisStyle := chart.Style{FontSize: lo.fontXS, FontColor: colMuted, StrokeColor: colGrid, StrokeWidth: scale}
	m := lo.margin() // the card around a mail chart
	legendH := 30.0  // room above the plot for the legend
	var names []string
	var cols []drawing.Color
	for _, l := range lines {
		names = append(names, l.name)
		if l.faint {
			cols = append(cols, colPrevious)
		} else {
			cols = append(cols, l.color)
		}
	}
	if lo.htmlLegend {
		legendH = 12
	}
	c := chart.Chart{
		Width: s(lo.w + 2*m), Height: s(h + 2*m), DPI: 72 * scale, Font: regular,
		Background:     chart.Style{FillColor: colNone, Padding: chart.Box{Top: s(legendH + m), Left: s(4 + m), Right: s(18 + m), Bottom: s(4 + m)}},
		Canvas:         chart.Style{FillColor: colNone},
		YAxisSecondary: chart.YAxis{Style: chart.Hidden()},
		XAxis:          chart.XAxis{Ticks: xTicks, Style: axisStyle, TickPosition: chart.TickPositionUnderTick},
		YAxis: chart.YAxis{Ticks: yTicks, Range: &chart.ContinuousRange{Min: 0, Max: top}, Style: axisStyle,
			GridMajorStyle: chart.Style{StrokeColor: colGrid, StrokeWidth: scale}, GridMinorStyle: chart.Hidden(),
			ValueFormatter: func(v any) string { f, _ := v.(float64); return format(f) }},
	}
	// Draw the previous period first so the current one sits on top.
	for _, faint := range []bool{true, false} {
		for _, l := range lines {
			if l.kind != plainLine {
				continue
			}
			if l.faint != faint || len(l.times) == 0 {
				continue
			}
			st := chart.Style{StrokeColor: l.color, StrokeWidth: 2 * scale}
			if l.faint {
				st.StrokeColor = colPrevious
				st.StrokeWidth = 1.5 * scale
				st.StrokeDashArray = []float64{4 * scale, 3 * scale}
			} else if l.color == colPrimary {
				st.FillColor = l.color.WithAlpha(28)
			}
			if len(l.times) <= 31 && !l.faint {
				st.DotWidth = 2.5 * scale
				st.DotColor = l.color
			}
			c.Series = append(c.Series, chart.TimeSeries{Name: l.name, XValues: l.times, YValues: l.values, Style: st})
		}
	}

	c.Series = append(c.Series, targetSeries(lines, scale)...)
	if lo.htmlLegend {
		return &Figure{fig: c, Width: int(lo.w), Height: h, Alt: alt, lo: lo, legend: lineLegend(lo, lines, names, cols)}
	}
	c.Elements = []chart.Renderable{func(r chart.Renderer, _ chart.Box, _ chart.Style) {
		p := painter{r: r, s: scale, off: m}
		x := 50.0
		for _, l := range lines {
			col := l.color
			if l.faint {
				col = colPrevious
			}
			if l.kind != plainLine {
				x = legendTarget(p, l, x, lo.fontXS)
				continue
			}
			p.rect(x, 12, x+14, 15, col)
			p.text(l.name, x+18, 18, lo.fontXS, colMuted, 'l')
			x += 30 + p.width(l.name, lo.fontXS)
		}
	}}
	return &Figure{fig: c, Width: int(lo.w), Height: h, Alt: alt, lo: lo}
}
