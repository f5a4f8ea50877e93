package render

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/wcharczuk/go-chart/v2/drawing"

	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"
)

// view is a section ready for the PDF, HTML and text renderers.
type view struct {
	Anchor   string
	Title    string
	Subtitle string
	Summary  string // one line for the text body and the contents
	Note     string // replaces the chart: an error, "not in your edition", or empty data
	NoteKind string // "error" or "empty"
	figure   func(scale float64) *Figure
	Table    *Table
}

const topN = 10

func groupLabel(g reports.Group) string {
	switch g {
	case reports.GroupHour:
		return "Hourly"
	case reports.GroupDay:
		return "Daily"
	case reports.GroupWeek:
		return "Weekly"
	case reports.GroupMonth:
		return "Monthly"
	case reports.GroupWeekDistribution:
		return "Average by weekday and hour"
	case reports.GroupHalfHour:
		return "Average by half hour of the day"
	case reports.GroupNone:
		return ""
	}
	return "By " + strings.ToLower(splitCamel(string(g)))
}

func splitCamel(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// buildViews turns every section into a view.
func buildViews(d *Digest) []view {
	out := make([]view, len(d.Sections))
	for i := range d.Sections {
		out[i] = buildView(d, &d.Sections[i], i)
	}
	return out
}

func buildView(d *Digest, s *Section, i int) view {
	spec := s.spec()
	v := view{Anchor: fmt.Sprintf("s%d-%s", i+1, spec.Name), Title: s.TitleText(), Subtitle: groupLabel(s.Group)}
	if s.Filter != nil {
		name := d.Names.Name(reports.Group(s.Filter.Name), reports.ID(s.Filter.Value))
		v.Subtitle = strings.TrimPrefix(v.Subtitle+" · "+splitCamel(s.Filter.Name)+": "+name, " · ")
	}
	if s.Note != "" {
		v.Note, v.NoteKind, v.Summary = s.Note, "error", s.Note
		return v
	}
	switch spec.Kind {
	case reports.KindSurvey:
		surveyView(&v, s)
	case reports.KindStatusLog:
		statusView(&v, d, s)
	case reports.KindRanked:
		rankedView(&v, d, s, spec)
	case reports.KindRealtime:
		realtimeView(&v, d, s, spec)
	default:
		switch {
		case s.Report == "rating":
			ratingView(&v, d, s)
		case s.Group.IsTime():
			timeView(&v, d, s, spec)
		case s.Group.IsDistribution():
			distributionView(&v, s, spec)
		default:
			dimensionView(&v, d, s, spec)
		}
	}
	if v.figure == nil && v.Table == nil && v.Note == "" {
		v.empty(spec)
	}
	return v
}

func (v *view) empty(spec *reports.Spec) {
	v.NoteKind = "empty"
	if _, ok := spec.MetricByWire("chats"); ok || spec.Name == "chatVolume" || spec.Name == "rating" {
		v.Note = "No chats in this period."
	} else {
		v.Note = "Nothing recorded in this period."
	}
	v.Summary = v.Note
	v.figure, v.Table = nil, nil
}

func unitFormatter(u reports.Unit) func(float64) string {
	return func(f float64) string {
		if u == reports.Count {
			return compact(f)
		}
		return format.Value(f, u)
	}
}

// compact writes axis labels short: 1.2k, 3.4M.
func compact(v float64) string {
	switch {
	case math.Abs(v) >= 1e6:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e6), ".0") + "M"
	case math.Abs(v) >= 1e4:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e3), ".0") + "k"
	}
	return format.Count(v)
}

// instant converts a bucket's wall-clock reading (in the query offset) to an instant.
func (d *Digest) instant(civil time.Time) time.Time {
	return civil.Add(-d.Offset).In(d.Period.Location)
}

