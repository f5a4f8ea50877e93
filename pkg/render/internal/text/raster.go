package text

import (
	"image"
	"image/color"
	"io"
	"math"
	"sync"

	"github.com/golang/freetype/raster"
	"github.com/golang/freetype/truetype"
	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
	"reportmailer/pkg/render/internal/png"
)

// rasterRenderer is go-chart's Renderer for the email PNGs, on go-chart's
// own drawing context, with two shortcuts that profiling asked for:
// fills with nothing visible to draw are dropped (go-chart always fills its
// backgrounds; ours are transparent and composited over white when
// encoding), and axis-aligned rectangles (bars, heatmap cells, tracks) are
// written straight into the pixels instead of through the rasteriser.
type rasterRenderer struct {
	img      *image.RGBA
	gc       *drawing.RasterGraphicContext
	style    chart.Style
	rotation *float64
	// pts mirrors the current path while it is made of straight lines only.
	pts      [][2]int
	straight bool
	// faces are the glyph caches this chart borrowed (fonts.go), handed
	// back when it is saved.
	faces map[faceKey]font.Face
}

// face returns the chart's face for the current font, size and DPI.
func (r *rasterRenderer) face() font.Face { return r.faceOf(r.style.Font) }

// runFace returns the face for a run of text: the current font's, or a
// fallback font's at the current size (fonts.go).
func (r *rasterRenderer) runFace(i int) font.Face {
	if i == primary {
		return r.face()
	}
	return r.faceOf(fallbacks[i].load())
}

func (r *rasterRenderer) faceOf(ttf *truetype.Font) font.Face {
	k := faceKey{ttf, r.style.FontSize, r.gc.GetDPI()}
	f, ok := r.faces[k]
	if !ok {
		if r.faces == nil {
			r.faces = map[faceKey]font.Face{}
		}
		f = borrowFace(k)
		r.faces[k] = f
	}
	return f
}

// returnFaces hands the chart's glyph caches back for the next chart.
func (r *rasterRenderer) returnFaces() {
	for k, f := range r.faces {
		returnFace(k, f)
	}
	r.faces = nil
}

// Provider is a chart.RendererProvider for rasterRenderer.
func Provider(w, h int) (chart.Renderer, error) {
	img := newRGBA(w, h)
	gc := drawing.NewRasterGraphicContextWithPainter(img, &overPainter{img: img})
	return &rasterRenderer{img: img, gc: gc, straight: true}, nil
}

// overPainter is freetype's RGBAPainter (draw.Over), byte for byte, with
// two shortcuts for what charts are made of: a span of full coverage in an
// opaque colour is that colour, and along a span a pixel equal to the one
// before it blends to the same result, so a fill over a flat background
// is worked out once per span, not once per pixel.
type overPainter struct {
	img            *image.RGBA
	cr, cg, cb, ca uint32 // 16-bit, premultiplied
}

func (p *overPainter) SetColor(c color.Color) { p.cr, p.cg, p.cb, p.ca = c.RGBA() }

func (p *overPainter) Paint(ss []raster.Span, _ bool) {
	img := p.img
	b := img.Bounds()
	const m = 1<<16 - 1
	for _, s := range ss {
		if s.Y < b.Min.Y {
			continue
		}
		if s.Y >= b.Max.Y {
			return
		}
		x0, x1 := max(s.X0, b.Min.X), min(s.X1, b.Max.X)
		if x0 >= x1 {
			continue
		}
		// The arithmetic is RGBAPainter's, in uint32 as there.
		ma := s.Alpha
		a := (m - (p.ca * ma / m)) * 0x101
		cr, cg, cb, ca := p.cr*ma, p.cg*ma, p.cb*ma, p.ca*ma
		i0 := (s.Y-img.Rect.Min.Y)*img.Stride + (x0-img.Rect.Min.X)*4
		row := img.Pix[i0 : i0+(x1-x0)*4]
		if a == 0 {
			row[0], row[1], row[2], row[3] = uint8(cr/m>>8), uint8(cg/m>>8), uint8(cb/m>>8), uint8(ca/m>>8)
			for n := 4; n < len(row); n *= 2 {
				copy(row[n:], row[:n])
			}
			continue
		}
		var in, out [4]byte
		for i := 0; i < len(row); i += 4 {
			px := row[i : i+4 : i+4]
			if i == 0 || [4]byte(px) != in {
				in = [4]byte(px)
				out = [4]byte{
					uint8((uint32(in[0])*a + cr) / m >> 8),
					uint8((uint32(in[1])*a + cg) / m >> 8),
					uint8((uint32(in[2])*a + cb) / m >> 8),
					uint8((uint32(in[3])*a + ca) / m >> 8),
				}
			}
			copy(px, out[:])
		}
	}
}

