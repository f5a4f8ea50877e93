package workbook

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"reportmailer/pkg/format"
	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// headRow is a section sheet's header row: a title and a line saying
// which periods and timezone come first.
const headRow = 3

// periodLabel is what the Period column says for each record period.
var periodLabel = map[string]string{render.PeriodCurrent: "This period", render.PeriodPrevious: "Previous period"}

// lead is a leading (text or date) column of a section sheet.
type lead struct {
	head  string
	width float64
	value func(r *row) any
}

// section writes one section's sheet. The autofilter and the chart are
// set on the sheet first; then its rows are streamed, so a 2,000-agent
// status log never sits in memory as cells.
func (b *book) section(name string, s *render.Section, t *table) error {
	f := b.f
	_, err := f.NewSheet(name)
	if err != nil {
		return err
	}
	leads := b.leads(s, t)
	lastCol := len(leads) + len(t.fields)
	if len(t.rows) > 0 {
		if err := f.AutoFilter(name, cell(1, headRow)+":"+cell(lastCol, headRow+len(t.rows)), nil); err != nil {
			return err
		}
	}
	var caption *captionCell
	if s.Group.IsTime() && t.hasTime && t.current > 0 && len(t.fields) > 0 {
		if caption, err = b.chart(name, s, t, len(leads)); err != nil {
			return err
		}
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	widths := make([]float64, 0, lastCol)
	for _, l := range leads {
		widths = append(widths, l.width)
	}
	for _, fl := range t.fields {
		widths = append(widths, math.Min(math.Max(float64(utf8.RuneCountInString(fl.label))*0.75+3, 11), 24))
	}
	// Last to first: excelize puts each new <col> before the others, and
	// Excel wants them in order.
	for c := len(widths); c >= 1; c-- {
		if err := sw.SetColWidth(c, c, widths[c-1]); err != nil {
			return err
		}
	}
	err = sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: len(leads), YSplit: headRow,
		TopLeftCell: cell(len(leads)+1, headRow+1), ActivePane: "bottomRight"})
	if err != nil {
		return err
	}
	if err := b.sheetHead(sw, s, t, leads, caption); err != nil {
		return err
	}
	vals := make([]any, lastCol)
	for i := range t.rows {
		r := &t.rows[i]
		for c, l := range leads {
			vals[c] = l.value(r)
		}
		for c := range t.fields {
			vals[len(leads)+c] = nil
			if c < len(r.vals) && !math.IsNaN(r.vals[c]) {
				v, style := b.st.number(r.vals[c], t.fields[c].unit, s.Group.IsDistribution())
				vals[len(leads)+c] = excelize.Cell{StyleID: style, Value: excel15(v)}
			}
		}
		if err := sw.SetRow(cell(1, headRow+1+i), vals); err != nil {
			return err
		}
	}
	if len(t.rows) == 0 {
		if err := sw.SetRow(cell(1, headRow+1), []any{"No figures in this section."}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// sheetHead writes the title, the periods line and the header row.
func (b *book) sheetHead(sw *excelize.StreamWriter, s *render.Section, t *table, leads []lead, caption *captionCell) error {
	d := b.d
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: b.st.title, Value: text(s.TitleText())}}, excelize.RowOpts{Height: 20}); err != nil {
		return err
	}
	second := []any{excelize.Cell{StyleID: b.st.subtitle, Value: periodsLine(d)}}
	if caption != nil {
		second = append(second, make([]any, caption.col-2)...)
		second = append(second, excelize.Cell{StyleID: b.st.subtitle, Value: caption.text})
	}
	if err := sw.SetRow("A2", second); err != nil {
		return err
	}
	head := make([]any, 0, len(leads)+len(t.fields))
	for _, l := range leads {
		head = append(head, excelize.Cell{StyleID: b.st.header, Value: l.head})
	}
	for _, fl := range t.fields {
		label := fl.label
		if fl.unit == reports.Money && d.Currency != "" {
			label += " (" + d.Currency + ")"
		}
		head = append(head, excelize.Cell{StyleID: b.st.header, Value: label})
	}
	return sw.SetRow(cell(1, headRow), head, excelize.RowOpts{Height: 30})
}

// periodsLine says which periods the sheet holds, and in which timezone.
func periodsLine(d *render.Digest) string {
	line := "This period: " + d.Period.Label()
	if d.Previous != nil {
		line += " · previous period: " + d.Previous.Label()
	}
	return line + " · times in " + d.Period.Location.String()
}