// ticks are the x-axis ticks for the period, and their label format.
func (d *Digest) ticks() ([]time.Time, string) {
	loc := d.Period.Location
	start, end := d.Period.Start.In(loc), d.Period.End.In(loc)
	days := end.Sub(start).Hours() / 24
	var out []time.Time
	switch {
	case days <= 1.1:
		for t := start; !t.After(end); t = t.Add(3 * time.Hour) {
			out = append(out, t)
		}
		return out, "15:04"
	case days <= 14:
		for t := start; !t.After(end); t = t.AddDate(0, 0, 1) {
			out = append(out, t)
		}
		return out, "Mon 2"
	case days <= 62:
		for t := start; !t.After(end); t = t.AddDate(0, 0, 7) {
			out = append(out, t)
		}
		return out, "2 Jan"
	}
	for t := start; !t.After(end); t = t.AddDate(0, 1, 0) {
		out = append(out, t)
	}
	return out, "Jan 2006"
}

func (d *Digest) shift() time.Duration {
	if d.Previous == nil {
		return 0
	}
	return d.Period.Start.Sub(d.Previous.Start)
}

func (d *Digest) series(rows []any, m reports.Metric, shift time.Duration) ([]time.Time, []float64) {
	var ts []time.Time
	var vs []float64
	for _, r := range rows {
		b := reports.TimeOf(r)
		if b == nil || b.From.Kind != reports.SlotDateTime {
			continue
		}
		at := d.instant(b.From.DateTime)
		// Day, week and month buckets sit at their middle, between the ticks
		// that bound them; hour buckets at their start.
		if b.To.Kind == reports.SlotDateTime && b.To.DateTime.Sub(b.From.DateTime) > time.Hour {
			at = at.Add(b.To.DateTime.Sub(b.From.DateTime) / 2)
		}
		ts = append(ts, at.Add(shift))
		vs = append(vs, reports.MetricValue(r, m, false))
	}
	return ts, vs
}

// totalsTable compares each metric's roll-up with the previous period.
func totalsTable(spec *reports.Spec, metrics []reports.Metric, rows, prev []any, hasPrev bool, dist bool, g reports.Group) *Table {
	t := &Table{Head: []string{"Metric", "This period", "Previous", "Change"}, NumericFrom: 1}
	if dist {
		// Counts add up over the buckets to a typical week (24*7) or day
		// (half-hours); averages stay averages.
		typical := "Typical day"
		if g == reports.GroupWeekDistribution {
			typical = "Typical week"
		}
		t.Head = []string{"Metric", typical, "Peak", "At"}
	}
	for _, m := range metrics {
		cur := rollup(rows, m, dist)
		if dist {
			peak, at := peakOf(rows, m)
			t.Rows = append(t.Rows, []string{m.Label, format.Value(cur, m.Unit), format.Value(peak, m.Unit), at})
			t.Tones = append(t.Tones, nil)
			continue
		}
		row := []string{m.Label, format.Value(cur, m.Unit), "—", ""}
		tones := []string{"", "", "", "flat"}
		if hasPrev {
			p := rollup(prev, m, false)
			delta := format.Change(cur, p, m.LowerIsBetter, false)
			row[2], row[3], tones[3] = format.Value(p, m.Unit), delta.Text, delta.Tone
		}
		t.Rows = append(t.Rows, row)
		t.Tones = append(t.Tones, tones)
	}
	if !dist {
		for _, dr := range derivedRates[spec.Name] {
			cur := ratio(totalOf(spec, rows, dr.num), totalOf(spec, rows, dr.den))
			row := []string{dr.label, format.Percent(cur), "—", ""}
			tones := []string{"", "", "", "flat"}
			if hasPrev {
				p := ratio(totalOf(spec, prev, dr.num), totalOf(spec, prev, dr.den))
				delta := format.Change(cur, p, false, false)
				row[2], row[3], tones[3] = format.Percent(p), delta.Text, delta.Tone
			}
			t.Rows = append(t.Rows, row)
			t.Tones = append(t.Tones, tones)
		}
	}
	return t
}

func ratio(n, d float64) float64 {
	if d == 0 {
		return 0
	}
	return n / d
}

func peakOf(rows []any, m reports.Metric) (float64, string) {
	var best float64
	at := "—"
	for _, r := range rows {
		v := reports.MetricValue(r, m, true)
		if v > best {
			best = v
			if b := reports.TimeOf(r); b != nil {
				at = b.From.String()
			}
		}
	}
	return best, at
}

