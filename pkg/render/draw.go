package render

import (
	"fmt"
	"io"
	"math"
	"sort"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"

	"reportmailer/pkg/format"
	"reportmailer/pkg/render/internal/text"
)

// A figure renders through any go-chart RendererProvider: the PNG
// renderer for email, pdfRenderer for the PDF.
type figure interface {
	Render(rp chart.RendererProvider, w io.Writer) error
}

// Figure is a chart with its logical size (CSS pixels) and alt text.
type Figure struct {
	fig           figure
	Width, Height int
	Alt           string
	lo            layout
	legend        []LegendEntry // with layout.htmlLegend: the legend left out of the image
}

// Palette: colour-blind-safe blues/oranges, a neutral grey, and the
// rating scale from red (1) to green (5).
var (
	colInk   = drawing.ColorFromHex("1f2933")
	colMuted = drawing.ColorFromHex("6b7785")
	colGap   = drawing.ColorFromHex("c3cad3") // the outline of a cell with no data
	colGrid  = drawing.ColorFromHex("e4e7eb")
	// colNone is no fill. go-chart reads a zero colour as "its default"
	// (white), so the chart's background and canvas, which would be white
	// on white (the PNGs are composited over white, the PDF's page is
	// white), are drawn in a colour with no alpha, which both renderers skip.
	colNone     = drawing.Color{R: 255, G: 255, B: 255}
	colPrimary  = drawing.ColorFromHex("2563eb")
	colSecond   = drawing.ColorFromHex("f59e0b")
	colThird    = drawing.ColorFromHex("10b981")
	colPrevious = drawing.ColorFromHex("9aa5b1")
	seriesCols  = []drawing.Color{colPrimary, colSecond, colThird}
	ratingCols  = []drawing.Color{ // score1..score5
		drawing.ColorFromHex("dc2626"), drawing.ColorFromHex("f97316"), drawing.ColorFromHex("facc15"),
		drawing.ColorFromHex("84cc16"), drawing.ColorFromHex("16a34a"),
	}
	statusCols = map[string]drawing.Color{
		"Online": drawing.ColorFromHex("16a34a"), "Away": drawing.ColorFromHex("f59e0b"),
		"Offline": drawing.ColorFromHex("e4e7eb"), "Total Away": drawing.ColorFromHex("f59e0b"),
	}
)

// painter draws in logical pixels on a renderer scaled by s, moved off
// logical pixels right and down (a mail chart's card around it).
type painter struct {
	r   chart.Renderer
	s   float64
	off float64
}

func (p painter) i(v float64) int { return int(math.Round((v + p.off) * p.s)) }

func (p painter) rect(x0, y0, x1, y1 float64, c drawing.Color) {
	if x1 <= x0 || y1 <= y0 {
		return
	}
	p.r.SetFillColor(c)
	p.r.SetStrokeColor(drawing.ColorTransparent)
	p.r.SetStrokeWidth(0)
	p.r.MoveTo(p.i(x0), p.i(y0))
	p.r.LineTo(p.i(x1), p.i(y0))
	p.r.LineTo(p.i(x1), p.i(y1))
	p.r.LineTo(p.i(x0), p.i(y1))
	p.r.Close()
	p.r.Fill()
}

func (p painter) line(x0, y0, x1, y1, width float64, c drawing.Color) {
	p.r.SetStrokeColor(c)
	p.r.SetStrokeWidth(width * p.s)
	p.r.SetFillColor(drawing.ColorTransparent)
	p.r.MoveTo(p.i(x0), p.i(y0))
	p.r.LineTo(p.i(x1), p.i(y1))
	p.r.Stroke()
}

// text draws at baseline y; align is 'l', 'r' or 'c'.
func (p painter) text(s string, x, y, size float64, c drawing.Color, align byte) {
	p.r.SetFontSize(size)
	p.r.SetFontColor(c)
	w := p.width(s, size)
	switch align {
	case 'r':
		x -= w
	case 'c':
		x -= w / 2
	}
	p.r.Text(s, p.i(x), p.i(y))
}

func (p painter) width(s string, size float64) float64 {
	p.r.SetFontSize(size)
	return float64(p.r.MeasureText(s).Width()) / p.s
}

