package png

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image"
	"image/color"
	stdpng "image/png"
	"io"
	"math"
	"math/rand/v2"
	"testing"
)

// TestEncodePNG decodes what Encode writes with the standard library:
// few colours come back exact (as a palette image), many colours come
// back within a small distance, alpha composited over white.
func TestEncodePNG(t *testing.T) {
	t.Parallel()
	few := image.NewRGBA(image.Rect(0, 0, 37, 23))
	many := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 23; y++ {
		for x := 0; x < 37; x++ {
			a := uint8([]uint8{0, 128, 255}[(x+y)%3])
			few.SetRGBA(x, y, color.RGBA{R: a / 2, G: 0, B: a, A: a}) // premultiplied
		}
	}
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			many.SetRGBA(x, y, color.RGBA{R: uint8(4 * x), G: uint8(4 * y), B: 200, A: 255})
		}
	}
	// A chart: two flat fills, and 400 shades of anti-aliased edge in a row.
	chart := image.NewRGBA(image.Rect(0, 0, 500, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 500; x++ {
			c := color.RGBA{R: 37, G: 99, B: 235, A: 255}
			if y >= 150 {
				c = color.RGBA{R: 245, G: 158, B: 11, A: 255}
			}
			if y == 149 && x < 400 {
				c = color.RGBA{R: uint8(x / 2), G: 99, B: 235 - uint8(x/4), A: 255}
			}
			chart.SetRGBA(x, y, c)
		}
	}
	for _, tc := range []struct {
		name     string
		img      *image.RGBA
		paletted bool
		maxDist  int
	}{{"few colours", few, true, 0}, {"a chart's edge shades", chart, true, 3 * 8 * 8}, {"a gradient (RGB)", many, false, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(&buf, tc.img); err != nil {
				t.Fatal(err)
			}
			checkZlib(t, buf.Bytes())
			// Encoders reuse their working memory: a second encoding, after
			// the other cases, must give the same bytes.
			var again bytes.Buffer
			for _, other := range []*image.RGBA{few, chart, many} {
				if err := Encode(io.Discard, other); err != nil {
					t.Fatal(err)
				}
			}
			if err := Encode(&again, tc.img); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
				t.Fatalf("a second encoding differs (%v)", err)
			}
			got, err := stdpng.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := got.(*image.Paletted); ok != tc.paletted {
				t.Errorf("decoded as %T, palette image: %v, want %v", got, ok, tc.paletted)
			}
			if got.Bounds() != tc.img.Bounds() {
				t.Fatalf("bounds %v, want %v", got.Bounds(), tc.img.Bounds())
			}
			for y := 0; y < tc.img.Rect.Dy(); y++ {
				for x := 0; x < tc.img.Rect.Dx(); x++ {
					want := tc.img.RGBAAt(x, y)
					inv := 255 - want.A
					wr, wg, wb := int(want.R+inv), int(want.G+inv), int(want.B+inv)
					r, g, b, _ := got.At(x, y).RGBA()
					dr, dg, db := int(r>>8)-wr, int(g>>8)-wg, int(b>>8)-wb
					if d := dr*dr + dg*dg + db*db; d > tc.maxDist {
						t.Fatalf("(%d,%d) = %d,%d,%d, want %d,%d,%d", x, y, r>>8, g>>8, b>>8, wr, wg, wb)
					}
				}
			}
		})
	}
}

// checkZlib inflates the IDAT stream to its end, which verifies the
// Adler-32 checksum (image/png may stop reading before it).
func checkZlib(t *testing.T, p []byte) {
	t.Helper()
	var idat []byte
	for i := 8; i+12 <= len(p); {
		n := int(binary.BigEndian.Uint32(p[i:]))
		if string(p[i+4:i+8]) == "IDAT" {
			idat = append(idat, p[i+8:i+8+n]...)
		}
		i += 12 + n
	}
	zr, err := zlib.NewReader(bytes.NewReader(idat))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(zr); err != nil {
		t.Fatalf("IDAT: %v", err)
	}
}

// TestPaletteLUTIsNearest checks the pruned search against trying every
// kept colour: the nearest in RGB, ties to the lower palette index.
func TestPaletteLUTIsNearest(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 20; round++ {
		n := 257 + rng.IntN(3000)
		rgb := make([]uint32, n)
		count := make([]int, n)
		seen := map[uint32]bool{}
		for i := range rgb {
			c := rng.Uint32() & 0xffffff
			if round%2 == 0 { // few distinct channel values: many ties
				c &= 0xc0c0c0
			}
			for seen[c] {
				c = (c + 0x010305) & 0xffffff
			}
			seen[c] = true
			rgb[i], count[i] = c, rng.IntN(50)
		}
		lut, kept := paletteLUT(rgb, count)
		for id, c := range rgb {
			want, wantD := 0, math.MaxInt
			for p, k := range kept {
				kc := rgb[k]
				dr, dg, db := int(c>>16)-int(kc>>16), int(c>>8&0xff)-int(kc>>8&0xff), int(c&0xff)-int(kc&0xff)
				if d := dr*dr + dg*dg + db*db; d < wantD {
					want, wantD = p, d
				}
			}
			if int(lut[id]) != want {
				t.Fatalf("round %d: colour %06x maps to %d, want %d", round, c, lut[id], want)
			}
		}
	}
}