func summaryLine(m reports.Metric, rows, prev []any, hasPrev bool) string {
	cur := rollup(rows, m, false)
	s := m.Label + ": " + format.Value(cur, m.Unit)
	if hasPrev {
		s += " (" + format.Change(cur, rollup(prev, m, false), m.LowerIsBetter, false).Text + " vs previous period)"
	}
	return s
}

func timeView(v *view, d *Digest, s *Section, spec *reports.Spec) {
	metrics := activeMetrics(spec, s.Rows, false)
	if len(metrics) == 0 {
		return
	}
	hasPrev := s.Previous != nil && d.Previous != nil
	v.Table = totalsTable(spec, metrics, s.Rows, s.Previous, hasPrev, false, s.Group)
	v.Summary = summaryLine(metrics[0], s.Rows, s.Previous, hasPrev)
	// Chart at most two metrics that share a unit, plus the previous period of the first.
	charted := []reports.Metric{metrics[0]}
	for _, m := range metrics[1:] {
		if m.Unit == metrics[0].Unit && len(charted) < 2 {
			charted = append(charted, m)
		}
	}
	ticks, format := d.ticks()
	v.figure = func(scale float64) *Figure {
		var lines []line
		if hasPrev {
			ts, vs := d.series(s.Previous, charted[0], d.shift())
			lines = append(lines, line{name: charted[0].Label + " (previous)", times: ts, values: vs, faint: true})
		}
		for i, m := range charted {
			ts, vs := d.series(s.Rows, m, 0)
			lines = append(lines, line{name: m.Label, times: ts, values: vs, color: seriesCols[i]})
		}
		alt := fmt.Sprintf("%s, %s: %s", v.Title, strings.ToLower(v.Subtitle), v.Summary)
		return lineFigure(lines, d.Period.Start, d.Period.End, ticks, format, d.Period.Location, unitFormatter(charted[0].Unit), alt, scale)
	}
}

func distributionView(v *view, s *Section, spec *reports.Spec) {
	metrics := activeMetrics(spec, s.Rows, true)
	if len(metrics) == 0 {
		return
	}
	m := metrics[0]
	v.Table = totalsTable(spec, metrics, s.Rows, nil, false, true, s.Group)
	peak, at := peakOf(s.Rows, m)
	v.Summary = fmt.Sprintf("%s peaks at %s (%s on average)", m.Label, at, format.Value(peak, m.Unit))
	format := unitFormatter(m.Unit)
	if s.Group == reports.GroupWeekDistribution {
		var grid [7][24]float64
		for _, r := range s.Rows {
			b := reports.TimeOf(r)
			if b == nil || b.From.Kind != reports.SlotWeekClock {
				continue
			}
			day := (int(b.From.Weekday) + 6) % 7 // Monday first
			grid[day][b.From.Minute/60%24] += reports.MetricValue(r, m, true)
		}
		v.figure = func(scale float64) *Figure {
			return heatmapFigure(grid, format, v.Title+": "+v.Summary, scale)
		}
		return
	}
	var cols []column
	for _, r := range s.Rows {
		c := column{segments: []float64{reports.MetricValue(r, m, true)}}
		if b := reports.TimeOf(r); b != nil && b.From.Minute%120 == 0 {
			c.label = twoDigits(b.From.Minute / 60)
		}
		cols = append(cols, c)
	}
	v.figure = func(scale float64) *Figure {
		return columnsFigure(cols, []drawing.Color{colPrimary}, []string{m.Label + " (average)"}, format, v.Title+": "+v.Summary, scale)
	}
}

func dimensionEntries(d *Digest, s *Section, m reports.Metric, rows []any) []entry {
	var es []entry
	for _, r := range rows {
		es = append(es, entry{label: d.Names.Name(s.Group, reports.KeyOf(r, s.Group)), value: reports.MetricValue(r, m, false), row: r})
	}
	return ranked(es, topN, isAverage(m))
}

