package workbook_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/workbook"
)

func build(t testing.TB, d *render.Digest) []byte {
	t.Helper()
	data, err := workbook.Build(d)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func open(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// csvLine is one line of the CSV.
type csvLine struct{ from, to, key, name, metric, value string }

// csvOf parses the CSV of d and returns section s's lines of this period
// (every line, while the CSV has no period column).
func csvOf(t *testing.T, d *render.Digest, s *render.Section) []csvLine {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(render.CSV(d), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var out []csvLine
	for _, r := range recs[1:] {
		if r[col["section"]] != s.TitleText() || r[col["report"]] != string(s.Report) || r[col["group"]] != string(s.Group) {
			continue
		}
		if p, ok := col["period"]; ok && r[p] != "current" {
			continue
		}
		out = append(out, csvLine{r[col["from"]], r[col["to"]], unformula(r[col["key"]]), unformula(r[col["name"]]), r[col["metric"]], r[col["value"]]})
	}
	return out
}

// unformula undoes the CSV's formula guard: workbook cells are typed
// strings and need none.
func unformula(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// previousAsCurrent is d with each section's previous rows as its rows:
// its CSV holds the previous period's figures.
func previousAsCurrent(d *render.Digest) *render.Digest {
	p := *d
	p.Sections = make([]render.Section, len(d.Sections))
	for i, s := range d.Sections {
		s.Rows, s.Previous = s.Previous, nil
		p.Sections[i] = s
	}
	return &p
}

// sheet is a section sheet read back: its header, data rows (raw values)
// and how many leading (non-figure) columns it has, from its frozen panes.
type sheet struct {
	f      *excelize.File
	name   string
	head   []string
	rows   [][]string
	leads  int
	styles map[int]string // style id → number format
}

func readSheet(t *testing.T, f *excelize.File, name string) *sheet {
	t.Helper()
	rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil || len(rows) < 3 {
		t.Fatalf("%s: %d rows, %v", name, len(rows), err)
	}
	panes, err := f.GetPanes(name)
	if err != nil || !panes.Freeze || panes.YSplit != 3 {
		t.Errorf("%s: header not frozen: %+v %v", name, panes, err)
	}
	return &sheet{f: f, name: name, head: rows[2], rows: rows[3:], leads: panes.XSplit, styles: map[int]string{}}
}

// format is the number format of a cell (row and col from 0 in s.rows).
func (s *sheet) format(t *testing.T, row, col int) string {
	t.Helper()
	ref, _ := excelize.CoordinatesToCellName(col+1, row+4)
	id, err := s.f.GetCellStyle(s.name, ref)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := s.styles[id]; ok {
		return f
	}
	st, err := s.f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	f := ""
	if st.CustomNumFmt != nil {
		f = *st.CustomNumFmt
	}
	s.styles[id] = f
	return f
}

func (s *sheet) cellType(t *testing.T, row, col int) excelize.CellType {
	t.Helper()
	ref, _ := excelize.CoordinatesToCellName(col+1, row+4)
	ct, err := s.f.GetCellType(s.name, ref)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

func (s *sheet) cell(row, col int) string {
	if col >= 0 && col < len(s.rows[row]) {
		return s.rows[row][col]
	}
	return ""
}

func (s *sheet) col(head string) int {
	for i, h := range s.head {
		if h == head {
			return i
		}
	}
	return -1
}

// figureCol is the column of a field: its label, or its label with the
// wire name or currency in parentheses.
func (s *sheet) figureCol(label string) int {
	for i := s.leads; i < len(s.head); i++ {
		if s.head[i] == label || strings.HasPrefix(s.head[i], label+" (") {
			return i
		}
	}
	return -1
}

// bound reads a From/To cell back as the CSV writes it: a date cell as
// local wall-clock time to the second, text as it is.
func (s *sheet) bound(t *testing.T, row, col int) string {
	if col < 0 {
		return ""
	}
	v := s.cell(row, col)
	if v == "" {
		return ""
	}
	if s.cellType(t, row, col) == excelize.CellTypeInlineString {
		return v
	}
	if f := s.format(t, row, col); f != "yyyy-mm-dd" && f != "yyyy-mm-dd hh:mm" {
		t.Errorf("%s: bound %q has format %q, want a date", s.name, v, f)
	}
	serial, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("%s: bound %q", s.name, v)
	}
	at, err := excelize.ExcelDateToTime(serial, false)
	if err != nil {
		t.Fatal(err)
	}
	return at.Round(time.Second).Format("2006-01-02 15:04:05")
}

// csvBound is a CSV bound as local wall-clock time in the digest's
// timezone: an RFC 3339 instant, or the API's wall clock in the query's
// offset.
func csvBound(t *testing.T, d *render.Digest, v string) string {
	if at, err := time.Parse(time.RFC3339, v); err == nil { // an instant, when the CSV writes them so
		return at.In(d.Period.Location).Format("2006-01-02 15:04:05")
	}
	slot, err := reports.ParseSlot(v)
	if v == "" || err != nil || slot.Kind != reports.SlotDateTime {
		return v
	}
	return slot.DateTime.Add(-d.Offset).In(d.Period.Location).Format("2006-01-02 15:04:05")
}

var periodText = map[string]string{render.PeriodCurrent: "This period", render.PeriodPrevious: "Previous period"}

// compare checks that the sheet's rows of one period hold exactly the
// CSV's lines: every line a cell with its value, typed by its unit, and
// no figure the CSV does not have.
func compare(t *testing.T, d *render.Digest, s *render.Section, sh *sheet, period string, lines []csvLine) {
	t.Helper()
	from, to := sh.col("From"), sh.col("To")
	idCol, nameCol := -1, -1
	for i := 1; i < sh.leads; i++ {
		switch {
		case strings.HasSuffix(sh.head[i], " ID"):
			idCol = i
		case i != from && i != to:
			nameCol = i
		}
	}
	byIdentity := map[string][]int{}
	figures := 0
	for r := range sh.rows {
		if sh.cell(r, 0) != periodText[period] {
			continue
		}
		key := sh.cell(r, nameCol)
		if idCol >= 0 {
			key = sh.cell(r, idCol)
		}
		id := strings.Join([]string{sh.bound(t, r, from), sh.bound(t, r, to), key, sh.cell(r, nameCol)}, "|")
		byIdentity[id] = append(byIdentity[id], r)
		for c := sh.leads; c < len(sh.head); c++ {
			if sh.cell(r, c) != "" {
				figures++
			}
		}
	}
	used := map[[2]int]bool{}
	spec, _ := reports.Lookup(s.Report)
	for _, l := range lines {
		c := sh.figureCol(s.FieldLabel(l.metric))
		if c < 0 {
			t.Errorf("%s: no column for %s in %q", sh.name, l.metric, sh.head)
			continue
		}
		want, _ := strconv.ParseFloat(l.value, 64)
		key := l.key
		if idCol < 0 && l.name != "" {
			key = l.name
		}
		id := strings.Join([]string{csvBound(t, d, l.from), csvBound(t, d, l.to), key, l.name}, "|")
		found := false
		for _, r := range byIdentity[id] {
			if used[[2]int{r, c}] || sh.cell(r, c) == "" {
				continue
			}
			got, err := strconv.ParseFloat(sh.cell(r, c), 64)
			if ct := sh.cellType(t, r, c); err != nil || ct == excelize.CellTypeInlineString || ct == excelize.CellTypeSharedString {
				t.Errorf("%s %s: %q is not a number (type %v)", sh.name, l.metric, sh.cell(r, c), ct)
			}
			format := sh.format(t, r, c)
			if format == "[h]:mm:ss" {
				got *= 86400
			}
			if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
				continue
			}
			used[[2]int{r, c}], found = true, true
			if m, ok := metricOf(spec, l.metric); ok {
				wantFormat := map[reports.Unit]string{reports.Seconds: "[h]:mm:ss", reports.Ratio: "0.0%"}[m.Unit]
				if (wantFormat != "" || format == "[h]:mm:ss" || format == "0.0%") && format != wantFormat {
					t.Errorf("%s %s (%v): format %q, want %q", sh.name, l.metric, m.Unit, format, wantFormat)
				}
			}
			break
		}
		if !found {
			t.Errorf("%s, %s: no cell holds the CSV's %s|%s = %s (period %s)", sh.name, id, l.metric, l.name, l.value, period)
		}
	}
	if figures != len(lines) {
		t.Errorf("%s, %s: %d figures in the sheet, %d lines in the CSV", sh.name, period, figures, len(lines))
	}
}

func metricOf(spec *reports.Spec, wire string) (reports.Metric, bool) {
	for _, m := range spec.Metrics {
		if m.Wire == wire || m.DistributionWire() == wire {
			return m, true
		}
	}
	return reports.Metric{}, false
}

// sectionSheets pairs each section the workbook carries with its sheet
// (in order after the Summary), checking each sheet's title.
func sectionSheets(t *testing.T, f *excelize.File, d *render.Digest) map[int]string {
	t.Helper()
	list := f.GetSheetList()
	if len(list) == 0 || list[0] != "Summary" {
		t.Fatalf("sheets %q: want Summary first", list)
	}
	out := map[int]string{}
	k := 1
	for i := range d.Sections {
		if !d.Sections[i].HasRecords() {
			continue
		}
		if k >= len(list) {
			t.Fatalf("%d sheets; no sheet for %q", len(list), d.Sections[i].TitleText())
		}
		if title, _ := f.GetCellValue(list[k], "A1"); title != d.Sections[i].TitleText() {
			t.Errorf("sheet %q is titled %q, want %q", list[k], title, d.Sections[i].TitleText())
		}
		out[i] = list[k]
		k++
	}
	if k != len(list) {
		t.Errorf("%d sheets, want %d", len(list), k)
	}
	return out
}

// Every figure of the workbook is the CSV's, cell for cell, for both
// periods (the previous one against the CSV of the previous rows), typed
// by its unit, with bucket bounds as dates in the digest's timezone.
func TestWorkbookHoldsTheCSVsFigures(t *testing.T) {
	d := siteDigest(t, 20)
	f := open(t, build(t, d))
	prev := previousAsCurrent(d)
	for i, name := range sectionSheets(t, f, d) {
		s := &d.Sections[i]
		t.Run(name, func(t *testing.T) {
			sh := readSheet(t, f, name)
			compare(t, d, s, sh, render.PeriodCurrent, csvOf(t, d, s))
			compare(t, d, s, sh, render.PeriodPrevious, csvOf(t, prev, &prev.Sections[i]))
		})
	}
}

// The Summary's KPIs are the mail's, as numbers: this period, the
// previous one and the change, durations as [h]:mm:ss.
func TestSummaryHoldsTheKPIs(t *testing.T) {
	d := siteDigest(t, 20)
	f := open(t, build(t, d))
	rows, err := f.GetRows("Summary", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	byLabel := map[string]int{}
	for i, r := range rows {
		if _, seen := byLabel[r0(r)]; !seen && len(r) > 0 {
			byLabel[r[0]] = i // KPIs come before the list of sheets
		}
	}
	figs := render.Summary(d)
	if len(figs) < 5 {
		t.Fatalf("%d KPIs", len(figs))
	}
	for _, k := range figs {
		i, ok := byLabel[k.Label]
		if !ok {
			t.Errorf("no KPI %q on the Summary", k.Label)
			continue
		}
		r := rows[i]
		num := func(c int) float64 {
			v, err := strconv.ParseFloat(r[c], 64)
			if err != nil {
				t.Errorf("%s: %q", k.Label, r[c])
			}
			return v
		}
		scale := 1.0
		ref, _ := excelize.CoordinatesToCellName(2, i+1)
		id, _ := f.GetCellStyle("Summary", ref)
		st, _ := f.GetStyle(id)
		if k.Unit == reports.Seconds {
			scale = 86400
			if st.CustomNumFmt == nil || *st.CustomNumFmt != "[h]:mm:ss" {
				t.Errorf("%s: not a duration", k.Label)
			}
		}
		near := func(got, want float64) bool { return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want)) }
		if got := num(1) * scale; !near(got, k.Current) {
			t.Errorf("%s this period = %v, want %v", k.Label, got, k.Current)
		}
		if got := num(2) * scale; !near(got, k.Previous) {
			t.Errorf("%s previous = %v, want %v", k.Label, got, k.Previous)
		}
		if k.Previous != 0 {
			if got, want := num(3), (k.Current-k.Previous)/math.Abs(k.Previous); !near(got, want) {
				t.Errorf("%s change = %v, want %v", k.Label, got, want)
			}
		}
	}
	for _, k := range figs {
		if !k.Rating {
			continue
		}
		r := rows[byLabel[k.Label+": rated 4–5"]]
		cur, _ := strconv.ParseFloat(r[1], 64)
		prev, _ := strconv.ParseFloat(r[2], 64)
		if math.Abs(cur-k.Positive) > 1e-12 || math.Abs(prev-k.PreviousPositive) > 1e-12 {
			t.Errorf("rated 4–5: %v, %v; want %v, %v", cur, prev, k.Positive, k.PreviousPositive)
		}
	}
	// The section that could not be fetched says why, in place of a sheet.
	noted := false
	for _, r := range rows {
		noted = noted || len(r) == 2 && r[0] == "Queue" && strings.HasPrefix(r[1], "Not available in your Comm100 edition")
	}
	if !noted {
		t.Error("the failed section's note is not on the Summary")
	}
}

// Each time series has a native chart of its sheet (XY, lines over time); every section
// sheet has an autofilter over its header and rows.
func TestChartsAndFilters(t *testing.T) {
	d := siteDigest(t, 20)
	data := build(t, d)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var charts []string
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			charts = append(charts, string(b))
		}
	}
	f := open(t, data)
	for i, name := range sectionSheets(t, f, d) {
		s := &d.Sections[i]
		n := 0
		for _, c := range charts {
			if strings.Contains(c, "<scatterChart>") && strings.Contains(c, "&#39;"+name+"&#39;!$") {
				n++
			}
		}
		if want := map[bool]int{true: 1}[s.Group.IsTime()]; n != want {
			t.Errorf("%s: %d charts, want %d", name, n, want)
		}
		rows, _ := f.GetRows(name)
		if len(rows) == 4 && len(rows[3]) == 1 {
			continue // "No figures": nothing to filter
		}
		want := fmt.Sprintf(`<autoFilter ref="$A$3:$%s$%d">`, lastColumn(rows[2]), len(rows))
		if xml := sheetXML(t, zr, f, name); !strings.Contains(xml, want) {
			t.Errorf("%s: no %s", name, want)
		}
	}
}

