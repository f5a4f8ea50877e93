// Package workbook lays a digest's figures out as an Excel workbook: a
// Summary sheet with each KPI this period, the previous period and the
// change, then one sheet per section with every row of both periods in
// typed cells (numbers, durations as [h]:mm:ss, percentages, dates in the
// digest's timezone), a frozen header row, an autofilter, and a native
// line chart for time series.
//
// The figures are render's Records, the very lines the CSV writes, so the
// workbook and the CSV cannot disagree. Like render, it does no I/O of
// its own and reads no clock: the same digest builds the same sheets
// (excelize orders the zip's entries as it likes, and spills a sheet over
// 16 MB to a temporary file while streaming it).
package workbook

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"reportmailer/pkg/format"
	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// ContentType is the MIME type of the workbook.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// summarySheet is the first sheet's name.
const summarySheet = "Summary"

// Build makes the workbook of d. A section whose rows break the CSV's
// emitter is left out, as in the CSV, and named on the Summary sheet.
func Build(d *render.Digest) ([]byte, error) {
	if d.Period.Location == nil {
		return nil, fmt.Errorf("workbook: period has no location")
	}
	f := excelize.NewFile()
	defer f.Close()
	b := &book{f: f, d: d, names: map[string]bool{strings.ToLower(summarySheet): true}}
	if err := b.newStyles(); err != nil {
		return nil, fmt.Errorf("workbook: styles: %w", err)
	}
	if err := f.SetSheetName("Sheet1", summarySheet); err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	var contents []sheetEntry
	titles := map[string]int{}
	for i := range d.Sections {
		titles[d.Sections[i].TitleText()]++
	}
	for i := range d.Sections {
		s := &d.Sections[i]
		if !s.HasRecords() {
			contents = append(contents, sheetEntry{title: s.TitleText(), note: s.Note})
			continue
		}
		t, err := layOut(d, i)
		if err != nil {
			contents = append(contents, sheetEntry{title: s.TitleText(), note: "Left out: its data could not be read."})
			continue
		}
		title := s.TitleText()
		if titles[title] > 1 { // "Chat volume" by hour and 24×7
			title += " " + groupWords(s.Group)
		}
		name := b.sheetName(title)
		if err := b.section(name, s, t); err != nil {
			return nil, fmt.Errorf("workbook: section %q: %w", s.TitleText(), err)
		}
		contents = append(contents, sheetEntry{title: s.TitleText(), sheet: name})
	}
	if err := b.summary(contents); err != nil {
		return nil, fmt.Errorf("workbook: summary: %w", err)
	}
	// The Summary (the new file's first sheet) is active as made. Never
	// SetActiveSheet here: it would read every streamed sheet back in.
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	return buf.Bytes(), nil
}

// book is a workbook being built.
type book struct {
	f     *excelize.File
	d     *render.Digest
	st    styles
	names map[string]bool // sheet names taken, lower-cased (Excel ignores case)
}

// sheetEntry is a line of the Summary's contents: a section's sheet, or
// why the section has none.
type sheetEntry struct {
	title, sheet, note string
}

// groupWords names a section's group in a sheet name, told apart from
// another section of the same report.
func groupWords(g reports.Group) string {
	switch {
	case g == reports.GroupWeekDistribution:
		return "24×7"
	case g == reports.GroupHalfHour:
		return "by half hour"
	case g == reports.GroupNone:
		return ""
	}
	return "by " + strings.ToLower(format.SplitCamel(string(g)))
}

// maxSheetName is Excel's limit on a sheet name's length, in UTF-16
// units (an emoji counts two).
const maxSheetName = 31

// sheetName makes a valid, unique sheet name from a section title: at
// most 31 characters, none of []:*?/\, no apostrophe at either end, and
// not "History" (Excel reserves it).
func (b *book) sheetName(title string) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return ' '
		}
		return r
	}, text(title))
	clean = strings.Trim(strings.TrimSpace(clean), "'")
	if clean == "" || strings.EqualFold(clean, "history") {
		clean = "Section"
	}
	for n := 1; ; n++ {
		suffix := ""
		if n > 1 {
			suffix = fmt.Sprintf(" (%d)", n)
		}
		// Cut, the name may end in an apostrophe again: trimmed too.
		name := strings.TrimRightFunc(truncateUTF16(clean, maxSheetName-len(suffix)), func(r rune) bool {
			return r == '\'' || unicode.IsSpace(r)
		}) + suffix
		if !b.names[strings.ToLower(name)] {
			b.names[strings.ToLower(name)] = true
			return name
		}
	}
}

// truncateUTF16 cuts s to at most n UTF-16 units, between characters.
func truncateUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return strings.TrimSpace(s[:i])
		}
	}
	return s
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}

// maxCellText is Excel's limit on the characters in one cell.
const maxCellText = 32767

// text makes s safe for a cell: control characters (which XML 1.0 cannot
// carry) become spaces, bytes that are no UTF-8 become U+FFFD, and
// nothing is longer than a cell holds. Cells are typed strings, never
// formulas, so "=HYPERLINK(…)" stays text as it is.
func text(s string) string {
	s = strings.Map(func(r rune) rune { // invalid bytes come in as utf8.RuneError, U+FFFD
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0xfffe || r == 0xffff {
			return ' '
		}
		return r
	}, s)
	if len(s) > maxCellText {
		s = truncateRunes(s, maxCellText)
	}
	return s
}

// cell names the cell at column col, row row (both from 1).
func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// column names column col (from 1), e.g. "C".
func column(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

// quoted is a sheet name as a formula reference spells it.
func quoted(sheet string) string {
	return "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
}