// fit truncates s with an ellipsis to fit maxW logical pixels.
func (p painter) fit(s string, size, maxW float64) string {
	return fitWidth(s, maxW, func(t string) float64 { return p.width(t, size) })
}

// fitWidth truncates s with an ellipsis so that width(s) <= maxW. It
// binary-searches the longest prefix that fits, so a long string costs
// O(log n) measurements rather than one per removed character (a 20 KB
// URL took minutes that way). Text is capped before layout as well
// (cleanText), so each measurement is short.
func fitWidth(s string, maxW float64, width func(string) float64) string {
	if width(s) <= maxW {
		return s
	}
	r := []rune(s)
	lo, hi := 1, len(r)-1 // lo: a prefix length known to be tried; hi: the longest candidate
	best := 0
	for lo <= hi {
		mid := (lo + hi) / 2
		if width(string(r[:mid])+"…") <= maxW {
			best, lo = mid, mid+1
		} else {
			hi = mid - 1
		}
	}
	if best < 2 {
		return "…"
	}
	return string(r[:best]) + "…"
}

// canvas is a custom figure: a draw function over a painter.
type canvas struct {
	w, h int
	lo   layout
	draw func(p painter)
}

func (c canvas) Render(rp chart.RendererProvider, w io.Writer) error {
	off := c.lo.margin()
	r, err := rp(int((float64(c.w)+2*off)*c.lo.scale), int((float64(c.h)+2*off)*c.lo.scale))
	if err != nil {
		return err
	}
	regular, _ := text.ChartFonts()
	r.SetDPI(72 * c.lo.scale)
	r.SetFont(regular)
	// No background fill: PNGs are composited over white, PDF pages are white.
	c.draw(painter{r: r, s: c.lo.scale, off: off})
	return r.Save(w)
}

const (
	padTop   = 8.0
	padRight = 8.0
)

// layout is a figure's geometry in logical pixels. The PDF scales a
// 600 px figure to the page's width; the mail shows a narrower one at
// most mailMaxWidth CSS px wide, so that on a 375 px phone, where it
// shrinks to about 335 px, its smallest text still reads at 9 CSS px or
// more (TestMailChartTextOnPhones). The PDF's layout is as it always was.
type layout struct {
	scale          float64 // device pixels per logical pixel
	w              float64 // the figure's width
	fontS, fontXS  float64 // label and tick sizes
	barH, barGap   float64
	labelW, valueW float64 // the bar charts' label and value columns
	// card frames the PNG as a light card with rounded, transparent corners
	// (cardFrame), so that a dark-mode page around it shows a deliberate
	// card rather than a white box.
	card bool
	// htmlLegend leaves the legend out of the image: the mail prints it
	// as text above the chart (Figure.legend), where it wraps on a phone
	// and reads at the mail's text size.
	htmlLegend bool
}

// LegendEntry is one series of a chart, for a legend printed as text.
type LegendEntry struct {
	Label string
	Color string // CSS colour, e.g. "#2563eb"
	// Mark is the entry's symbol when it is not a square (a target's
	// dashed line, a missed day's dot; in the target's red, which the
	// template marks "bad" so dark mode lightens it).
	Mark string
}

// legendOf is the figure's legend as text, when the layout prints it so.
func (lo layout) legendOf(labels []string, cols []drawing.Color) []LegendEntry {
	if !lo.htmlLegend || len(cols) == 0 {
		return nil
	}
	out := make([]LegendEntry, len(labels))
	for i, l := range labels {
		c := cols[i%len(cols)]
		out[i] = LegendEntry{Label: l, Color: hexColor(c)}
	}
	return out
}

// hexColor is c as a CSS colour.
func hexColor(c drawing.Color) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// margin is the room around the figure for its card (logical px).
func (lo layout) margin() float64 {
	if lo.card {
		return cardPad
	}
	return 0
}

// pdfLayout is the PDF's vector charts (scale 1: logical = PDF units).
var pdfLayout = layout{scale: 1, w: 600, fontS: 10, fontXS: 8.5, barH: 16, barGap: 6, labelW: 170, valueW: 70}