func dimensionView(v *view, d *Digest, s *Section, spec *reports.Spec) {
	metrics := activeMetrics(spec, s.Rows, false)
	if len(metrics) == 0 {
		return
	}
	if s.Report == "availability" && s.Group == reports.GroupAgent {
		availabilityView(v, d, s)
		return
	}
	m := metrics[0]
	es := dimensionEntries(d, s, m, s.Rows)
	if len(metrics) > 4 {
		metrics = metrics[:4]
	}
	t := &Table{Head: []string{splitCamel(strings.ToUpper(string(s.Group[:1])) + string(s.Group[1:]))}, NumericFrom: 1, TotalRow: true}
	for _, mt := range metrics {
		t.Head = append(t.Head, mt.Label)
	}
	rowsOf := func(e entry) []any {
		if e.others == 0 {
			return []any{e.row}
		}
		var rest []any
		top := map[any]bool{}
		for _, x := range es {
			top[x.row] = true
		}
		for _, r := range s.Rows {
			if !top[r] {
				rest = append(rest, r)
			}
		}
		return rest
	}
	for _, e := range es {
		row := []string{e.label}
		for _, mt := range metrics {
			row = append(row, format.Value(rollup(rowsOf(e), mt, false), mt.Unit))
		}
		t.Rows = append(t.Rows, row)
	}
	total := []string{"Total"}
	for _, mt := range metrics {
		total = append(total, format.Value(rollup(s.Rows, mt, false), mt.Unit))
	}
	t.Rows = append(t.Rows, total)
	v.Table = t
	if len(es) > 0 {
		v.Summary = fmt.Sprintf("Top by %s: %s (%s)", strings.ToLower(m.Label), es[0].label, format.Value(es[0].value, m.Unit))
	}
	var bars []hbar
	for _, e := range es {
		bars = append(bars, hbar{label: e.label, segments: []float64{e.value}, colors: []drawing.Color{colPrimary}, value: format.Value(e.value, m.Unit)})
	}
	v.figure = func(scale float64) *Figure {
		return hbarsFigure(bars, []string{m.Label}, []drawing.Color{colPrimary}, v.Title+": "+v.Summary, scale)
	}
}

func statusTime(dist []reports.StatusTime, status string) float64 {
	for _, st := range dist {
		if strings.EqualFold(st.Status, status) {
			return st.Time
		}
	}
	return 0
}

func availabilityView(v *view, d *Digest, s *Section) {
	var es []entry
	for _, r := range s.Rows {
		row := r.(*reports.AvailabilityRow)
		es = append(es, entry{label: d.Names.Name(reports.GroupAgent, row.AgentID), value: row.Online, row: row})
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].value > es[j].value })
	t := &Table{Head: []string{"Agent", "Online", "Away", "Logged in"}, NumericFrom: 1}
	var bars []hbar
	for _, e := range es {
		row := e.row.(*reports.AvailabilityRow)
		away := statusTime(row.StatusDistribution, "Total Away")
		logged := statusTime(row.StatusDistribution, "Logged-in")
		t.Rows = append(t.Rows, []string{e.label, format.Duration(row.Online), format.Duration(away), format.Duration(logged)})
		bars = append(bars, hbar{label: e.label, segments: []float64{row.Online, away},
			colors: []drawing.Color{statusCols["Online"], statusCols["Away"]}, value: format.Duration(row.Online)})
	}
	if len(es) > 0 {
		v.Summary = fmt.Sprintf("Most online: %s (%s)", es[0].label, format.Duration(es[0].value))
	}
	v.Table = t
	v.figure = func(scale float64) *Figure {
		return hbarsFigure(bars, []string{"Online", "Away"}, []drawing.Color{statusCols["Online"], statusCols["Away"]}, v.Title+": "+v.Summary, scale)
	}
}