func r0(r []string) string {
	if len(r) == 0 {
		return ""
	}
	return r[0]
}

func lastColumn(head []string) string {
	c, _ := excelize.ColumnNumberToName(len(head))
	return c
}

func sheetXML(t *testing.T, zr *zip.Reader, f *excelize.File, name string) string {
	t.Helper()
	idx, _ := f.GetSheetIndex(name)
	// Sheets are stored in the order they were made: sheetN.xml is index N-1.
	rc, err := zr.Open(fmt.Sprintf("xl/worksheets/sheet%d.xml", idx+1))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return string(b)
}

// A 2,000-agent site's workbook has every agent, in both periods.
func TestWorkbookHasEveryAgent(t *testing.T) {
	if testing.Short() {
		t.Skip("fetches a 2,000-agent site")
	}
	d := siteDigest(t, 2000)
	f := open(t, build(t, d))
	for i, name := range sectionSheets(t, f, d) {
		if d.Sections[i].Report != "agentPerformance" {
			continue
		}
		sh := readSheet(t, f, name)
		idCol := sh.col("Agent ID")
		agents := map[string]map[string]bool{}
		for r := range sh.rows {
			p := sh.cell(r, 0)
			if agents[p] == nil {
				agents[p] = map[string]bool{}
			}
			agents[p][sh.cell(r, idCol)] = true
		}
		for _, p := range []string{"This period", "Previous period"} {
			if len(agents[p]) != 2000 {
				t.Errorf("%s: %d agents in %s, want 2,000", name, len(agents[p]), p)
			}
		}
		return
	}
	t.Fatal("no agent performance sheet")
}

