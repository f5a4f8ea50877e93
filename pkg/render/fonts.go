package render

import (
	"sync"

	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// The Go fonts (BSD licence, shipped in golang.org/x/image; see its
// LICENSE) cover Latin, Greek and Cyrillic (WGL4), so agent names such as
// "Zoë Brontë", "Αλέξης" and "Дмитрий" render in the PDF and the PNGs.
// gofpdf's core fonts could not: they are Latin-1 only.

const fontFamily = "Go"

var (
	fontOnce sync.Once
	ttf      *truetype.Font
	ttfBold  *truetype.Font
)

// chartFonts parses the TTFs once per process, not once per chart.
func chartFonts() (*truetype.Font, *truetype.Font) {
	fontOnce.Do(func() {
		var err error
		if ttf, err = truetype.Parse(goregular.TTF); err != nil {
			panic("render: parsing Go Regular: " + err.Error())
		}
		if ttfBold, err = truetype.Parse(gobold.TTF); err != nil {
			panic("render: parsing Go Bold: " + err.Error())
		}
	})
	return ttf, ttfBold
}

// A glyph cache for the email PNGs: go-chart's raster context turns every
// string into outlines and rasterises them again each time it is drawn or
// measured. A truetype face renders each glyph once per (font, size, DPI)
// and keeps the mask, so text becomes a mask copy per glyph. Faces are not
// safe for concurrent use, hence a lock on each; charts render a few at a
// time, so the locks are rarely contended.
type faceKey struct {
	font      *truetype.Font
	size, dpi float64
}

type lockedFace struct {
	sync.Mutex
	face font.Face
}

var (
	facesMu sync.Mutex
	faces   = map[faceKey]*lockedFace{}
)

// cachedFace returns the shared face for a font at a size (points) and DPI.
func cachedFace(f *truetype.Font, size, dpi float64) *lockedFace {
	k := faceKey{f, size, dpi}
	facesMu.Lock()
	defer facesMu.Unlock()
	lf, ok := faces[k]
	if !ok {
		lf = &lockedFace{face: truetype.NewFace(f, &truetype.Options{Size: size, DPI: dpi, Hinting: font.HintingNone, GlyphCacheEntries: 256})}
		faces[k] = lf
	}
	return lf
}
