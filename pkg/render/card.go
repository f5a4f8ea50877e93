package render

import (
	"encoding/binary"
	"image"
	"math"
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

// cardFrame returns src (premultiplied, drawn on nothing) composited over
// a white card cardPad logical px larger on every side, with a border one
// logical px wide and transparent corners outside its rounded edge.
func cardFrame(src *image.RGBA, scale float64) *image.RGBA {
	pad := int(math.Round(cardPad * scale))
	bw := max(1, int(math.Round(scale)))
	r := cardRadius * scale
	sb := src.Bounds()
	w, h := sb.Dx()+2*pad, sb.Dy()+2*pad
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	ri := int(math.Ceil(r))
	for y := 0; y < h; y++ {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
		// Across the row: border, white, the chart over white, white, border.
		edge := y < bw || y >= h-bw
		for x := 0; x < w; x++ {
			var c [4]byte
			if edge || x < bw || x >= w-bw {
				c = cardBorder
			} else {
				c = [4]byte{0xff, 0xff, 0xff, 0xff}
			}
			copy(row[4*x:], c[:])
		}
		if sy := y - pad; !edge && sy >= 0 && sy < sb.Dy() {
			s := src.Pix[(sy+sb.Min.Y-src.Rect.Min.Y)*src.Stride+4*(sb.Min.X-src.Rect.Min.X):]
			d := row[4*pad:]
			for x := 0; x < sb.Dx(); x++ {
				p := binary.LittleEndian.Uint32(s[4*x:])
				switch a := byte(p >> 24); a {
				case 0: // white stays
				case 0xff:
					binary.LittleEndian.PutUint32(d[4*x:], p)
				default:
					inv := 0xff - a
					d[4*x], d[4*x+1], d[4*x+2], d[4*x+3] = byte(p)+inv, byte(p>>8)+inv, byte(p>>16)+inv, 0xff
				}
			}
		}
		// The rounded corners: outside the arc transparent, along it border.
		if y >= ri && y < h-ri {
			continue
		}
		cy := r
		if y >= h-ri {
			cy = float64(h) - r
		}
		for x := 0; x < ri; x++ {
			for _, px := range [2]int{x, w - 1 - x} {
				cx := r
				if px >= w-ri {
					cx = float64(w) - r
				}
				d := math.Hypot(float64(px)+0.5-cx, float64(y)+0.5-cy)
				switch {
				case d > r:
					copy(row[4*px:], []byte{0, 0, 0, 0})
				case d > r-float64(bw):
					copy(row[4*px:], cardBorder[:])
				}
			}
		}
	}
	return dst
}
