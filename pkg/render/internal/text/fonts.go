package text

import (
	"embed"
	"sync"

	"unicode"
	"unicode/utf8"

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

// FontFamily is the Go fonts' family name in the PDF.
const FontFamily = "Go"

// The fallback chain: for every script the Go fonts lack, an open-licence
// TrueType font from fonts/ (see fonts/README.md for sources and
// licences), tried in this order. Each is parsed the first time a string
// needs it, so Latin-only digests never touch them. They come in one
// weight: bold text in these scripts is drawn regular.
//
//go:embed fonts/*.ttf
var fallbackFS embed.FS

var fallbacks = []*fallbackFont{
	{file: "NotoSans-Regular.ttf"}, // Latin (Vietnamese), Greek, Cyrillic
	{file: "NotoSansArabic-Regular.ttf"},
	{file: "NotoSansHebrew-Regular.ttf"},
	{file: "NotoSansThai-Regular.ttf"},
	{file: "NotoSansDevanagari-Regular.ttf"},
	{file: "DroidSansFallbackFull.ttf"}, // CJK ideographs, kana
	{file: "NanumSquareR.ttf"},          // Hangul
}

// fallbackFont is one font of the chain, loaded once per process.
type fallbackFont struct {
	file string
	once sync.Once
	raw  []byte
	ttf  *truetype.Font
}

func (f *fallbackFont) load() *truetype.Font {
	f.once.Do(func() {
		var err error
		if f.raw, err = fallbackFS.ReadFile("fonts/" + f.file); err != nil {
			panic("render: reading " + f.file + ": " + err.Error())
		}
		if f.ttf, err = truetype.Parse(f.raw); err != nil {
			panic("render: parsing " + f.file + ": " + err.Error())
		}
	})
	return f.ttf
}

// primary marks the Go fonts in a run's font index.
const primary = -1

// coversFast is the range the Go fonts are known to cover in full
// (Basic Latin through Latin Extended-A), looked up without a cmap.
const coversFast = 0x180

var (
	fontForMu sync.Mutex
	fontForM  = map[rune]int8{}
)

// fontFor returns the first font of the chain (primary, or an index into
// fallbacks) with a glyph for r; primary if none has one.
func fontFor(r rune) int {
	if r < coversFast {
		return primary
	}
	fontForMu.Lock()
	i, ok := fontForM[r]
	fontForMu.Unlock()
	if ok {
		return int(i)
	}
	i = primary
	if regular, _ := ChartFonts(); regular.Index(r) == 0 && !unicode.IsSpace(r) && !unicode.In(r, unicode.Cc, unicode.Cf) {
		for j, f := range fallbacks {
			if f.load().Index(r) != 0 {
				i = int8(j)
				break
			}
		}
	}
	fontForMu.Lock()
	if len(fontForM) < maxMeasured {
		fontForM[r] = i
	}
	fontForMu.Unlock()
	return int(i)
}

// needsFallback reports whether any rune of s is drawn from a fallback font.
func needsFallback(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			for _, r := range s[i:] {
				if fontFor(r) != primary {
					return true
				}
			}
			return false
		}
	}
	return false
}

// textRun is a piece of a string drawn in one font of the chain.
type textRun struct {
	text string
	font int // primary or an index into fallbacks
}

// fontRuns splits a string (already in visual order) into runs by font.
// A word keeps to one font where one covers it whole, so a Vietnamese
// name is not drawn half in Go and half in Noto Sans; otherwise each rune
// takes the first font that has it, and a combining mark its base's.
func fontRuns(s string) []textRun {
	var runs []textRun
	add := func(text string, font int) {
		if n := len(runs); n > 0 && runs[n-1].font == font {
			runs[n-1].text += text
			return
		}
		runs = append(runs, textRun{text, font})
	}
	for len(s) > 0 {
		// The next word, and the spaces after it.
		end := len(s)
		for i, r := range s {
			if unicode.IsSpace(r) {
				end = i
				break
			}
		}
		word := s[:end]
		for end < len(s) {
			r, n := utf8.DecodeRuneInString(s[end:])
			if !unicode.IsSpace(r) {
				break
			}
			end += n
		}
		tail := s[len(word):end]
		s = s[end:]
		if font, ok := wordFont(word); ok {
			add(word+tail, font)
			continue
		}
		prev := primary
		for _, r := range word {
			f := fontFor(r)
			if f != primary || !unicode.In(r, unicode.Mn, unicode.Me) {
				prev = f
			}
			add(string(r), prev)
		}
		add(tail, prev)
	}
	return runs
}

// wordFont returns the font for a whole word: primary if the Go fonts
// cover it, else the first fallback from the first one it needs that
// covers every rune; false if none does.
func wordFont(word string) (int, bool) {
	need := primary
	for _, r := range word {
		if f := fontFor(r); f != primary {
			need = f
			break
		}
	}
	if need == primary {
		return primary, true
	}
	for j := need; j < len(fallbacks); j++ {
		ttf := fallbacks[j].load()
		all := true
		for _, r := range word {
			if ttf.Index(r) == 0 && !unicode.In(r, unicode.Cc, unicode.Cf) {
				all = false
				break
			}
		}
		if all {
			return j, true
		}
	}
	return 0, false
}

var (
	fontOnce sync.Once
	ttf      *truetype.Font
	ttfBold  *truetype.Font
)

// ChartFonts parses the TTFs once per process, not once per chart.
func ChartFonts() (*truetype.Font, *truetype.Font) {
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
