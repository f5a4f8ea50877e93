package text

import (
	"bytes"
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"github.com/golang/freetype/raster"
)

// TestOverPainterIsRGBAPainter paints the same spans with overPainter and
// freetype's RGBAPainter over the same pixels: the bytes must be equal,
// for opaque and translucent colours, full and partial coverage, flat and
// varied backgrounds, and spans partly or wholly outside the image.
func TestOverPainterIsRGBAPainter(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 300; round++ {
		w, h := 1+rng.IntN(40), 1+rng.IntN(10)
		a := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := 0; i < len(a.Pix); i += 4 {
			if rng.IntN(4) == 0 || i == 0 { // runs of one pixel value, premultiplied
				al := uint8(rng.IntN(256))
				a.Pix[i], a.Pix[i+1], a.Pix[i+2], a.Pix[i+3] = uint8(rng.IntN(int(al)+1)), uint8(rng.IntN(int(al)+1)), uint8(rng.IntN(int(al)+1)), al
			} else {
				copy(a.Pix[i:i+4], a.Pix[i-4:i])
			}
		}
		b := image.NewRGBA(a.Rect)
		copy(b.Pix, a.Pix)
		c := color.NRGBA{R: uint8(rng.IntN(256)), G: uint8(rng.IntN(256)), B: uint8(rng.IntN(256)), A: []uint8{255, 255, 0, uint8(rng.IntN(256))}[rng.IntN(4)]}
		var spans []raster.Span
		for k := 0; k < 1+rng.IntN(6); k++ {
			x0 := rng.IntN(w+10) - 5
			alpha := []uint32{0xffff, 0xffff, 0, uint32(rng.IntN(0x10000))}[rng.IntN(4)]
			spans = append(spans, raster.Span{Y: rng.IntN(h+4) - 2, X0: x0, X1: x0 + rng.IntN(w+5), Alpha: alpha})
		}
		want := raster.NewRGBAPainter(a)
		want.SetColor(c)
		want.Paint(spans, true)
		got := &overPainter{img: b}
		got.SetColor(c)
		got.Paint(spans, true)
		if !bytes.Equal(a.Pix, b.Pix) {
			t.Fatalf("round %d: colour %v, spans %+v:\n got %v\nwant %v", round, c, spans, b.Pix, a.Pix)
		}
	}
}
