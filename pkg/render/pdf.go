package render

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"reportmailer/pkg/render/internal/pdfstream"
	"reportmailer/pkg/render/internal/text"
)

const (
	margin     = 15.0
	rowH       = 5.6
	tablePt    = 8.0
	headingGap = 4.0
	sectionGap = 8.0
)

type pdfDoc struct {
	pdf          *text.PDF
	pageW, pageH float64
	contentW     float64
	bottom       float64
	d            *Digest
	views        []view
	figs         []*Figure
	startPage    []int
	links        []int
	// failed collects sections whose chart could not be drawn, by index.
	failed     map[int]string
	highlights []Highlight
}

func newPDF(d *Digest) *gofpdf.Fpdf {
	size := "A4"
	if d.Paper == Letter {
		size = "Letter"
	}
	pdf := gofpdf.NewCustom(&gofpdf.InitType{UnitStr: "mm", SizeStr: size})
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, margin)
	// gofpdf writes into the font bytes it is given (its checksum pads table
	// slices with append), so each document gets its own copy: the shared
	// TTFs stay untouched for concurrent documents and for the PNG renderer.
	pdf.AddUTF8FontFromBytes(text.FontFamily, "", bytes.Clone(goregular.TTF))
	pdf.AddUTF8FontFromBytes(text.FontFamily, "B", bytes.Clone(gobold.TTF))
	pdf.SetCreationDate(d.Generated)
	pdf.SetModificationDate(d.Generated)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(d.TitleText(), true)
	pdf.SetSubject(d.Period.Label(), true)
	pdf.SetAuthor("reportmailer", true)
	pdf.SetCreator("reportmailer", true)
	pdf.SetProducer("reportmailer (gofpdf)", true)
	pdf.AliasNbPages("{nb}")
	pdf.SetCompression(false) // pdfstream.Compress does it, with less memory
	return pdf
}

// renderPDF draws the digest. Charts are vectors drawn through pdfRenderer.
// Sections whose chart fails are reported in failed; the caller re-renders
// them as notes.
func renderPDF(d *Digest, views []view) (pdf []byte, failed map[int]string, err error) {
	plain, failed, err := renderPlainPDF(d, views)
	if err != nil {
		return nil, failed, err
	}
	return pdfstream.Compress(plain), failed, nil
}

// renderPlainPDF is renderPDF before its pages are compressed.
func renderPlainPDF(d *Digest, views []view) (pdf []byte, failed map[int]string, err error) {
	doc := &pdfDoc{pdf: text.NewPDF(newPDF(d)), d: d, views: views, failed: map[int]string{}, highlights: highlights(d, views)}
	doc.pageW, doc.pageH = doc.pdf.GetPageSize()
	doc.contentW = doc.pageW - 2*margin
	doc.bottom = doc.pageH - margin - 6
	doc.figs = make([]*Figure, len(views))
	for i, v := range views {
		if v.figure != nil {
			if err := isolate(func() error { doc.figs[i] = v.figure(pdfLayout); return nil }); err != nil {
				doc.failed[i] = err.Error()
			}
		}
	}
	doc.startPage = doc.plan()
	for range views {
		doc.links = append(doc.links, doc.pdf.AddLink())
	}
	doc.pdf.SetFooterFunc(doc.footer)
	doc.cover()
	doc.sections()
	var buf bytes.Buffer
	if err := doc.pdf.Output(&buf); err != nil {
		return nil, doc.failed, fmt.Errorf("render pdf: %w", err)
	}
	return buf.Bytes(), doc.failed, nil
}

func (doc *pdfDoc) footer() {
	p := doc.pdf
	p.SetY(-margin)
	p.SetFont(text.FontFamily, "", 7.5)
	p.SetTextColor(107, 119, 133)
	p.CellFormat(doc.contentW/2, 5, doc.d.TitleText()+" · "+doc.d.Period.Label(), "", 0, "L", false, 0, "")
	p.CellFormat(doc.contentW/2, 5, fmt.Sprintf("Page %d of {nb}", p.PageNo()), "", 0, "R", false, 0, "")
}

func (doc *pdfDoc) figureH(i int) float64 {
	f := doc.figs[i]
	if f == nil {
		return 0
	}
	return float64(f.Height) * doc.contentW / float64(f.Width)
}

func (doc *pdfDoc) headH(v view) float64 {
	h := 8.0
	if v.Subtitle != "" {
		h += 5
	}
	return h
}