// mailLayout is the mail's PNG charts at scale device pixels per logical one.
func mailLayout(scale float64) layout {
	return layout{scale: scale, w: mailChartW, fontS: 11.5, fontXS: 10.5, barH: 17, barGap: 6, labelW: 118, valueW: 64, card: true, htmlLegend: true}
}

const (
	// mailChartW is the mail charts' logical width (before the card's frame).
	mailChartW = 360
	// mailMaxWidth is the widest the mail shows a chart (CSS px): a 640 px
	// desktop pane shows it at 1.14×, its text at 12–13 px, and the tallest
	// (25 agents) under a page.
	mailMaxWidth = 432
	// phoneChartWidth is how wide a chart is shown on a 375 px phone: the
	// mail's narrow-screen paddings (6 + 14 px a side) leave 335 px.
	phoneChartWidth = 335
)

// hbar is one labelled horizontal bar, optionally stacked.
type hbar struct {
	label    string
	segments []float64
	colors   []drawing.Color
	value    string // printed right of the bar
}

// hbarsFigure draws labelled horizontal bars (stacked when segments > 1).
// Past FigureRows bars, the rest fold into one bar of their average, so
// the figure keeps to a page whatever the site's size.
func hbarsFigure(bars []hbar, legend []string, legendCols []drawing.Color, alt string, lo layout) *Figure {
	bars = foldBars(bars, FigureRows)
	legendH := 0.0
	if len(legend) > 0 && !lo.htmlLegend {
		legendH = 20
	}
	h := int(padTop + legendH + float64(len(bars))*(lo.barH+lo.barGap) + 4)
	var maxTotal float64
	for _, b := range bars {
		maxTotal = math.Max(maxTotal, sum(b.segments))
	}
	draw := func(p painter) {
		if !lo.htmlLegend {
			drawLegend(p, lo, legend, legendCols, padTop+10)
		}
		plotX0, plotX1 := lo.labelW, lo.w-lo.valueW
		y := padTop + legendH
		for _, b := range bars {
			p.text(p.fit(b.label, lo.fontS, lo.labelW-10), lo.labelW-8, y+lo.barH-4, lo.fontS, colInk, 'r')
			x := plotX0
			p.rect(plotX0, y, plotX1, y+lo.barH, drawing.ColorFromHex("f3f4f6"))
			for i, s := range b.segments {
				if maxTotal == 0 {
					break
				}
				w := (plotX1 - plotX0) * s / maxTotal
				p.rect(x, y, x+w, y+lo.barH, b.colors[i%len(b.colors)])
				x += w
			}
			p.text(b.value, plotX1+6, y+lo.barH-4, lo.fontS, colInk, 'l')
			y += lo.barH + lo.barGap
		}
	}
	return &Figure{fig: canvas{w: int(lo.w), h: h, lo: lo, draw: draw}, Width: int(lo.w), Height: h, Alt: alt, lo: lo, legend: lo.legendOf(legend, legendCols)}
}

func drawLegend(p painter, lo layout, labels []string, cols []drawing.Color, baseline float64) {
	x := lo.labelW
	for i, l := range labels {
		p.rect(x, baseline-8, x+10, baseline+1, cols[i%len(cols)])
		p.text(l, x+14, baseline, lo.fontXS, colMuted, 'l')
		x += 22 + p.width(l, lo.fontXS)
	}
}

// column is one vertical bar, optionally stacked.
type column struct {
	segments []float64
	label    string // x label, drawn when non-empty
}