func ratingView(v *view, d *Digest, s *Section) {
	dist := s.Group.IsDistribution()
	rated, avg, pos := ratingStats(s.Rows, dist)
	if rated == 0 {
		return
	}
	v.Summary = fmt.Sprintf("Average %.1f / 5 from %s rated chats, %s positive (4–5)", avg, format.Count(rated), format.Percent(pos))
	if s.Previous != nil && !dist {
		_, pavg, _ := ratingStats(s.Previous, false)
		if pavg > 0 {
			v.Summary += fmt.Sprintf("; previous period %.1f", pavg)
		}
	}
	legend := []string{"1", "2", "3", "4", "5 stars"}
	scores := func(r any) []float64 {
		out := make([]float64, 5)
		for i := range out {
			wire := fmt.Sprintf("score%d", i+1)
			if dist {
				wire = fmt.Sprintf("avgScore%d", i+1)
			}
			out[i], _ = reports.Value(r, wire)
		}
		return out
	}
	if s.Group.IsDimension() {
		t := &Table{Head: []string{splitCamel(strings.ToUpper(string(s.Group[:1])) + string(s.Group[1:])), "Rated", "Average", "Positive"}, NumericFrom: 1}
		var es []entry
		for _, r := range s.Rows {
			n, _, _ := ratingStats([]any{r}, false)
			es = append(es, entry{label: d.Names.Name(s.Group, reports.KeyOf(r, s.Group)), value: n, row: r})
		}
		es = ranked(es, topN, false)
		var bars []hbar
		for _, e := range es {
			if e.others > 0 {
				continue
			}
			n, a, p := ratingStats([]any{e.row}, false)
			t.Rows = append(t.Rows, []string{e.label, format.Count(n), fmt.Sprintf("%.1f", a), format.Percent(p)})
			bars = append(bars, hbar{label: e.label, segments: scores(e.row), colors: ratingCols, value: fmt.Sprintf("%.1f avg", a)})
		}
		v.Table = t
		v.figure = func(scale float64) *Figure {
			return hbarsFigure(bars, legend, ratingCols, v.Title+": "+v.Summary, scale)
		}
		return
	}
	t := &Table{Head: []string{"Score", "Chats", "Share"}, NumericFrom: 1}
	total := make([]float64, 5)
	for _, r := range s.Rows {
		for i, x := range scores(r) {
			total[i] += x
		}
	}
	for i := 4; i >= 0; i-- {
		t.Rows = append(t.Rows, []string{fmt.Sprintf("%d", i+1), format.Count(total[i]), format.Percent(ratio(total[i], rated))})
	}
	v.Table = t
	var cols []column
	for i, r := range s.Rows {
		c := column{segments: scores(r)}
		if b := reports.TimeOf(r); b != nil && len(s.Rows) <= 31 {
			c.label = shortBucket(d, b)
		} else if b != nil && i%max(1, len(s.Rows)/8) == 0 {
			c.label = shortBucket(d, b)
		}
		cols = append(cols, c)
	}
	v.figure = func(scale float64) *Figure {
		return columnsFigure(cols, ratingCols, legend, compact, v.Title+": "+v.Summary, scale)
	}
}

func shortBucket(d *Digest, b *reports.Bucket) string {
	switch b.From.Kind {
	case reports.SlotDateTime:
		return d.instant(b.From.DateTime).Format("Mon 2")
	case reports.SlotWeekClock:
		return b.From.Weekday.String()[:3]
	}
	return b.From.String()
}

func surveyView(v *view, s *Section) {
	// Merge campaigns: the same question across campaigns adds up.
	var blocks []surveyBlock
	index := map[string]int{}
	add := func(q, answer string, n float64) {
		i, ok := index[q]
		if !ok {
			i = len(blocks)
			index[q] = i
			blocks = append(blocks, surveyBlock{question: q})
		}
		b := &blocks[i]
		b.total += n
		for j := range b.answers {
			if b.answers[j].label == answer {
				b.answers[j].value += n
				return
			}
		}
		b.answers = append(b.answers, entry{label: answer, value: n})
	}
	for _, r := range s.Rows {
		for _, f := range r.(*reports.SurveyRow).Fields {
			for _, o := range f.Options {
				add(f.FieldName, o.Name, o.Count)
			}
			for _, g := range f.Groups {
				for _, o := range g.Options {
					add(f.FieldName, g.Name+" › "+o.Name, o.Count)
				}
			}
		}
	}
	t := &Table{Head: []string{"Question", "Answer", "Count", "Share"}, NumericFrom: 2}
	var total float64
	for i := range blocks {
		blocks[i].answers = ranked(blocks[i].answers, 8, false)
		for _, a := range blocks[i].answers {
			t.Rows = append(t.Rows, []string{blocks[i].question, a.label, format.Count(a.value), format.Percent(ratio(a.value, blocks[i].total))})
		}
		total += blocks[i].total
	}
	if total == 0 {
		return
	}
	v.Table = t
	v.Summary = fmt.Sprintf("%d questions, %s answers", len(blocks), format.Count(total))
	v.figure = func(scale float64) *Figure { return surveyFigure(blocks, v.Title+": "+v.Summary, scale) }
}