// blockH is the part of a section that must stay on one page: heading,
// note or chart, and the table's header plus its first rows.
func (doc *pdfDoc) blockH(i int) float64 {
	v := doc.views[i]
	h := doc.headH(v) + doc.figureH(i)
	if v.Note != "" {
		h += 14
	}
	h += doc.caveatH(v)
	if v.Table != nil {
		h += headingGap + rowH*float64(min(len(v.Table.Rows)+1, 4))
	}
	return h
}

// plan returns the page each section starts on, following the same rules
// as sections(): the cover is page 1; a section starts on a new page when
// its unbreakable block does not fit; long tables continue on new pages.
func (doc *pdfDoc) plan() []int {
	pages := make([]int, len(doc.views))
	page, y := 2, margin
	top := margin
	for i, v := range doc.views {
		if y > top && y+doc.blockH(i) > doc.bottom {
			page, y = page+1, top
		}
		pages[i] = page
		y += doc.headH(v) + doc.figureH(i)
		if v.Note != "" {
			y += 14
		}
		if v.Table != nil {
			y += headingGap + rowH // header
			for range v.Table.Rows {
				if y+rowH > doc.bottom {
					page, y = page+1, top+rowH
				}
				y += rowH
			}
		}
		y += sectionGap
	}
	return pages
}

func (doc *pdfDoc) cover() {
	p, d := doc.pdf, doc.d
	p.AddPage()
	p.SetFillColor(37, 99, 235)
	p.Rect(0, 0, doc.pageW, 6, "F")
	p.SetY(margin + 4)
	p.SetTextColor(31, 41, 51)
	p.SetFont(text.FontFamily, "B", 22)
	p.MultiCell(doc.contentW, 10, d.TitleText(), "", "L", false)
	p.SetFont(text.FontFamily, "", 11)
	p.SetTextColor(107, 119, 133)
	sub := d.Period.Label() + ", " + d.Period.Location.String()
	if d.Site != "" {
		sub = d.Site + " · " + sub
	}
	p.MultiCell(doc.contentW, 6, sub, "", "L", false)
	if d.Previous != nil {
		p.MultiCell(doc.contentW, 6, "Compared with "+d.comparedWith(), "", "L", false)
	}
	p.Ln(6)
	doc.kpiGrid(kpis(d))
	p.Ln(8)
	doc.targetsBlock()
	doc.whatChanged()
	p.SetFont(text.FontFamily, "B", 12)
	p.SetTextColor(31, 41, 51)
	p.CellFormat(doc.contentW, 8, "In this report", "", 1, "L", false, 0, "")
	p.SetFont(text.FontFamily, "", 9)
	const lineH = 5.0
	top := p.GetY()
	colW := doc.contentW
	perCol := len(doc.views)
	if float64(len(doc.views))*lineH > doc.bottom-top { // flow into two columns
		colW = (doc.contentW - 8) / 2
		perCol = (len(doc.views) + 1) / 2
	}
	for i, v := range doc.views {
		x := margin + float64(i/perCol)*(colW+8)
		y := top + float64(i%perCol)*lineH
		if y > doc.bottom-lineH {
			continue
		}
		title := v.Title
		if v.Subtitle != "" && v.Subtitle != "Daily" {
			title += " — " + v.Subtitle
		}
		p.SetXY(x, y)
		if v.NoteKind == "error" {
			p.SetTextColor(185, 28, 28)
			title += " (not included)"
		} else {
			p.SetTextColor(37, 99, 235)
		}
		p.CellFormat(colW-10, lineH, fitPDF(p, title, colW-12), "", 0, "L", false, doc.links[i], "")
		p.SetTextColor(107, 119, 133)
		p.CellFormat(10, lineH, fmt.Sprint(doc.startPage[i]), "", 0, "R", false, doc.links[i], "")
	}
}

// whatChanged draws the highlights, each line linked to its section.
func (doc *pdfDoc) whatChanged() {
	if len(doc.highlights) == 0 {
		return
	}
	p := doc.pdf
	p.SetFont(text.FontFamily, "B", 12)
	p.SetTextColor(31, 41, 51)
	p.CellFormat(doc.contentW, 8, "What changed", "", 1, "L", false, 0, "")
	p.SetFont(text.FontFamily, "", 10)
	const lineH = 5.2
	for _, h := range doc.highlights {
		link := 0
		if h.Anchor != "" {
			link = doc.links[h.section]
			p.SetTextColor(31, 41, 51)
		} else {
			p.SetTextColor(107, 119, 133)
		}
		for j, l := range p.SplitText(h.Text, doc.contentW-6) {
			p.SetX(margin)
			bullet := ""
			if j == 0 && h.Anchor != "" {
				bullet = "•"
			}
			p.CellFormat(5, lineH, bullet, "", 0, "L", false, 0, "")
			p.CellFormat(doc.contentW-6, lineH, l, "", 1, "L", false, link, "")
		}
		p.Ln(1)
	}
	p.Ln(6)
}