// columnsFigure draws (stacked) columns with a y-axis maximum label.
func columnsFigure(cols []column, colors []drawing.Color, legend []string, format func(float64) string, alt string, lo layout) *Figure {
	const h = 200
	draw := func(p painter) {
		legendH := 0.0
		if len(legend) > 0 && !lo.htmlLegend {
			drawLegend(p, lo, legend, colors, padTop+10)
			legendH = 18
		}
		x0, x1 := 50.0, lo.w-padRight
		y0, y1 := padTop+legendH+6, float64(h)-22
		var maxV float64
		for _, c := range cols {
			maxV = math.Max(maxV, sum(c.segments))
		}
		top := niceCeil(maxV)
		for i := 0; i <= 4; i++ {
			y := y1 - (y1-y0)*float64(i)/4
			p.line(x0, y, x1, y, 0.6, colGrid)
			p.text(format(top*float64(i)/4), x0-6, y+3, lo.fontXS, colMuted, 'r')
		}
		step := (x1 - x0) / float64(len(cols))
		gap := math.Min(2, step*0.2)
		next := x0
		for i, c := range cols {
			x := x0 + float64(i)*step
			y := y1
			for j, s := range c.segments {
				if top == 0 {
					break
				}
				hgt := (y1 - y0) * s / top
				p.rect(x+gap/2, y-hgt, x+step-gap/2, y, colors[j%len(colors)])
				y -= hgt
			}
			if w := p.width(c.label, lo.fontXS); c.label != "" && x >= next && x+w <= lo.w {
				p.text(c.label, x, y1+14, lo.fontXS, colMuted, 'l')
				next = x + w + 6 // a label that would run into this one is left out
			}
		}
	}
	return &Figure{fig: canvas{w: int(lo.w), h: h, lo: lo, draw: draw}, Width: int(lo.w), Height: h, Alt: alt, lo: lo, legend: lo.legendOf(legend, colors)}
}

// sum adds a stack's segments.
func sum(xs []float64) float64 {
	var t float64
	for _, x := range xs {
		t += x
	}
	return t
}

// niceCeil rounds up to 1, 2, 2.5 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	exp := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*exp {
			return m * exp
		}
	}
	return 10 * exp
}

// heatmapFigure draws a 7×24 grid (Monday first) shaded by value; what
// says what a value is ("on average").
func heatmapFigure(values [7][24]float64, format func(float64) string, what, alt string, lo layout) *Figure {
	return gapHeatmapFigure(values, nil, format, what, alt, lo)
}

// gapHeatmapFigure is heatmapFigure with cells that have no data (missing,
// may be nil) drawn as gaps: an outlined blank, never the shade of a zero.
func gapHeatmapFigure(values [7][24]float64, missing *[7][24]bool, format func(float64) string, what, alt string, lo layout) *Figure {
	// A narrow (mail) figure has no room for the busiest hour and the
	// colour key on one line: the key gets a line of its own.
	h, keyLine := 200, 0.0
	if lo.w < 500 {
		h, keyLine = 222, 22
	}
	days := []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	draw := func(p painter) {
		x0, y0 := 44.0, padTop+16
		cw := (lo.w - x0 - padRight) / 24
		ch := (float64(h) - y0 - 26 - keyLine) / 7
		var maxV float64
		var peakD, peakH int
		for d := range values {
			for hr, v := range values[d] {
				if v > maxV {
					maxV, peakD, peakH = v, d, hr
				}
			}
		}
		for hr := 0; hr < 24; hr += 3 {
			p.text(twoDigits(hr)+":00", x0+float64(hr)*cw, padTop+8, lo.fontXS, colMuted, 'l')
		}
		for d := range values {
			p.text(days[d], x0-6, y0+float64(d)*ch+ch/2+3, lo.fontXS, colMuted, 'r')
			for hr, v := range values[d] {
				x, y := x0+float64(hr)*cw, y0+float64(d)*ch
				if missing != nil && missing[d][hr] {
					p.rect(x+0.5, y+0.5, x+cw-0.5, y+ch-0.5, colGap)
					p.rect(x+1.5, y+1.5, x+cw-1.5, y+ch-1.5, drawing.ColorWhite)
					continue
				}
				t := 0.0
				if maxV > 0 {
					t = v / maxV
				}
				p.rect(x0+float64(hr)*cw+0.5, y0+float64(d)*ch+0.5, x0+float64(hr+1)*cw-0.5, y0+float64(d+1)*ch-0.5, shade(t))
			}
		}
		p.text("Busiest: "+days[peakD]+" "+twoDigits(peakH)+":00 ("+format(maxV)+" "+what+")", x0, float64(h)-8-keyLine, lo.fontXS, colInk, 'l')
		// Colour key: five steps from 0 to the busiest hour, bottom right.
		const steps, sw = 5, 16.0
		kx := lo.w - padRight - steps*sw - p.width(format(maxV), lo.fontXS) - 6
		p.text(format(0), kx-4, float64(h)-8, lo.fontXS, colMuted, 'r')
		for i := 0; i < steps; i++ {
			p.rect(kx+float64(i)*sw, float64(h)-16, kx+float64(i+1)*sw-1, float64(h)-6, shade(float64(i)/(steps-1)))
		}
		p.text(format(maxV), kx+steps*sw+4, float64(h)-8, lo.fontXS, colMuted, 'l')
		if missing != nil {
			gx := kx - 4 - p.width(format(0), lo.fontXS) - 14 - p.width("no data", lo.fontXS) - 14
			p.rect(gx, float64(h)-16, gx+sw-1, float64(h)-6, colGap)
			p.rect(gx+1, float64(h)-15, gx+sw-2, float64(h)-7, drawing.ColorWhite)
			p.text("no data", gx+sw+3, float64(h)-8, lo.fontXS, colMuted, 'l')
		}
	}
	return &Figure{fig: canvas{w: int(lo.w), h: h, lo: lo, draw: draw}, Width: int(lo.w), Height: h, Alt: alt, lo: lo}
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

// shade goes from a pale to a deep blue.
func shade(t float64) drawing.Color {
	lo, hi := drawing.ColorFromHex("eff6ff"), drawing.ColorFromHex("1e3a8a")
	mix := func(a, b uint8) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*t) }
	return drawing.Color{R: mix(lo.R, hi.R), G: mix(lo.G, hi.G), B: mix(lo.B, hi.B), A: 255}
}

