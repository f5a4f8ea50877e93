package text

import (
	"bytes"
	"image"
	"math"
	"reflect"
	"testing"

	"github.com/golang/freetype/truetype"
	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/go-text/typesetting/di"
	gtfont "github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"github.com/wcharczuk/go-chart/v2/drawing"
	"golang.org/x/image/math/fixed"
)

// sameOutline reports whether two glyphs are drawn alike: the font has
// copies of some forms under the presentation-form code points.
func sameOutline(t *testing.T, f *truetype.Font, a, b int) bool {
	t.Helper()
	var ga, gb truetype.GlyphBuf
	if err := ga.Load(f, 2048, truetype.Index(a), font.HintingNone); err != nil {
		t.Fatal(err)
	}
	if err := gb.Load(f, 2048, truetype.Index(b), font.HintingNone); err != nil {
		t.Fatal(err)
	}
	return ga.AdvanceWidth == gb.AdvanceWidth && reflect.DeepEqual(ga.Points, gb.Points) && reflect.DeepEqual(ga.Ends, gb.Ends)
}

// TestArabicMatchesHarfBuzz: the presentation forms visual draws are the
// glyphs (or identical copies of them) a HarfBuzz shaper (go-text/typesetting's port) picks from Noto
// Sans Arabic's own GSUB tables, in the same left-to-right order. The
// shaper is the reference; the renderers draw by cmap, which it never uses.
func TestArabicMatchesHarfBuzz(t *testing.T) {
	t.Parallel()
	arabic := fallbacks[1]
	if arabic.file != "NotoSansArabic-Regular.ttf" {
		t.Fatalf("fallbacks[1] is %s", arabic.file)
	}
	ttf := arabic.load()
	face, err := gtfont.ParseTTF(bytes.NewReader(arabic.raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"محمد العربي", "الفواتير", "فاطمة الزهراء", "عبد الله", "يوسف بن علي", "پرویز", "سلام"} {
		text := []rune(s)
		out := (&shaping.HarfbuzzShaper{}).Shape(shaping.Input{Text: text, RunEnd: len(text), Direction: di.DirectionRTL,
			Face: face, Size: fixed.I(16), Script: language.Arabic, Language: language.NewLanguage("ar")})
		var want []int
		for _, g := range out.Glyphs {
			want = append(want, int(g.GlyphID))
		}
		var got []int
		for _, r := range Visual(s) {
			got = append(got, int(ttf.Index(r)))
		}
		if len(got) != len(want) {
			t.Errorf("%q: drawn glyphs %v, HarfBuzz %v", s, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] && !sameOutline(t, ttf, got[i], want[i]) {
				t.Errorf("%q: drawn glyphs %v, HarfBuzz %v (glyph %d)", s, got, want, i)
				break
			}
		}
	}
}

// TestChartFacesDrawEveryScript: for every character of the names in ten
// scripts, the chart renderer's font chain has a glyph (index != 0), and
// a label with characters the Go font lacks, drawn by the raster
// renderer, differs from what the Go font alone drew (.notdef boxes).
func TestChartFacesDrawEveryScript(t *testing.T) {
	t.Parallel()
	names := []string{"Nguyễn Thị Ánh", "Дмитрий Иванов", "王小明", "陳美玲", "佐藤ひろし", "김민준",
		"محمد العربي", "דוד כהן", "สมชาย ใจดี", "राहुल शर्मा", "Sales 销售部"}
	regular, _ := ChartFonts()
	draw := func(s string, runs bool) []byte {
		rr, _ := Provider(600, 60)
		r := rr.(*rasterRenderer)
		r.SetFont(regular)
		r.SetFontSize(12)
		r.SetFontColor(drawing.ColorBlack)
		if runs {
			r.Text(s, 10, 40)
		} else { // the Go font alone, rune by rune, as before the fallbacks
			d := font.Drawer{Dst: r.img, Src: image.Black, Face: r.face(), Dot: fixed.P(10, 40)}
			d.DrawString(s)
		}
		r.returnFaces()
		return bytes.Clone(r.img.Pix)
	}
	for _, name := range names {
		for _, r := range Visual(name) {
			if r == ' ' {
				continue
			}
			f := fontFor(r)
			ttf := regular
			if f != primary {
				ttf = fallbacks[f].load()
			}
			if ttf.Index(r) == 0 {
				t.Errorf("%q in %q: no glyph in the chain", r, name)
			}
		}
		if needsFallback(name) && bytes.Equal(draw(name, true), draw(name, false)) {
			t.Errorf("%q draws as the Go font's boxes", name)
		}
	}
	if !bytes.Equal(draw("Oliver Smith", true), draw("Oliver Smith", false)) {
		t.Error("a Latin label no longer draws as before")
	}
}

// TestRunWidthIsGofpdfs: a fallback run is measured as gofpdf measures it
// in its own font, without switching to that font.
func TestRunWidthIsGofpdfs(t *testing.T) {
	t.Parallel()
	p := NewPDF(gofpdf.New("P", "mm", "A4", ""))
	p.AddPage()
	p.AddUTF8FontFromBytes(FontFamily, "", bytes.Clone(goregular.TTF))
	p.SetFont(FontFamily, "", 9.5)
	for _, s := range []string{"Nguyễn Thị Ánh", "王小明 陳美玲", "佐藤ひろし", "김민준", "محمد العربي", "דוד כהן", "สมชาย ใจดี", "राहुल शर्मा"} {
		for _, r := range fontRuns(Visual(s)) {
			got := p.runWidth(r)
			p.use(r.font)
			want := p.Fpdf.GetStringWidth(r.text)
			p.use(primary)
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("%q run %q: %v, gofpdf %v", s, r.text, got, want)
			}
		}
	}
}
