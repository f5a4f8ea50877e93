package text

import (
	"testing"

	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font"
)

// TestMeasuredFaceIsTheFace: a borrowed face measures every glyph as the
// truetype face does, the first time and from its cache after.
func TestMeasuredFaceIsTheFace(t *testing.T) {
	t.Parallel()
	regular, _ := ChartFonts()
	k := faceKey{regular, 9, 144}
	f := borrowFace(k)
	defer returnFace(k, f)
	plain := truetype.NewFace(regular, &truetype.Options{Size: 9, DPI: 144, Hinting: font.HintingNone})
	for pass := 0; pass < 2; pass++ {
		for _, r := range "Ag1 ёΩ□\ufffd\U0001F600" {
			gb, ga, gok := f.GlyphBounds(r)
			wb, wa, wok := plain.GlyphBounds(r)
			if gb != wb || ga != wa || gok != wok {
				t.Errorf("pass %d, %q: %v %v %v, want %v %v %v", pass, r, gb, ga, gok, wb, wa, wok)
			}
		}
	}
	if font.MeasureString(f, "Weekly chat digest") != font.MeasureString(plain, "Weekly chat digest") {
		t.Error("MeasureString differs")
	}
	// It remembers a bounded number of glyphs, and measures the rest.
	for r := rune(0x4e00); r < 0x4e00+2*maxMeasured; r++ {
		gb, _, _ := f.GlyphBounds(r)
		if wb, _, _ := plain.GlyphBounds(r); gb != wb {
			t.Fatalf("%q: %v, want %v", r, gb, wb)
		}
	}
	if n := len(f.(*measuredFace).bounds); n > maxMeasured {
		t.Errorf("remembers %d glyphs, want at most %d", n, maxMeasured)
	}
}