// lane is one agent's status timeline: segments of [from, to) fractions.
type lane struct {
	label    string
	segments []laneSegment
}

type laneSegment struct {
	from, to float64 // 0..1 of the period
	status   string
}

// timelineFigure draws one status lane per agent. Lanes cannot be summed,
// so past FigureLanes the figure shows the agents online longest and a
// line saying how many more the tables hold.
func timelineFigure(lanes []lane, ticks []string, alt string, lo layout) *Figure {
	const laneH, laneGap = 12.0, 4.0
	lanes, more := topLanes(lanes, FigureLanes)
	moreH := 0.0
	if more > 0 {
		moreH = laneH + laneGap
	}
	top := 20.0 // the legend's row
	if lo.htmlLegend {
		top = 4
	}
	legend, legendCols := []string{"Online", "Away", "Offline"}, []drawing.Color{statusCols["Online"], statusCols["Away"], statusCols["Offline"]}
	h := int(padTop + top + float64(len(lanes))*(laneH+laneGap) + moreH + 18)
	draw := func(p painter) {
		if !lo.htmlLegend {
			drawLegend(p, lo, legend, legendCols, padTop+10)
		}
		x0, x1 := lo.labelW, lo.w-padRight
		y := padTop + top
		for _, l := range lanes {
			p.text(p.fit(l.label, lo.fontXS, lo.labelW-10), x0-8, y+laneH-3, lo.fontXS, colInk, 'r')
			p.rect(x0, y, x1, y+laneH, statusCols["Offline"])
			for _, s := range l.segments {
				c, ok := statusCols[s.status]
				if !ok || s.status == "Offline" {
					continue
				}
				p.rect(x0+(x1-x0)*s.from, y, x0+(x1-x0)*s.to, y+laneH, c)
			}
			y += laneH + laneGap
		}
		next := x0 // labels that would run into the one before are left out
		for i, t := range ticks {
			x := x0 + (x1-x0)*float64(i)/float64(len(ticks))
			p.line(x, padTop+top-2, x, y, 0.5, colMuted)
			if w := p.width(t, lo.fontXS); x >= next && x+2+w <= lo.w {
				p.text(t, x+2, y+12, lo.fontXS, colMuted, 'l')
				next = x + 2 + w + 6
			}
		}
		if more > 0 { // below the axis, clear of the tick lines
			p.text(fmt.Sprintf("%s more agents — full table in the PDF/CSV", format.Count(float64(more))), x0, y+12+laneH+laneGap-2, lo.fontXS, colMuted, 'l')
		}
	}
	return &Figure{fig: canvas{w: int(lo.w), h: h, lo: lo, draw: draw}, Width: int(lo.w), Height: h, Alt: alt, lo: lo, legend: lo.legendOf(legend, legendCols)}
}