// Chart images are a few MB each and short-lived: reusing their pixel
// buffers spares the allocator and the garbage collector most of that.
var pixPool sync.Pool

// newRGBA returns a transparent image, reusing a released buffer when one is large enough.
func newRGBA(w, h int) *image.RGBA {
	n := 4 * w * h
	if p, ok := pixPool.Get().(*[]byte); ok && cap(*p) >= n {
		pix := (*p)[:n]
		clear(pix)
		return &image.RGBA{Pix: pix, Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
	}
	pix := make([]byte, n, max(n, minPixCap))
	touch(pix)
	return &image.RGBA{Pix: pix, Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
}

// minPixCap is the least capacity of a new pixel buffer: the tallest email
// chart (about 1,250 px at 1,200 px wide, render's draw.go), so that any
// released buffer can take any later chart instead of a new one being
// faulted in.
// Pages past what a chart draws are never touched: the spare capacity
// costs address space, not memory. It saved 4% of a digest's CPU.
const minPixCap = 4 * 1200 * 1250

// touch writes a zero into every page of memory that may be new from the
// OS. Go hands such memory out without writing it, and drawing reads a
// pixel before it writes it: the read maps the kernel's shared zero page,
// and the write then faults again to copy it, flushing the TLB of every
// core the process runs on. In a VM (Lambda's Firecracker, or the
// machines the benchmarks ran on) those second faults were a quarter of a
// digest's CPU; written first, each page costs one plain fault.
func touch(b []byte) {
	for i := 0; i < len(b); i += 4096 {
		b[i] = 0
	}
}

// ReleaseRGBA hands an image's buffer back; the image must not be used after.
func ReleaseRGBA(img *image.RGBA) {
	if img != nil {
		pix := img.Pix[:0]
		pixPool.Put(&pix)
	}
}

func (r *rasterRenderer) ResetStyle() {
	r.style = chart.Style{Font: r.style.Font}
	r.ClearTextRotation()
}
func (r *rasterRenderer) GetDPI() float64                 { return r.gc.GetDPI() }
func (r *rasterRenderer) SetDPI(dpi float64)              { r.gc.SetDPI(dpi) }
func (r *rasterRenderer) SetClassName(string)             {}
func (r *rasterRenderer) SetStrokeColor(c drawing.Color)  { r.style.StrokeColor = c }
func (r *rasterRenderer) SetFillColor(c drawing.Color)    { r.style.FillColor = c }
func (r *rasterRenderer) SetStrokeWidth(w float64)        { r.style.StrokeWidth = w }
func (r *rasterRenderer) SetStrokeDashArray(d []float64)  { r.style.StrokeDashArray = d }
func (r *rasterRenderer) SetFont(f *truetype.Font)        { r.style.Font = f }
func (r *rasterRenderer) SetFontSize(size float64)        { r.style.FontSize = size }
func (r *rasterRenderer) SetFontColor(c drawing.Color)    { r.style.FontColor = c }
func (r *rasterRenderer) SetTextRotation(radians float64) { r.rotation = &radians }

func (r *rasterRenderer) ClearTextRotation() {
	r.gc.SetMatrixTransform(drawing.NewIdentityMatrix())
	r.rotation = nil
}

func (r *rasterRenderer) MoveTo(x, y int) {
	r.gc.MoveTo(float64(x), float64(y))
	r.pts = append(r.pts[:0], [2]int{x, y})
	r.straight = true
}

func (r *rasterRenderer) LineTo(x, y int) {
	r.gc.LineTo(float64(x), float64(y))
	r.pts = append(r.pts, [2]int{x, y})
}

func (r *rasterRenderer) QuadCurveTo(cx, cy, x, y int) {
	r.gc.QuadCurveTo(float64(cx), float64(cy), float64(x), float64(y))
	r.straight = false
}

func (r *rasterRenderer) ArcTo(cx, cy int, rx, ry, start, delta float64) {
	r.gc.ArcTo(float64(cx), float64(cy), rx, ry, start, delta)
	r.straight = false
}

func (r *rasterRenderer) Close() { r.gc.Close() }

func (r *rasterRenderer) Circle(radius float64, x, y int) {
	xf, yf := float64(x), float64(y)
	r.gc.MoveTo(xf-radius, yf)
	r.gc.QuadCurveTo(xf-radius, yf-radius, xf, yf-radius)
	r.gc.QuadCurveTo(xf+radius, yf-radius, xf+radius, yf)
	r.gc.QuadCurveTo(xf+radius, yf+radius, xf, yf+radius)
	r.gc.QuadCurveTo(xf-radius, yf+radius, xf-radius, yf)
	r.straight = false
}

func (r *rasterRenderer) strokeVisible() bool {
	return r.style.StrokeColor.A > 0 && r.style.StrokeWidth > 0
}

func (r *rasterRenderer) clearPath() {
	r.gc.BeginPath()
	r.pts = r.pts[:0]
	r.straight = true
}

func (r *rasterRenderer) Stroke() {
	if !r.strokeVisible() {
		r.clearPath()
		return
	}
	r.gc.SetStrokeColor(r.style.StrokeColor)
	r.gc.SetLineWidth(r.style.StrokeWidth)
	r.gc.SetLineDash(r.style.StrokeDashArray, 0)
	r.gc.Stroke()
	r.clearPath()
}

func (r *rasterRenderer) Fill() {
	if r.style.FillColor.A == 0 || r.fillRect() {
		r.clearPath()
		return
	}
	r.gc.SetFillColor(r.style.FillColor)
	r.gc.Fill()
	r.clearPath()
}

func (r *rasterRenderer) FillStroke() {
	if !r.strokeVisible() {
		r.Fill()
		return
	}
	if r.style.FillColor.A == 0 {
		r.Stroke()
		return
	}
	r.gc.SetFillColor(r.style.FillColor)
	r.gc.SetStrokeColor(r.style.StrokeColor)
	r.gc.SetLineWidth(r.style.StrokeWidth)
	r.gc.SetLineDash(r.style.StrokeDashArray, 0)
	r.gc.FillStroke()
	r.clearPath()
}

// fillRect fills the current path directly if it is an axis-aligned
// rectangle, blending premultiplied colour over the pixels.
func (r *rasterRenderer) fillRect() bool {
	if !r.straight || len(r.pts) < 4 || len(r.pts) > 5 || r.rotation != nil {
		return false
	}
	minX, minY, maxX, maxY := math.MaxInt, math.MaxInt, math.MinInt, math.MinInt
	for _, p := range r.pts {
		minX, maxX = min(minX, p[0]), max(maxX, p[0])
		minY, maxY = min(minY, p[1]), max(maxY, p[1])
	}
	for _, p := range r.pts { // every corner must lie on the box's corners
		if (p[0] != minX && p[0] != maxX) || (p[1] != minY && p[1] != maxY) {
			return false
		}
	}
	for i := 1; i < len(r.pts); i++ { // and every edge must be horizontal or vertical
		if r.pts[i][0] != r.pts[i-1][0] && r.pts[i][1] != r.pts[i-1][1] {
			return false
		}
	}
	box := image.Rect(minX, minY, maxX, maxY).Intersect(r.img.Rect)
	c := r.style.FillColor
	a := uint32(c.A)
	sr, sg, sb := uint32(c.R)*a/255, uint32(c.G)*a/255, uint32(c.B)*a/255
	inv := 255 - a
	if a == 255 && !box.Empty() { // opaque: paint one row, copy it down
		first := r.img.Pix[box.Min.Y*r.img.Stride+4*box.Min.X : box.Min.Y*r.img.Stride+4*box.Max.X]
		for i := 0; i < len(first); i += 4 {
			first[i], first[i+1], first[i+2], first[i+3] = c.R, c.G, c.B, 255
		}
		for y := box.Min.Y + 1; y < box.Max.Y; y++ {
			copy(r.img.Pix[y*r.img.Stride+4*box.Min.X:y*r.img.Stride+4*box.Max.X], first)
		}
		return true
	}
	for y := box.Min.Y; y < box.Max.Y; y++ {
		row := r.img.Pix[y*r.img.Stride+4*box.Min.X : y*r.img.Stride+4*box.Max.X]
		for i := 0; i < len(row); i += 4 {
			row[i] = uint8(sr + uint32(row[i])*inv/255)
			row[i+1] = uint8(sg + uint32(row[i+1])*inv/255)
			row[i+2] = uint8(sb + uint32(row[i+2])*inv/255)
			row[i+3] = uint8(a + uint32(row[i+3])*inv/255)
		}
	}
	return true
}

func (r *rasterRenderer) Text(body string, x, y int) {
	if r.rotation == nil && r.style.Font != nil {
		c := r.style.FontColor
		d := font.Drawer{Dst: r.img, Src: image.NewUniform(color.NRGBA{R: c.R, G: c.G, B: c.B, A: c.A}), Face: r.face(), Dot: fixed.P(x, y)}
		if body = Visual(body); !needsFallback(body) {
			d.DrawString(body)
		} else {
			for _, run := range fontRuns(body) {
				d.Face = r.runFace(run.font)
				d.DrawString(run.text)
			}
		}
		r.clearPath()
		return
	}
	xf, yf := float64(x), float64(y)
	if r.rotation != nil {
		r.gc.Translate(xf, yf)
		r.gc.Rotate(*r.rotation)
		xf, yf = 0, 0
	}
	r.gc.SetFont(r.style.Font)
	r.gc.SetFontSize(r.style.FontSize)
	r.gc.SetFillColor(r.style.FontColor)
	_, _ = r.gc.CreateStringPath(body, xf, yf)
	r.gc.Fill()
	r.clearPath()
}

func (r *rasterRenderer) MeasureText(body string) chart.Box {
	if r.rotation == nil && r.style.Font != nil {
		bounds := r.boundString(Visual(body))
		l, t := float64(bounds.Min.X)/64, float64(bounds.Min.Y)/64
		rt, b := float64(bounds.Max.X)/64, float64(bounds.Max.Y)/64
		return chart.Box{Right: int(math.Ceil(rt - math.Min(0, l))), Bottom: int(math.Ceil(b - math.Min(0, t)))}
	}
	r.gc.SetFont(r.style.Font)
	r.gc.SetFontSize(r.style.FontSize)
	l, t, rt, b, err := r.gc.GetStringBounds(body)
	if err != nil {
		return chart.Box{}
	}
	box := chart.Box{Right: int(math.Ceil(rt - math.Min(0, l))), Bottom: int(math.Ceil(b - math.Min(0, t)))}
	if r.rotation != nil {
		return box.Corners().Rotate(chart.RadiansToDegrees(*r.rotation)).Box()
	}
	return box
}

// boundString is font.BoundString over the string's runs by font.
func (r *rasterRenderer) boundString(s string) fixed.Rectangle26_6 {
	if !needsFallback(s) {
		b, _ := font.BoundString(r.face(), s)
		return b
	}
	var all fixed.Rectangle26_6
	var dot fixed.Int26_6
	for i, run := range fontRuns(s) {
		b, adv := font.BoundString(r.runFace(run.font), run.text)
		b = b.Add(fixed.Point26_6{X: dot})
		if i == 0 {
			all = b
		} else {
			all = all.Union(b)
		}
		dot += adv
	}
	return all
}

// Save hands the image to an RGBA collector, or encodes it as PNG.
func (r *rasterRenderer) Save(w io.Writer) error {
	r.returnFaces()
	if c, ok := w.(chart.RGBACollector); ok {
		c.SetRGBA(r.img)
		return nil
	}
	return png.Encode(w, r.img)
}