// hostileName is an agent's name a spreadsheet or XML could trip on.
const hostileName = "=HYPERLINK(\"https://evil.example\",\"x\")\x00😀\xff"

// hostileDigest is the 20-agent digest with the first agent of the agent
// performance section named hostileName.
func hostileDigest(t *testing.T) *render.Digest {
	d := *siteDigest(t, 20)
	agents := map[string]string{}
	for id, n := range d.Names[reports.GroupAgent] {
		agents[id] = n
	}
	for _, s := range d.Sections {
		if s.Report == "agentPerformance" {
			agents[string(reports.KeyOf(s.Rows[0], reports.GroupAgent))] = hostileName
		}
	}
	d.Names = maps(d.Names, agents)
	return &d
}

// Names are typed strings, never formulas; control characters become
// spaces and bytes that are no UTF-8 U+FFFD (XML carries neither).
func TestHostileNamesStayText(t *testing.T) {
	d := hostileDigest(t)
	f := open(t, build(t, d))
	for i, name := range sectionSheets(t, f, d) {
		if d.Sections[i].Report != "agentPerformance" {
			continue
		}
		got, _ := f.GetCellValue(name, "C4")
		formula, _ := f.GetCellFormula(name, "C4")
		if got != "=HYPERLINK(\"https://evil.example\",\"x\") 😀\ufffd" || formula != "" {
			t.Errorf("C4 = %q, formula %q", got, formula)
		}
	}
}

func maps(n map[reports.Group]map[string]string, agents map[string]string) map[reports.Group]map[string]string {
	out := map[reports.Group]map[string]string{}
	for g, m := range n {
		out[g] = m
	}
	out[reports.GroupAgent] = agents
	return out
}

// The same digest builds the same parts (no clock, no map order); only
// the order of the zip's entries, and of the content types, may differ
// (excelize's choice).
func TestWorkbookIsDeterministic(t *testing.T) {
	d := siteDigest(t, 20)
	parts := func(data []byte) map[string]string {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, zf := range zr.File {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			out[zf.Name] = string(b)
			if zf.Name == "[Content_Types].xml" { // its entries, in any order
				parts := strings.Split(string(b), "><")
				sort.Strings(parts)
				out[zf.Name] = strings.Join(parts, "><")
			}
		}
		return out
	}
	a, b := parts(build(t, d)), parts(build(t, d))
	if len(a) != len(b) {
		t.Fatalf("%d and %d parts", len(a), len(b))
	}
	for name, x := range a {
		if b[name] != x {
			t.Errorf("%s differs", name)
		}
	}
}