// surveyBlock is one survey question with its answers.
type surveyBlock struct {
	question string
	answers  []entry
	total    float64
}

func surveyFigure(blocks []surveyBlock, alt string, lo layout) *Figure {
	const headH = 20.0
	rows := 0
	for _, b := range blocks {
		rows += len(b.answers)
	}
	h := int(padTop + float64(len(blocks))*headH + float64(rows)*(lo.barH+lo.barGap) + 4)
	draw := func(p painter) {
		y := padTop
		plotX0, plotX1 := lo.labelW, lo.w-lo.valueW
		for bi, b := range blocks {
			p.text(p.fit(b.question, lo.fontS, lo.w-10), 4, y+13, lo.fontS, colInk, 'l')
			y += headH
			var maxV float64
			for _, a := range b.answers {
				maxV = math.Max(maxV, a.value)
			}
			for _, a := range b.answers {
				p.text(p.fit(a.label, lo.fontS, lo.labelW-14), plotX0-8, y+lo.barH-4, lo.fontS, colInk, 'r')
				p.rect(plotX0, y, plotX1, y+lo.barH, drawing.ColorFromHex("f3f4f6"))
				if maxV > 0 {
					p.rect(plotX0, y, plotX0+(plotX1-plotX0)*a.value/maxV, y+lo.barH, seriesCols[bi%len(seriesCols)])
				}
				share := ""
				if b.total > 0 {
					share = " (" + format.Percent(a.value/b.total) + ")"
				}
				p.text(format.Count(a.value)+share, plotX1+6, y+lo.barH-4, lo.fontXS, colInk, 'l')
				y += lo.barH + lo.barGap
			}
		}
	}
	return &Figure{fig: canvas{w: int(lo.w), h: h, lo: lo, draw: draw}, Width: int(lo.w), Height: h, Alt: alt, lo: lo}
}

// Figures with a row per agent (availability bars, status lanes, ranked
// bars) stop growing here, so a site of any size keeps each figure on one
// A4 or Letter page under the heading and the first table rows, and the
// email PNGs bounded (at most ≈ 1,250 px tall at the default 2× scale).
// The PDF's tables and the CSV keep every row.
var (
	// FigureRows is the most bars a bar chart shows; the rest fold into one.
	// Views already list the top N (at most 25) and "N others (average)".
	FigureRows = 26
	// FigureLanes is the most status lanes a timeline shows.
	FigureLanes = 35
)

// foldBars keeps the first limit-1 bars (callers sort them, largest first)
// and folds the rest into one bar of their average, labelled with their count.
func foldBars(bars []hbar, limit int) []hbar {
	if limit < 2 || len(bars) <= limit {
		return bars
	}
	keep, rest := bars[:limit-1:limit-1], bars[limit-1:]
	var n int
	for _, b := range rest {
		n = max(n, len(b.segments))
	}
	avg := hbar{segments: make([]float64, n), colors: rest[0].colors,
		label: format.Count(float64(len(rest))) + " others (average)"}
	for _, b := range rest {
		for i, s := range b.segments {
			avg.segments[i] += s / float64(len(rest))
		}
	}
	return append(keep, avg)
}

// topLanes keeps the limit lanes with the most time online, in their
// original order, and says how many it left out.
func topLanes(lanes []lane, limit int) ([]lane, int) {
	if limit < 1 || len(lanes) <= limit {
		return lanes, 0
	}
	online := make([]float64, len(lanes))
	idx := make([]int, len(lanes))
	for i, l := range lanes {
		idx[i] = i
		for _, s := range l.segments {
			if s.status == "Online" {
				online[i] += s.to - s.from
			}
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return online[idx[a]] > online[idx[b]] })
	idx = idx[:limit]
	sort.Ints(idx)
	out := make([]lane, limit)
	for i, j := range idx {
		out[i] = lanes[j]
	}
	return out, len(lanes) - limit
}