func (doc *pdfDoc) kpiGrid(ks []KPI) {
	p := doc.pdf
	if len(ks) == 0 {
		return
	}
	cols := 3
	gap := 4.0
	w := (doc.contentW - gap*float64(cols-1)) / float64(cols)
	h := 26.0
	if hasKPITarget(ks) {
		h += kpiTargetH
	}
	x0, y0 := margin, p.GetY()
	for i, k := range ks {
		x := x0 + float64(i%cols)*(w+gap)
		y := y0 + float64(i/cols)*(h+gap)
		p.SetFillColor(243, 244, 246)
		p.RoundedRect(x, y, w, h, 2, "1234", "F")
		p.SetXY(x+4, y+3)
		p.SetFont(text.FontFamily, "", 8.5)
		p.SetTextColor(107, 119, 133)
		p.CellFormat(w-8, 5, k.Label, "", 2, "L", false, 0, "")
		p.SetX(x + 4)
		p.SetFont(text.FontFamily, "B", 16)
		p.SetTextColor(31, 41, 51)
		p.CellFormat(w-8, 9, k.Value, "", 2, "L", false, 0, "")
		p.SetX(x + 4)
		p.SetFont(text.FontFamily, "", 8.5)
		r, g, b := toneRGB(k.Delta.Tone)
		p.SetTextColor(r, g, b)
		dw := p.GetStringWidth(k.Delta.Text)
		p.CellFormat(dw+2, 5, k.Delta.Text, "", 0, "L", false, 0, "")
		p.SetTextColor(107, 119, 133)
		p.CellFormat(w-10-dw, 5, k.Previous, "", 0, "L", false, 0, "")
		doc.kpiTarget(k, x+4, y+23, w-8)
	}
	p.SetY(y0 + float64((len(ks)+cols-1)/cols)*(h+gap))
}

func toneRGB(tone string) (int, int, int) {
	switch tone {
	case "good":
		return 21, 128, 61
	case "bad":
		return 185, 28, 28
	}
	return 107, 119, 133
}

func (doc *pdfDoc) sections() {
	p := doc.pdf
	p.AddPage()
	for i, v := range doc.views {
		if p.GetY() > margin+0.1 && p.GetY()+doc.blockH(i) > doc.bottom {
			p.AddPage()
		}
		p.SetLink(doc.links[i], p.GetY(), -1)
		p.SetX(margin)
		p.SetFont(text.FontFamily, "B", 13)
		p.SetTextColor(31, 41, 51)
		p.CellFormat(doc.contentW, 8, v.Title, "", 1, "L", false, 0, "")
		if v.Subtitle != "" {
			p.SetFont(text.FontFamily, "", 9)
			p.SetTextColor(107, 119, 133)
			p.CellFormat(doc.contentW, 5, v.Subtitle, "", 1, "L", false, 0, "")
		}
		if v.Note != "" {
			doc.note(v)
		}
		doc.caveat(v)
		if f := doc.figs[i]; f != nil {
			y := p.GetY()
			if err := isolate(func() error { return f.fig.Render(pdfProvider(p, margin, y, doc.contentW), nil) }); err != nil {
				doc.failed[i] = err.Error()
			}
			p.SetXY(margin, y+doc.figureH(i))
		}
		if v.Table != nil {
			p.Ln(headingGap)
			doc.table(v.Table)
		}
		p.Ln(sectionGap)
	}
}

const caveatPt, caveatLine = 8.5, 4.2

// caveatLines wraps a view's caveat to the content width.
func (doc *pdfDoc) caveatLines(v view) []string {
	if v.Caveat == "" {
		return nil
	}
	doc.pdf.SetFont(text.FontFamily, "", caveatPt)
	return doc.pdf.SplitText(v.Caveat, doc.contentW-6)
}

func (doc *pdfDoc) caveatH(v view) float64 {
	if n := len(doc.caveatLines(v)); n > 0 {
		return float64(n)*caveatLine + 6
	}
	return 0
}

