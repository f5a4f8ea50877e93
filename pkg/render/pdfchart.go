package render

import (
	"io"
	"math"

	"github.com/golang/freetype/truetype"
	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"

	"reportmailer/pkg/render/internal/text"
)

// pdfRenderer implements go-chart's Renderer on a region of a gofpdf page,
// so the same chart code that makes the email's PNGs draws crisp vectors in
// the PDF, and text is measured with the PDF's own font metrics (no
// freetype rasterising at all). One chart pixel is `scale` millimetres.
type pdfRenderer struct {
	pdf          *text.PDF
	x0, y0       float64 // top-left of the chart on the page, mm
	scale        float64 // mm per chart pixel
	dpi          float64
	stroke, fill drawing.Color
	fontColor    drawing.Color
	strokeWidth  float64
	dash         []float64
	fontSize     float64 // points at the chart's DPI
	rotation     *float64
	path         []pathOp
}

type pathOp struct {
	kind                 byte // M, L, Q, Z
	x, y, cx, cy         float64
	rx, ry, start, delta float64
}

// pdfProvider returns a RendererProvider drawing into the box at (x, y) mm
// with the given width in mm; chart pixels scale to fit.
func pdfProvider(pdf *text.PDF, x, y, widthMM float64) chart.RendererProvider {
	return func(w, h int) (chart.Renderer, error) {
		return &pdfRenderer{pdf: pdf, x0: x, y0: y, scale: widthMM / float64(w), dpi: 72, strokeWidth: 1, fontSize: 10}, nil
	}
}

func (r *pdfRenderer) px(x, y float64) (float64, float64) { return r.x0 + x*r.scale, r.y0 + y*r.scale }

func (r *pdfRenderer) ResetStyle() {
	r.stroke, r.fill, r.fontColor = drawing.Color{}, drawing.Color{}, drawing.Color{}
	r.strokeWidth, r.dash, r.rotation = 1, nil, nil
}
func (r *pdfRenderer) GetDPI() float64                        { return r.dpi }
func (r *pdfRenderer) SetDPI(dpi float64)                     { r.dpi = dpi }
func (r *pdfRenderer) SetClassName(string)                    {}
func (r *pdfRenderer) SetStrokeColor(c drawing.Color)         { r.stroke = c }
func (r *pdfRenderer) SetFillColor(c drawing.Color)           { r.fill = c }
func (r *pdfRenderer) SetStrokeWidth(w float64)               { r.strokeWidth = w }
func (r *pdfRenderer) SetStrokeDashArray(dashArray []float64) { r.dash = dashArray }
func (r *pdfRenderer) SetFont(*truetype.Font)                 {}
func (r *pdfRenderer) SetFontColor(c drawing.Color)           { r.fontColor = c }
func (r *pdfRenderer) SetFontSize(size float64)               { r.fontSize = size }
func (r *pdfRenderer) SetTextRotation(radians float64)        { r.rotation = &radians }
func (r *pdfRenderer) ClearTextRotation()                     { r.rotation = nil }
func (r *pdfRenderer) Save(io.Writer) error                   { return nil }

func (r *pdfRenderer) MoveTo(x, y int) {
	r.path = append(r.path, pathOp{kind: 'M', x: float64(x), y: float64(y)})
}
func (r *pdfRenderer) LineTo(x, y int) {
	r.path = append(r.path, pathOp{kind: 'L', x: float64(x), y: float64(y)})
}
func (r *pdfRenderer) QuadCurveTo(cx, cy, x, y int) {
	r.path = append(r.path, pathOp{kind: 'Q', cx: float64(cx), cy: float64(cy), x: float64(x), y: float64(y)})
}
func (r *pdfRenderer) ArcTo(cx, cy int, rx, ry, start, delta float64) {
	r.path = append(r.path, pathOp{kind: 'A', x: float64(cx), y: float64(cy), rx: rx, ry: ry, start: start, delta: delta})
}
func (r *pdfRenderer) Close() { r.path = append(r.path, pathOp{kind: 'Z'}) }