func statusView(v *view, d *Digest, s *Section) {
	start, end := d.Period.Start, d.Period.End
	span := end.Sub(start).Seconds()
	t := &Table{Head: []string{"Agent", "Online", "Away", "Status changes"}, NumericFrom: 1}
	var lanes []lane
	for _, r := range s.Rows {
		row := r.(*reports.AgentStatusRow)
		l := lane{label: d.Names.Name(reports.GroupAgent, row.AgentID)}
		var online, away float64
		for i, c := range row.ChangeLogs {
			slot, err := reports.ParseSlot(c.Time)
			if err != nil || slot.Kind != reports.SlotDateTime {
				continue
			}
			from := d.instant(slot.DateTime)
			to := end
			if i+1 < len(row.ChangeLogs) {
				if next, err := reports.ParseSlot(row.ChangeLogs[i+1].Time); err == nil {
					to = d.instant(next.DateTime)
				}
			}
			secs := to.Sub(from).Seconds()
			switch c.Status {
			case "Online":
				online += secs
			case "Away":
				away += secs
			}
			l.segments = append(l.segments, laneSegment{from: math.Max(0, from.Sub(start).Seconds()/span), to: math.Min(1, to.Sub(start).Seconds()/span), status: c.Status})
		}
		lanes = append(lanes, l)
		t.Rows = append(t.Rows, []string{l.label, format.Duration(online), format.Duration(away), format.Count(float64(len(row.ChangeLogs)))})
	}
	if len(lanes) == 0 {
		return
	}
	v.Table = t
	v.Summary = fmt.Sprintf("Status timelines for %d agents", len(lanes))
	ticks, format := d.ticks()
	var labels []string
	for _, tk := range ticks[:max(1, len(ticks)-1)] {
		labels = append(labels, tk.Format(format))
	}
	v.figure = func(scale float64) *Figure { return timelineFigure(lanes, labels, v.Title+": "+v.Summary, scale) }
}

func rankedView(v *view, d *Digest, s *Section, spec *reports.Spec) {
	m := spec.Metrics[0]
	var es []entry
	for _, r := range s.Rows {
		label := ""
		switch row := r.(type) {
		case *reports.RequestPageRow:
			label = row.RequestPage
		case *reports.CannedMessageRow:
			label = d.Names.Name("cannedMessage", row.ID)
		}
		es = append(es, entry{label: label, value: reports.MetricValue(r, m, false), row: r})
	}
	es = ranked(es, topN, false)
	var total float64
	for _, e := range es {
		total += e.value
	}
	if total == 0 {
		return
	}
	t := &Table{Head: []string{"#", strings.TrimSuffix(spec.Title, "s"), m.Label, "Share"}, NumericFrom: 2}
	if len(spec.Metrics) > 1 {
		t.Head = append(t.Head, spec.Metrics[1].Label)
	}
	var bars []hbar
	for i, e := range es {
		rank := fmt.Sprint(i + 1)
		if e.others > 0 {
			rank = ""
		}
		row := []string{rank, format.Truncate(e.label, 70), format.Value(e.value, m.Unit), format.Percent(ratio(e.value, total))}
		if len(spec.Metrics) > 1 && e.others == 0 {
			row = append(row, format.Value(reports.MetricValue(e.row, spec.Metrics[1], false), spec.Metrics[1].Unit))
		} else if len(spec.Metrics) > 1 {
			row = append(row, "")
		}
		t.Rows = append(t.Rows, row)
		label := strings.TrimPrefix(strings.TrimPrefix(e.label, "https://"), "http://")
		bars = append(bars, hbar{label: label, segments: []float64{e.value}, colors: []drawing.Color{colPrimary}, value: format.Value(e.value, m.Unit)})
	}
	v.Table = t
	v.Summary = fmt.Sprintf("Top: %s (%s %s)", format.Truncate(es[0].label, 60), format.Value(es[0].value, m.Unit), strings.ToLower(m.Label))
	v.figure = func(scale float64) *Figure { return hbarsFigure(bars, nil, nil, v.Title+": "+v.Summary, scale) }
}