// leads are the sheet's leading columns: the period, the bucket's bounds
// (dates in the digest's timezone), the entity's id and its name.
func (b *book) leads(s *render.Section, t *table) []lead {
	out := []lead{{head: "Period", width: 15, value: func(r *row) any { return periodLabel[r.period] }}}
	if t.hasTime {
		clk := clock{loc: b.d.Period.Location, offset: b.d.Offset}
		out = append(out, b.timeLead("From", clk, t, func(r *row) string { return r.from }),
			b.timeLead("To", clk, t, func(r *row) string { return r.to }))
	}
	entity := "Name"
	if s.Group.IsDimension() {
		words := strings.ToLower(format.SplitCamel(string(s.Group)))
		entity = strings.ToUpper(words[:1]) + words[1:]
	}
	if t.hasKey {
		out = append(out, lead{head: entity + " ID", width: textWidth(t, func(r *row) string { return r.key }, 10, 40),
			value: func(r *row) any { return text(r.key) }})
	}
	if t.hasName {
		out = append(out, lead{head: entity, width: textWidth(t, func(r *row) string { return r.name }, 12, 50),
			value: func(r *row) any { return text(r.name) }})
	}
	return out
}

// timeLead is a bucket-bound column: a date cell where the bound is an
// instant, with the time of day when any bound has one; the slot as text
// otherwise ("Mon. 09:00" in a 24×7 distribution).
func (b *book) timeLead(head string, clk clock, t *table, bound func(*row) string) lead {
	style, width := b.st.date, 12.0
	for i := range t.rows {
		if at, ok := clk.instant(bound(&t.rows[i])); ok && (at.Hour() != 0 || at.Minute() != 0 || at.Second() != 0) {
			style, width = b.st.dateTime, 17
			break
		}
	}
	return lead{head: head, width: width, value: func(r *row) any {
		s := bound(r)
		if at, ok := clk.instant(s); ok {
			return excelize.Cell{StyleID: style, Value: excel15(serial(at))}
		}
		if s == "" {
			return nil
		}
		return text(s)
	}}
}

// textWidth is a text column's width: its longest value's, within [lo, hi].
func textWidth(t *table, value func(*row) string, lo, hi int) float64 {
	n := lo
	for i := range t.rows {
		if n >= hi {
			break
		}
		n = max(n, utf8.RuneCountInString(value(&t.rows[i]))+2)
	}
	return float64(min(n, hi))
}

// maxSeries bounds a chart's lines: more than a few is unreadable.
const maxSeries = 4

// captionCell is text above a chart, in row 2; the previous period's
// series takes its name from it (a series name must be a cell).
type captionCell struct {
	col  int
	text string
}

// chart adds a native chart of a time-series sheet beside its table: an
// XY chart with straight lines, so the x axis is time (a line chart's
// date axis counts whole days and piles up hourly buckets), of this
// period's fields that share the first field's unit, over the From
// column, and the first field's previous period dashed, bucket by
// bucket over the same x.
func (b *book) chart(sheet string, s *render.Section, t *table, leads int) (*captionCell, error) {
	ref := func(col, from, to int) string {
		return quoted(sheet) + "!$" + column(col) + "$" + strconv.Itoa(from) + ":$" + column(col) + "$" + strconv.Itoa(to)
	}
	first, last := headRow+1, headRow+t.current
	at := leads + len(t.fields) + 2
	unit := t.fields[0].unit
	line := func(width float64, dash excelize.LineDashType) excelize.LineOptions {
		return excelize.LineOptions{Type: excelize.LineSolid, Width: width, Dash: dash}
	}
	var series []excelize.ChartSeries
	for i, fl := range t.fields {
		if fl.unit != unit || len(series) == maxSeries {
			continue
		}
		series = append(series, excelize.ChartSeries{Name: quoted(sheet) + "!$" + column(leads+i+1) + "$" + strconv.Itoa(headRow),
			Categories: ref(2, first, last), Values: ref(leads+i+1, first, last),
			Line: line(2, excelize.LineDashSolid), Marker: excelize.ChartMarker{Symbol: "none"}})
	}
	var caption *captionCell
	if prev := len(t.rows) - t.current; prev > 0 && b.d.Previous != nil {
		n := min(prev, t.current)
		caption = &captionCell{col: at, text: text(t.fields[0].label + ", previous period (" + b.d.Previous.Label() + ")")}
		series = append(series, excelize.ChartSeries{Name: quoted(sheet) + "!$" + column(at) + "$2",
			Categories: ref(2, first, first+n-1), Values: ref(leads+1, last+1, last+n),
			Line: line(1.5, excelize.LineDashDash), Marker: excelize.ChartMarker{Symbol: "none"}})
	}
	axis, step := "d mmm", 1.0
	switch s.Group {
	case reports.GroupHour:
		axis = "ddd d mmm"
	case reports.GroupWeek:
		step = 7
	case reports.GroupMonth:
		step = 0 // Excel's choice
	}
	lo, hi := excel15(serial(b.d.Period.Start.In(b.d.Period.Location))), excel15(serial(b.d.Period.End.In(b.d.Period.Location)))
	c := &excelize.Chart{Type: excelize.Scatter, Series: series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: text(s.TitleText())}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 760, Height: 320},
		XAxis:     excelize.ChartAxis{Minimum: &lo, Maximum: &hi, MajorUnit: step, NumFmt: excelize.ChartNumFmt{CustomNumFmt: axis}},
		YAxis:     excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: numFmt(unit)}},
	}
	return caption, b.f.AddChart(sheet, cell(at, headRow), c)
}
