package workbook

import "reportmailer/pkg/render"

// targets writes the Summary's Targets table from row on (nothing when
// the digest has no targets) and returns the last row written: each
// target, its limit, the period's figure (a number in the figure's format,
// or "on target 5 of 7 days"), the verdict in words and last period's.
func (b *book) targets(row int) (int, error) {
	lines := render.Targets(b.d)
	if len(lines) == 0 {
		return row, nil
	}
	f, st := b.f, b.st
	row += 2
	for i, h := range []string{"Target", "Limit", "This period", "Verdict", "Previous period"} {
		c := cell(i+1, row)
		if err := f.SetCellValue(summarySheet, c, h); err != nil {
			return row, err
		}
		if err := f.SetCellStyle(summarySheet, c, c, st.header); err != nil {
			return row, err
		}
	}
	for _, l := range lines {
		row++
		for col, v := range map[int]string{1: l.Label, 2: l.Limit, 4: l.Verdict, 5: l.Previous} {
			if err := f.SetCellStr(summarySheet, cell(col, row), text(v)); err != nil {
				return row, err
			}
		}
		if !l.HasFigure {
			if err := f.SetCellStr(summarySheet, cell(3, row), text(l.Value)); err != nil {
				return row, err
			}
			continue
		}
		v, style := st.number(l.Figure, l.Unit, false)
		if err := f.SetCellFloat(summarySheet, cell(3, row), excel15(v), -1, 64); err != nil {
			return row, err
		}
		if err := f.SetCellStyle(summarySheet, cell(3, row), cell(3, row), style); err != nil {
			return row, err
		}
	}
	return row, nil
}