// Circle draws at once, as go-chart's SVG renderer does.
func (r *pdfRenderer) Circle(radius float64, x, y int) {
	cx, cy := r.px(float64(x), float64(y))
	style := r.apply(r.fill.A > 0, r.stroke.A > 0 && r.strokeWidth > 0)
	if style != "" {
		r.pdf.Circle(cx, cy, radius*r.scale, style)
	}
	r.restore()
}

func (r *pdfRenderer) Stroke()     { r.draw(false, true) }
func (r *pdfRenderer) Fill()       { r.draw(true, false) }
func (r *pdfRenderer) FillStroke() { r.draw(true, true) }

func rgb(c drawing.Color) (int, int, int) { return int(c.R), int(c.G), int(c.B) }

// apply sets colours, width, dash and alpha; it returns the gofpdf style string.
func (r *pdfRenderer) apply(fill, stroke bool) string {
	style := ""
	alpha := 1.0
	if fill && r.fill.A > 0 {
		r.pdf.SetFillColor(rgb(r.fill))
		style += "F"
		alpha = float64(r.fill.A) / 255
	}
	if stroke && r.stroke.A > 0 && r.strokeWidth > 0 {
		r.pdf.SetDrawColor(rgb(r.stroke))
		r.pdf.SetLineWidth(r.strokeWidth * r.scale)
		if len(r.dash) > 0 {
			d := make([]float64, len(r.dash))
			for i, v := range r.dash {
				d[i] = v * r.scale
			}
			r.pdf.SetDashPattern(d, 0)
		}
		style = "D" + style
		if style == "DF" {
			style = "FD"
		}
		if style == "D" {
			alpha = float64(r.stroke.A) / 255
		}
	}
	if alpha < 1 {
		r.pdf.SetAlpha(alpha, "Normal")
	}
	return style
}

func (r *pdfRenderer) restore() {
	r.pdf.SetAlpha(1, "Normal")
	r.pdf.SetDashPattern(nil, 0)
}

func (r *pdfRenderer) draw(fill, stroke bool) {
	defer func() { r.path = r.path[:0] }()
	style := r.apply(fill, stroke)
	if style == "" || len(r.path) == 0 {
		r.restore()
		return
	}
	for _, op := range r.path {
		switch op.kind {
		case 'M':
			r.pdf.MoveTo(r.px(op.x, op.y))
		case 'L':
			r.pdf.LineTo(r.px(op.x, op.y))
		case 'Q':
			cx, cy := r.px(op.cx, op.cy)
			x, y := r.px(op.x, op.y)
			r.pdf.CurveTo(cx, cy, x, y)
		case 'A':
			cx, cy := r.px(op.x, op.y)
			start := -op.start * 180 / math.Pi
			r.pdf.ArcTo(cx, cy, op.rx*r.scale, op.ry*r.scale, 0, start, start-op.delta*180/math.Pi)
		case 'Z':
			r.pdf.ClosePath()
		}
	}
	r.pdf.DrawPath(style)
	r.restore()
}

// fontPt is the PDF font size that matches the chart's font size after scaling.
func (r *pdfRenderer) fontPt() float64 {
	pxSize := r.fontSize * r.dpi / 72
	return pxSize * r.scale * 72 / 25.4
}

func (r *pdfRenderer) Text(body string, x, y int) {
	r.pdf.SetFont(text.FontFamily, "", r.fontPt())
	r.pdf.SetTextColor(rgb(r.fontColor))
	tx, ty := r.px(float64(x), float64(y))
	if r.rotation != nil {
		r.pdf.TransformBegin()
		r.pdf.TransformRotate(-*r.rotation*180/math.Pi, tx, ty)
		r.pdf.Text(tx, ty, body)
		r.pdf.TransformEnd()
		return
	}
	r.pdf.Text(tx, ty, body)
}

func (r *pdfRenderer) MeasureText(body string) chart.Box {
	r.pdf.SetFont(text.FontFamily, "", r.fontPt())
	w := r.pdf.GetStringWidth(body) / r.scale
	h := r.fontSize * r.dpi / 72 * 0.75 // cap height, close to what freetype reports
	box := chart.Box{Right: int(math.Ceil(w)), Bottom: int(math.Ceil(h))}
	if r.rotation != nil {
		return box.Corners().Rotate(chart.RadiansToDegrees(*r.rotation)).Box()
	}
	return box
}