func realtimeView(v *view, d *Digest, s *Section, spec *reports.Spec) {
	t := &Table{NumericFrom: 1}
	switch spec.Name {
	case "realtimeRightNow":
		rn := s.Rows[0].(*reports.RightNow)
		t.Head = []string{"Right now", "Value"}
		t.Rows = [][]string{{"Ongoing chats", format.Count(rn.OngoingChats)}, {"Agents in chat", format.Count(rn.AgentsInChat)},
			{"Logged-in agents", format.Count(rn.LoggedInAgents)}, {"Visitors on site", format.Count(rn.VisitorsOnSite)}}
		if rn.CurrentQueueLength != nil {
			t.Rows = append(t.Rows, []string{"Queue length", format.Count(*rn.CurrentQueueLength)})
		}
		if rn.ChatUtilization != nil {
			t.Rows = append(t.Rows, []string{"Chat utilization", format.Percent(*rn.ChatUtilization)})
		}
		v.Summary = fmt.Sprintf("%s ongoing chats, %s agents logged in", format.Count(rn.OngoingChats), format.Count(rn.LoggedInAgents))
	case "realtimeToday":
		td := s.Rows[0].(*reports.Today)
		t.Head = []string{"Today so far", "Value"}
		if o := td.ChatOverview; o != nil {
			t.Rows = [][]string{{"Chat requests", format.Count(o.ChatRequests)}, {"Chats", format.Count(o.Chats)}, {"Acceptance rate", format.Percent(o.ChatAcceptanceRate)},
				{"Missed", format.Count(o.MissedChats)}, {"Abandoned", format.Count(o.AbandonedChats)}, {"Switched to message", format.Count(o.SwitchToMessages)}}
			v.Summary = fmt.Sprintf("%s chats today so far", format.Count(o.Chats))
		}
		if e := td.ServiceEfficiency; e != nil {
			t.Rows = append(t.Rows, []string{"Avg wait", format.Duration(e.AvgWaitTime)}, []string{"Avg chat time", format.Duration(e.AvgChatTime)})
		}
	case "realtimeCustomMetrics":
		t.Head = []string{"Custom metric", "Value"}
		for _, r := range s.Rows {
			for _, m := range *asSlice[reports.CustomMetric](r) {
				t.Rows = append(t.Rows, []string{d.Names.Name("customMetric", m.ID), format.Count(m.Value)})
			}
		}
	case "realtimeAgents":
		t.Head = []string{"Agent", "Status", "Ongoing", "Chats today", "Chatting today"}
		for _, r := range s.Rows {
			for _, a := range *asSlice[reports.RealtimeAgent](r) {
				t.Rows = append(t.Rows, []string{d.Names.Name(reports.GroupAgent, a.AgentID), a.CurrentStatus, format.Count(a.OngoingChats), format.Count(a.TodayChats), format.Duration(a.TodayLinearChatTime)})
			}
		}
		t.NumericFrom = 2
	case "realtimeQueue":
		t.Head = []string{"Queue", "Waiting", "Longest wait", "Avg wait (30 min)", "Ongoing"}
		for _, r := range s.Rows {
			for _, q := range *asSlice[reports.RealtimeQueue](r) {
				var longest float64
				for _, w := range q.Queue {
					longest = math.Max(longest, w.WaitTime)
				}
				t.Rows = append(t.Rows, []string{format.QueueLabel(d.Names, q.RouteTo), format.Count(float64(len(q.Queue))), format.Duration(longest), format.Duration(q.AvgWaitTimeInLast30Mins), format.Count(q.OngoingChats)})
			}
		}
	}
	if len(t.Rows) == 0 {
		return
	}
	v.Subtitle = "Snapshot when the digest was built"
	if v.Summary == "" {
		v.Summary = fmt.Sprintf("%d entries", len(t.Rows))
	}
	v.Table = t
}

// asSlice reads a list report whose rows were passed as one pointer to the slice.
func asSlice[T any](r any) *[]T {
	switch x := r.(type) {
	case *[]T:
		return x
	case *T:
		s := []T{*x}
		return &s
	}
	return &[]T{}
}
