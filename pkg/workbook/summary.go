package workbook

import (
	"math"

	"github.com/xuri/excelize/v2"

	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// summary writes the Summary sheet: the digest's title and periods, each
// KPI this period, the previous period and the change, and a line per
// section linking to its sheet (or saying why it has none).
func (b *book) summary(contents []sheetEntry) error {
	f, d, st := b.f, b.d, b.st
	set := func(c string, v any, style int) error {
		if err := f.SetCellValue(summarySheet, c, v); err != nil {
			return err
		}
		return f.SetCellStyle(summarySheet, c, c, style)
	}
	head := []struct {
		v     string
		style int
	}{{text(d.TitleText()), st.title}, {text(d.Site), st.subtitle}, {periodsLine(d), st.subtitle}}
	for i, h := range head {
		if err := set(cell(1, i+1), h.v, h.style); err != nil {
			return err
		}
	}
	row := 5
	for i, h := range []string{"KPI", "This period", "Previous period", "Change"} {
		if err := set(cell(i+1, row), h, st.header); err != nil {
			return err
		}
	}
	for _, k := range kpiLines(render.Summary(d)) {
		row++
		if err := b.kpiRow(row, k); err != nil {
			return err
		}
	}
	row, err := b.targets(row)
	if err != nil {
		return err
	}
	row += 2
	if err := set(cell(1, row), "Sheets", st.header); err != nil {
		return err
	}
	if err := set(cell(2, row), "", st.header); err != nil {
		return err
	}
	for _, e := range contents {
		row++
		if err := b.contentsRow(row, e); err != nil {
			return err
		}
	}
	for _, w := range []struct {
		col   string
		width float64
	}{{"A", 34}, {"B", 16}, {"C", 16}, {"D", 10}} {
		if err := f.SetColWidth(summarySheet, w.col, w.col, w.width); err != nil {
			return err
		}
	}
	return f.SetPanes(summarySheet, &excelize.Panes{Freeze: true, YSplit: 5, TopLeftCell: "A6", ActivePane: "bottomLeft"})
}

// kpiLine is one line of the Summary's KPI table.
type kpiLine struct {
	label             string
	unit              reports.Unit
	score             bool // an average rating out of 5
	current, previous float64
	hasPrevious       bool
}

// kpiLines are the digest's KPIs, the rating's share of 4–5 on a line of its own.
func kpiLines(figs []render.KPIFigure) []kpiLine {
	var out []kpiLine
	for _, k := range figs {
		out = append(out, kpiLine{label: k.Label, unit: k.Unit, score: k.Rating, current: k.Current, previous: k.Previous, hasPrevious: k.HasPrevious})
		if k.Rating {
			out = append(out, kpiLine{label: k.Label + ": rated 4–5", unit: reports.Ratio, current: k.Positive,
				previous: k.PreviousPositive, hasPrevious: k.HasPrevious})
		}
	}
	return out
}

func (b *book) kpiRow(row int, k kpiLine) error {
	f, st := b.f, b.st
	if err := f.SetCellStr(summarySheet, cell(1, row), k.label); err != nil {
		return err
	}
	put := func(col int, v float64) error {
		v, style := st.number(v, k.unit, false)
		if k.score {
			style = st.score
		}
		if err := f.SetCellFloat(summarySheet, cell(col, row), excel15(v), -1, 64); err != nil {
			return err
		}
		return f.SetCellStyle(summarySheet, cell(col, row), cell(col, row), style)
	}
	if err := put(2, k.current); err != nil {
		return err
	}
	if !k.hasPrevious {
		return nil
	}
	if err := put(3, k.previous); err != nil {
		return err
	}
	if k.previous == 0 {
		return nil // no change to speak of; the mail says "new"
	}
	change := (k.current - k.previous) / math.Abs(k.previous)
	if err := f.SetCellFloat(summarySheet, cell(4, row), excel15(change), -1, 64); err != nil {
		return err
	}
	return f.SetCellStyle(summarySheet, cell(4, row), cell(4, row), st.change)
}

func (b *book) contentsRow(row int, e sheetEntry) error {
	f := b.f
	if err := f.SetCellStr(summarySheet, cell(1, row), text(e.title)); err != nil {
		return err
	}
	if e.sheet == "" {
		return f.SetCellStr(summarySheet, cell(2, row), text(e.note))
	}
	if err := f.SetCellStr(summarySheet, cell(2, row), "→ "+e.sheet); err != nil {
		return err
	}
	return f.SetCellHyperLink(summarySheet, cell(2, row), quoted(e.sheet)+"!A1", "Location")
}
