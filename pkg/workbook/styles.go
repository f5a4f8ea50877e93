package workbook

import (
	"strconv"

	"github.com/xuri/excelize/v2"

	"reportmailer/pkg/reports"
)

// styles are the workbook's cell styles, by what a cell holds.
type styles struct {
	title, subtitle, header, text int
	count, decimal, duration      int
	percent, money, change, score int
	date, dateTime                int
}

// Number formats. Durations are fractions of a day shown as hours past
// 24 ([h]), so a week's online time reads 168:00:00, not 0:00:00.
const (
	fmtCount    = "#,##0"
	fmtDecimal  = "#,##0.00"
	fmtDuration = "[h]:mm:ss"
	fmtPercent  = "0.0%"
	fmtMoney    = "#,##0.00"
	fmtChange   = "+0%;-0%;0%"
	fmtScore    = `0.0" / 5"`
	fmtDate     = "yyyy-mm-dd"
	fmtDateTime = "yyyy-mm-dd hh:mm"
)

func (b *book) newStyles() error {
	headerBorder := []excelize.Border{{Type: "bottom", Color: "8C96A0", Style: 1}}
	defs := []struct {
		id *int
		s  excelize.Style
	}{
		{&b.st.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&b.st.subtitle, excelize.Style{Font: &excelize.Font{Color: "5A6470"}}},
		{&b.st.header, excelize.Style{Font: &excelize.Font{Bold: true}, Border: headerBorder,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8ECF0"}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}},
		{&b.st.text, excelize.Style{}},
		{&b.st.count, excelize.Style{CustomNumFmt: ptr(fmtCount)}},
		{&b.st.decimal, excelize.Style{CustomNumFmt: ptr(fmtDecimal)}},
		{&b.st.duration, excelize.Style{CustomNumFmt: ptr(fmtDuration)}},
		{&b.st.percent, excelize.Style{CustomNumFmt: ptr(fmtPercent)}},
		{&b.st.money, excelize.Style{CustomNumFmt: ptr(fmtMoney)}},
		{&b.st.change, excelize.Style{CustomNumFmt: ptr(fmtChange)}},
		{&b.st.score, excelize.Style{CustomNumFmt: ptr(fmtScore)}},
		{&b.st.date, excelize.Style{CustomNumFmt: ptr(fmtDate), Alignment: &excelize.Alignment{Horizontal: "left"}}},
		{&b.st.dateTime, excelize.Style{CustomNumFmt: ptr(fmtDateTime), Alignment: &excelize.Alignment{Horizontal: "left"}}},
	}
	for _, def := range defs {
		id, err := b.f.NewStyle(&def.s)
		if err != nil {
			return err
		}
		*def.id = id
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// secondsPerDay turns the API's seconds into Excel's durations (days).
const secondsPerDay = 86400

// number is a figure as its cell holds it (a duration in days) and the
// style that shows it. fractional marks a count that is an average (a
// distribution's bucket, say), shown with decimals.
func (st styles) number(v float64, u reports.Unit, fractional bool) (float64, int) {
	switch u {
	case reports.Seconds:
		return excel15(v / secondsPerDay), st.duration
	case reports.Ratio:
		return v, st.percent
	case reports.Money:
		return v, st.money
	case reports.Average:
		return v, st.decimal
	}
	if fractional || v != float64(int64(v)) {
		return v, st.decimal
	}
	return v, st.count
}

// excel15 rounds v to the 15 significant digits a cell keeps. excelize
// cuts longer numbers off rather than rounding them, and 1:00 as a day
// fraction (0.041666666666666664) cut off reads 0:59 in LibreOffice.
func excel15(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// numFmt is the number format of a unit, for chart axes.
func numFmt(u reports.Unit) string {
	switch u {
	case reports.Seconds:
		return fmtDuration
	case reports.Ratio:
		return "0%"
	case reports.Money, reports.Average:
		return "#,##0.0"
	}
	return fmtCount
}
