package text

import (
	"bytes"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/math/fixed"
)

// PDF is a gofpdf document whose text calls draw every script:
// strings go through Visual (shaping, right-to-left order), and a string
// with runes the Go fonts lack is drawn run by run in the fallback fonts
// (fonts.go), each added to the document the first time it is needed and
// subset-embedded by gofpdf like the Go fonts. Strings the Go fonts cover
// take gofpdf's own path, unchanged.
type PDF struct {
	*gofpdf.Fpdf
	family, style string
	size          float64 // points
	added         []bool  // by fallback index
}

// NewPDF wraps a gofpdf document that has the Go fonts as FontFamily.
func NewPDF(pdf *gofpdf.Fpdf) *PDF {
	return &PDF{Fpdf: pdf, added: make([]bool, len(fallbacks))}
}

// fallbackFamily is a fallback font's family name in the PDF.
func fallbackFamily(i int) string {
	return "Fallback-" + strings.TrimSuffix(fallbacks[i].file, ".ttf")
}

// SetFont is gofpdf's, remembered so that a run in another font can
// switch back.
func (p *PDF) SetFont(family, style string, size float64) {
	p.family, p.style, p.size = family, style, size
	p.Fpdf.SetFont(family, style, size)
}

// use selects a run's font at the current size.
func (p *PDF) use(i int) {
	if i == primary {
		p.Fpdf.SetFont(p.family, p.style, p.size)
		return
	}
	if !p.added[i] {
		// gofpdf writes into the bytes it is given (see render's newPDF).
		fallbacks[i].load()
		p.Fpdf.AddUTF8FontFromBytes(fallbackFamily(i), "", bytes.Clone(fallbacks[i].raw))
		p.added[i] = true
	}
	p.Fpdf.SetFont(fallbackFamily(i), "", p.size)
}

// runs returns s in visual order split by font, or nil if the current
// font covers it (then drawn is s in visual order).
func (p *PDF) runs(s string) (drawn string, runs []textRun) {
	s = Visual(s)
	if !needsFallback(s) {
		return s, nil
	}
	return s, fontRuns(s)
}

func (p *PDF) runsWidth(runs []textRun) float64 {
	w := 0.0
	for _, r := range runs {
		w += p.runWidth(r)
	}
	return w
}

// runWidth is a run's width at the current size as gofpdf measures it
// (advances from hmtx in thousandths of an em, rounded), without selecting
// the run's font: that would write a font switch into the page for every
// measurement.
func (p *PDF) runWidth(r textRun) float64 {
	if r.font == primary {
		return p.Fpdf.GetStringWidth(r.text)
	}
	ttf := fallbacks[r.font].load()
	upem := ttf.FUnitsPerEm()
	w := 0.0
	for _, c := range r.text {
		adv := ttf.HMetric(fixed.Int26_6(upem), ttf.Index(c)).AdvanceWidth
		w += math.Round(1000 * float64(adv) / float64(upem))
	}
	_, unit := p.GetFontSize()
	return w * unit / 1000
}

// GetStringWidth measures s as it is drawn.
func (p *PDF) GetStringWidth(s string) float64 {
	s, runs := p.runs(s)
	if runs == nil {
		return p.Fpdf.GetStringWidth(s)
	}
	return p.runsWidth(runs)
}

// drawRuns writes runs from (x, y), y being the baseline.
func (p *PDF) drawRuns(x, y float64, runs []textRun) {
	for _, r := range runs {
		w := p.runWidth(r)
		p.use(r.font)
		p.Fpdf.Text(x, y, r.text)
		x += w
	}
	p.use(primary)
}

// Text is gofpdf's Text for every script.
func (p *PDF) Text(x, y float64, s string) {
	s, runs := p.runs(s)
	if runs == nil {
		p.Fpdf.Text(x, y, s)
		return
	}
	p.drawRuns(x, y, runs)
}

// CellFormat is gofpdf's CellFormat for every script: the cell (border,
// fill, link, cursor) is gofpdf's, the text is placed as gofpdf places it
// (horizontal alignment L, C or R, vertically centred).
func (p *PDF) CellFormat(w, h float64, txt, border string, ln int, align string, fill bool, link int, linkStr string) {
	txt, runs := p.runs(txt)
	if runs == nil {
		p.Fpdf.CellFormat(w, h, txt, border, ln, align, fill, link, linkStr)
		return
	}
	x, y := p.GetXY()
	if w == 0 {
		pageW, _ := p.GetPageSize()
		_, _, right, _ := p.GetMargins()
		w = pageW - right - x
	}
	tw := p.runsWidth(runs)
	cm := p.GetCellMargin()
	dx := cm
	switch {
	case strings.Contains(align, "R"):
		dx = w - cm - tw
	case strings.Contains(align, "C"):
		dx = (w - tw) / 2
	}
	_, unit := p.GetFontSize()
	p.Fpdf.CellFormat(w, h, "", border, ln, align, fill, link, linkStr)
	p.drawRuns(x+dx, y+.5*h+.3*unit, runs)
}

// MultiCell is gofpdf's MultiCell (without borders) for every script.
// Below the last line it leaves a fifth of the font size more: Arabic and
// Devanagari descend further than the Go fonts' line spacing allows for.
func (p *PDF) MultiCell(w, h float64, txt, border, align string, fill bool) {
	if _, runs := p.runs(txt); runs == nil {
		p.Fpdf.MultiCell(w, h, txt, border, align, fill)
		return
	}
	left, _, right, _ := p.GetMargins()
	if w == 0 {
		pageW, _ := p.GetPageSize()
		w = pageW - right - p.GetX()
	}
	x := p.GetX()
	for _, line := range p.SplitText(txt, w-2*p.GetCellMargin()) {
		p.SetX(x)
		p.CellFormat(w, h, line, "", 2, align, fill, 0, "")
	}
	_, unit := p.GetFontSize()
	p.SetY(p.GetY() + .2*unit)
	p.SetX(left)
}

// SplitText is gofpdf's SplitText for every script: it breaks at spaces,
// and inside a word (as CJK text, which has no spaces, needs) only where
// the word is wider than the line.
func (p *PDF) SplitText(txt string, w float64) []string {
	if _, runs := p.runs(txt); runs == nil {
		return p.Fpdf.SplitText(txt, w)
	}
	var lines []string
	for _, para := range strings.Split(txt, "\n") {
		line := ""
		for _, word := range strings.FieldsFunc(para, unicode.IsSpace) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if p.GetStringWidth(try) <= w {
				line = try
				continue
			}
			if line != "" {
				lines = append(lines, line)
				line = ""
			}
			for p.GetStringWidth(word) > w {
				cut := len(word)
				for cut > 0 && p.GetStringWidth(word[:cut]) > w {
					_, n := utf8.DecodeLastRuneInString(word[:cut])
					cut -= n
				}
				if cut == 0 {
					_, cut = utf8.DecodeRuneInString(word)
				}
				lines = append(lines, word[:cut])
				word = word[cut:]
			}
			line = word
		}
		lines = append(lines, line)
	}
	return lines
}
