package render

import (
	"sync"

	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/math/fixed"
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
// and keeps the mask, so text becomes a mask copy per glyph. A face is not
// safe for concurrent use, and charts render side by side: each chart
// borrows a face from a free list per (font, size, DPI) and returns it when
// done, so no two charts share one and none waits for another (a shared,
// locked face serialised the charts' text and cost more than it saved).
type faceKey struct {
	font      *truetype.Font
	size, dpi float64
}

var (
	idleFacesMu sync.Mutex
	idleFaces   = map[faceKey][]font.Face{}
)

// borrowFace returns a face for a font at a size (points) and DPI, for the
// caller alone until it hands it back with returnFace.
func borrowFace(k faceKey) font.Face {
	idleFacesMu.Lock()
	if free := idleFaces[k]; len(free) > 0 {
		f := free[len(free)-1]
		idleFaces[k] = free[:len(free)-1]
		idleFacesMu.Unlock()
		return f
	}
	idleFacesMu.Unlock()
	f := truetype.NewFace(k.font, &truetype.Options{Size: k.size, DPI: k.dpi, Hinting: font.HintingNone, GlyphCacheEntries: 256})
	return &measuredFace{Face: f, bounds: map[rune]glyphBounds{}}
}

// measuredFace remembers a face's glyph bounds. truetype caches the
// glyphs it draws but loads a glyph's outline again for every
// GlyphBounds, and go-chart measures each label several times while it
// lays a chart out.
type measuredFace struct {
	font.Face
	bounds map[rune]glyphBounds
}

type glyphBounds struct {
	bounds  fixed.Rectangle26_6
	advance fixed.Int26_6
	ok      bool
}

// maxMeasured bounds the glyphs a face remembers: faces live as long as
// the process, and hostile names can bring any number of distinct runes.
const maxMeasured = 4096

func (f *measuredFace) GlyphBounds(r rune) (fixed.Rectangle26_6, fixed.Int26_6, bool) {
	g, seen := f.bounds[r]
	if !seen {
		g.bounds, g.advance, g.ok = f.Face.GlyphBounds(r)
		if len(f.bounds) < maxMeasured {
			f.bounds[r] = g
		}
	}
	return g.bounds, g.advance, g.ok
}

// returnFace hands a borrowed face back for the next chart.
func returnFace(k faceKey, f font.Face) {
	idleFacesMu.Lock()
	idleFaces[k] = append(idleFaces[k], f)
	idleFacesMu.Unlock()
}