// caveat draws what was odd about a section's data, above its chart.
func (doc *pdfDoc) caveat(v view) {
	lines := doc.caveatLines(v)
	if len(lines) == 0 {
		return
	}
	p := doc.pdf
	y := p.GetY() + 2
	h := float64(len(lines))*caveatLine + 2
	p.SetFillColor(255, 251, 235)
	p.RoundedRect(margin, y, doc.contentW, h, 1.5, "1234", "F")
	p.SetTextColor(146, 64, 14)
	for i, l := range lines {
		p.SetXY(margin+3, y+1+float64(i)*caveatLine)
		p.CellFormat(doc.contentW-6, caveatLine, l, "", 0, "L", false, 0, "")
	}
	p.SetY(y + h + 2)
}

func (doc *pdfDoc) note(v view) {
	p := doc.pdf
	y := p.GetY() + 2
	if v.NoteKind == "error" {
		p.SetFillColor(254, 242, 242)
		p.SetTextColor(153, 27, 27)
	} else {
		p.SetFillColor(243, 244, 246)
		p.SetTextColor(75, 85, 99)
	}
	p.RoundedRect(margin, y, doc.contentW, 10, 1.5, "1234", "F")
	p.SetXY(margin+3, y+2.5)
	p.SetFont(text.FontFamily, "", 9.5)
	p.CellFormat(doc.contentW-6, 5, fitPDF(p, v.Note, doc.contentW-6), "", 1, "L", false, 0, "")
	p.SetY(y + 12)
}

// fitPDF truncates s with an ellipsis to fit w mm at the current font.
func fitPDF(p *text.PDF, s string, w float64) string {
	return fitWidth(s, w, p.GetStringWidth)
}

func (doc *pdfDoc) colWidths(t *Table) []float64 {
	p := doc.pdf
	p.SetFont(text.FontFamily, "B", tablePt)
	n := len(t.Head)
	widths := make([]float64, n)
	for c := 0; c < n; c++ {
		widths[c] = p.GetStringWidth(t.Head[c]) + 4
	}
	p.SetFont(text.FontFamily, "", tablePt)
	for _, r := range t.Rows {
		for c := 0; c < n && c < len(r); c++ {
			if w := p.GetStringWidth(r[c]) + 4; w > widths[c] {
				widths[c] = w
			}
		}
	}
	var total, text float64
	for c, w := range widths {
		total += w
		if c < t.NumericFrom {
			text += w
		}
	}
	if total > doc.contentW && text > 0 { // shrink the text columns, which truncate
		excess := total - doc.contentW
		for c := 0; c < t.NumericFrom; c++ {
			widths[c] -= excess * widths[c] / text
		}
	} else if total < doc.contentW { // give the spare width to the first column
		widths[0] += doc.contentW - total
	}
	return widths
}

func (doc *pdfDoc) table(t *Table) {
	p := doc.pdf
	widths := doc.colWidths(t)
	header := func() {
		p.SetX(margin)
		p.SetFont(text.FontFamily, "B", tablePt)
		p.SetTextColor(75, 85, 99)
		p.SetDrawColor(209, 213, 219)
		for c, h := range t.Head {
			align := "L"
			if c >= t.NumericFrom {
				align = "R"
			}
			p.CellFormat(widths[c], rowH, fitPDF(p, h, widths[c]-2), "B", 0, align, false, 0, "")
		}
		p.Ln(rowH)
	}
	header()
	for ri, r := range t.Rows {
		if p.GetY()+rowH > doc.bottom {
			p.AddPage()
			header()
		}
		total := t.TotalRow && ri == len(t.Rows)-1
		style := ""
		if total {
			style = "B"
		}
		p.SetFont(text.FontFamily, style, tablePt)
		p.SetX(margin)
		fill := ri%2 == 1
		p.SetFillColor(249, 250, 251)
		for c := range t.Head {
			cell := ""
			if c < len(r) {
				cell = r[c]
			}
			align := "L"
			if c >= t.NumericFrom {
				align = "R"
			}
			p.SetTextColor(31, 41, 51)
			if t.Tones != nil && ri < len(t.Tones) && c < len(t.Tones[ri]) && t.Tones[ri][c] != "" {
				p.SetTextColor(toneRGB(t.Tones[ri][c]))
			}
			border := ""
			if total {
				border = "T"
			}
			p.CellFormat(widths[c], rowH, fitPDF(p, strings.ReplaceAll(cell, "\n", " "), widths[c]-2), border, 0, align, fill, 0, "")
		}
		p.Ln(rowH)
	}
}
