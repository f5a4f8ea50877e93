package render

import "reportmailer/pkg/render/internal/text"

// kpiTargetH is the height a card grows by to show its target.
const kpiTargetH = 5.0

func hasKPITarget(ks []KPI) bool {
	for _, k := range ks {
		if k.Target != "" {
			return true
		}
	}
	return false
}

// kpiTarget draws a card's "Target ≤ 40s · met" line at (x, y).
func (doc *pdfDoc) kpiTarget(k KPI, x, y, w float64) {
	if k.Target == "" {
		return
	}
	p := doc.pdf
	p.SetXY(x, y)
	p.SetFont(text.FontFamily, "", 8.5)
	p.SetTextColor(82, 96, 109)
	label := k.Target + " · "
	lw := p.GetStringWidth(label)
	p.CellFormat(lw, 5, label, "", 0, "L", false, 0, "")
	r, g, b := toneRGB(k.VerdictTone)
	p.SetTextColor(r, g, b)
	p.SetFont(text.FontFamily, "B", 8.5)
	p.CellFormat(w-lw, 5, fitPDF(p, k.Verdict, w-lw), "", 0, "L", false, 0, "")
}

// targetsBlock draws the Targets block on the cover: each target, the
// period's figure, its verdict in words and the previous period's; each
// line links to the section the figure comes from.
func (doc *pdfDoc) targetsBlock() {
	rows := targetRows(doc.d, attainments(doc.d), doc.views)
	if len(rows) == 0 {
		return
	}
	p := doc.pdf
	p.SetFont(text.FontFamily, "B", 12)
	p.SetTextColor(31, 41, 51)
	p.CellFormat(doc.contentW, 8, "Targets", "", 1, "L", false, 0, "")
	const lineH = 5.2
	for _, r := range rows {
		link := 0
		if r.section >= 0 && r.section < len(doc.links) {
			link = doc.links[r.section]
		}
		p.SetX(margin)
		p.SetFont(text.FontFamily, "B", 10)
		p.SetTextColor(31, 41, 51)
		head := r.Label + " "
		hw := p.GetStringWidth(head)
		p.CellFormat(hw, lineH, head, "", 0, "L", false, link, "")
		p.SetFont(text.FontFamily, "", 10)
		p.SetTextColor(82, 96, 109)
		p.CellFormat(doc.contentW*0.45-hw, lineH, r.Limit, "", 0, "L", false, link, "")
		p.SetTextColor(31, 41, 51)
		value := r.Value + " · "
		vw := p.GetStringWidth(value)
		p.CellFormat(vw, lineH, value, "", 0, "L", false, link, "")
		rr, g, b := toneRGB(r.Tone)
		p.SetTextColor(rr, g, b)
		p.SetFont(text.FontFamily, "B", 10)
		rest := doc.contentW*0.55 - vw
		if rest < p.GetStringWidth(r.Verdict) && vw < doc.contentW*0.55 {
			// A long "on target … days (…)" leaves no room: the verdict
			// goes under it rather than being cut.
			p.Ln(lineH)
			p.SetX(margin + doc.contentW*0.45)
			rest = doc.contentW * 0.55
		}
		p.CellFormat(rest, lineH, fitPDF(p, r.Verdict, rest), "", 1, "L", false, link, "")
		if r.Previous != "" {
			p.SetX(margin + doc.contentW*0.45)
			p.SetFont(text.FontFamily, "", 8.5)
			p.SetTextColor(107, 119, 133)
			p.CellFormat(doc.contentW*0.55, 4.2, fitPDF(p, r.Previous, doc.contentW*0.55), "", 1, "L", false, 0, "")
		}
		p.Ln(1)
	}
	p.Ln(5)
}
