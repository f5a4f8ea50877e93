package render

import (
	"image"
	"io"
	"math"

	chart "github.com/wcharczuk/go-chart/v2"

	"reportmailer/pkg/render/internal/png"
	"reportmailer/pkg/render/internal/text"
)

// Mail charts sit on a card of their own: a white panel with a thin
// border and rounded corners, drawn into the PNG with the corners outside
// it transparent. A client that darkens the mail (Apple Mail's and
// Outlook.com's dark mode through the mail's own styles, Gmail's forced
// inversion, which recolours the HTML but never images) then shows a
// deliberate light card on the dark page rather than a raw white box, and
// in light mode the card frames the chart on the white mail.
const (
	cardPad    = 10.0 // logical px of white around the chart
	cardRadius = 8.0
)

var cardBorder = [4]byte{0xd9, 0xde, 0xe4, 0xff} // RGBA

// clearPixel marks a pixel outside the card: png.EncodeClear writes it
// transparent.
var clearPixel = png.ClearPixel

// cardFrame draws the card's frame on img, a figure drawn cardPad logical
// px in from every edge (layout.margin): a border one logical px wide and
// rounded corners marked clearPixel outside the arc. What is left
// transparent becomes the card's white when encoded.
func cardFrame(img *image.RGBA, scale float64) {
	bw := max(1, int(math.Round(scale)))
	r := cardRadius * scale
	ri := int(math.Ceil(r))
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	border := make([]byte, 4*w)
	for x := 0; x < w; x++ {
		copy(border[4*x:], cardBorder[:])
	}
	rowOf := func(y int) []byte {
		o := (y+b.Min.Y-img.Rect.Min.Y)*img.Stride + 4*(b.Min.X-img.Rect.Min.X)
		return img.Pix[o : o+4*w]
	}
	for y := 0; y < h; y++ {
		row := rowOf(y)
		if y < bw || y >= h-bw {
			copy(row, border)
			continue
		}
		copy(row[:4*bw], border)
		copy(row[4*(w-bw):], border)
	}
	// The rounded corners: outside the arc clear, along it the border.
	for y := 0; y < min(ri, h/2); y++ {
		for _, py := range [2]int{y, h - 1 - y} {
			row := rowOf(py)
			for x := 0; x < min(ri, w/2); x++ {
				d := math.Hypot(r-float64(x)-0.5, r-float64(y)-0.5)
				var c []byte
				switch {
				case d > r:
					c = clearPixel[:]
				case d > r-float64(bw):
					c = cardBorder[:]
				default:
					continue
				}
				copy(row[4*x:], c)
				copy(row[4*(w-1-x):], c)
			}
		}
	}
}

// rgbaCollector receives the raster renderer's image instead of go-chart's own PNG encoding.
type rgbaCollector struct{ img *image.RGBA }

func (c *rgbaCollector) SetRGBA(i *image.RGBA)       { c.img = i }
func (c *rgbaCollector) Write(p []byte) (int, error) { return len(p), nil }

var _ chart.RGBACollector = (*rgbaCollector)(nil)

// renderPNG draws a figure with go-chart's raster renderer and encodes it
// (internal/png); a mail figure (layout.card) on its card, with
// transparent corners.
func renderPNG(f *Figure, w io.Writer) error {
	var c rgbaCollector
	if err := f.fig.Render(text.Provider, &c); err != nil {
		return err
	}
	defer text.ReleaseRGBA(c.img)
	if !f.lo.card {
		return png.Encode(w, c.img)
	}
	cardFrame(c.img, f.lo.scale)
	return png.EncodeClear(w, c.img)
}
