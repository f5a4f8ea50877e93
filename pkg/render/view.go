package render

import (
	"fmt"
	"math"
	"strings"

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
	// Caveat is shown beside the chart and table: what was odd about the
	// data (values left out, another grain than asked) and what was done.
	Caveat string
	figure func(lo layout) *Figure
	Table  *Table
	// more says where the rows a ranked table folds are listed in full.
	more string
	// Problem is the internal reason a section failed, for the log; the
	// reader sees Note.
	Problem string
}

// defaultTopN is how many members a ranked table or chart lists before
// folding the rest into "N others (average)"; the CSV keeps every row.
const defaultTopN = 25

// viewer fills a view from a section. Each view family lives in its own file
// (view_time.go, view_rating.go…); the registry says which one a report uses.
type viewer func(v *view, d *Digest, s *Section, spec *reports.Spec)

// viewers maps each registry view to its viewer. It is filled in init to
// break the initialisation cycle viewer → buildView → viewers.
var viewers map[reports.View]viewer

func init() {
	viewers = map[reports.View]viewer{
		reports.ViewTimeSeries:     timeView,
		reports.ViewDistribution:   distributionView,
		reports.ViewDimension:      dimensionView,
		reports.ViewRating:         ratingView,
		reports.ViewAvailability:   availabilityView,
		reports.ViewSurvey:         surveyView,
		reports.ViewStatusTimeline: statusView,
		reports.ViewRanked:         rankedView,
		reports.ViewRealtime:       realtimeView,
		reports.ViewTable:          tableView,
		reports.ViewQueueHistory:   queueHistoryView,
	}
}

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

func splitCamel(s string) string { return format.SplitCamel(s) }

// buildViews turns every section into a view.
func buildViews(d *Digest) []view {
	out := make([]view, len(d.Sections))
	for i := range d.Sections {
		out[i] = buildView(d, &d.Sections[i], i)
	}
	return out
}

// buildView builds one section's view, isolated: a panic in a viewer
// becomes that section's note, and the other sections are unaffected.
func buildView(d *Digest, s *Section, i int) (v view) {
	spec, ok := reports.Lookup(s.Report)
	if !ok {
		return view{Anchor: fmt.Sprintf("s%d", i+1), Title: cleanText(string(s.Report)), NoteKind: "error",
			Note: "Unknown report; nothing to show.", Summary: "Unknown report; nothing to show."}
	}
	v = view{Anchor: fmt.Sprintf("s%d-%s", i+1, spec.Name), Title: s.TitleText(), Subtitle: groupLabel(s.Group)}
	if s.Filter != nil {
		name := d.Names.Name(reports.Group(s.Filter.Name), reports.ID(s.Filter.Value))
		v.Subtitle = strings.TrimPrefix(v.Subtitle+" · "+splitCamel(s.Filter.Name)+": "+name, " · ")
	}
	if s.problem != "" {
		return v.failed(s.problem)
	}
	if s.Note != "" {
		v.Note, v.NoteKind, v.Summary = s.Note, "error", s.Note
		return v
	}
	head := v
	defer func() {
		if r := recover(); r != nil {
			v = head.failed(fmt.Sprint(r))
		}
	}()
	caveats := append([]string{}, s.caveats...)
	caveats = append(caveats, unweightedNotes(d, s, spec)...)
	kind := spec.ViewFor(s.Group)
	rows, shapeNote, asTable := checkShape(d, s, kind)
	if shapeNote != "" {
		caveats = append(caveats, shapeNote)
	}
	if asTable {
		kind = reports.ViewTable
	}
	sec := *s
	sec.Rows = rows
	if asTable || len(rows) < len(s.Rows) {
		sec.Previous = nil // the comparison would not be like for like
	}
	draw := viewers[kind]
	if f := d.viewerFor[kind]; f != nil {
		draw = f
	}
	draw(&v, d, &sec, spec)
	if v.figure != nil && v.figure(pdfLayout) == nil { // built here once so a panic in it stays in this section
		v.figure = nil
	}
	if v.figure == nil && v.Table == nil && v.Note == "" {
		v.empty(spec)
	}
	if v.more != "" {
		caveats = append(caveats, v.more)
	}
	v.Caveat = strings.Join(caveats, " ")
	return v
}

// sameGrouping says which rows a weight must come from: the digest may
// hold Workload by day while this section is by agent.
func sameGrouping(g reports.Group) string {
	switch {
	case g.IsDimension():
		return "per " + strings.ToLower(splitCamel(string(g)))
	case g.IsDistribution():
		return "in the same distribution"
	}
	return "for the same buckets"
}

// foldedNote says where a ranked list's folded rows are listed in full.
func foldedNote(es []entry, total int, g reports.Group) string {
	if len(es) == 0 || es[len(es)-1].others == 0 {
		return ""
	}
	noun := strings.ToLower(splitCamel(string(g)))
	if noun == "" {
		noun = "row"
	}
	return fmt.Sprintf("The top %d of %s %ss are listed; the CSV attachment has every one.", len(es)-1, format.Count(float64(total)), noun)
}

// failed turns a view into an error note, keeping its heading.
func (v view) failed(reason string) view {
	note := "This section could not be drawn (" + format.Truncate(cleanText(reason), 120) + "); the rest of the digest is complete."
	return view{Anchor: v.Anchor, Title: v.Title, Subtitle: v.Subtitle, Note: note, NoteKind: "error", Summary: note, Problem: reason}
}

// checkShape keeps the rows the view can draw truthfully. Rows whose
// bucket has another grain than the group asked (time-of-day buckets for
// group=day, as the reference's own samples show) or no bucket at all are
// not drawn on a time axis: when none fit, the section is shown as a table
// of what the API sent; when some fit, the others are left out. Either way
// the section says so.
func checkShape(d *Digest, s *Section, kind reports.View) (rows []any, note string, asTable bool) {
	var want reports.SlotKind
	switch {
	case kind == reports.ViewTimeSeries || (kind == reports.ViewRating && s.Group.IsTime()):
		want = reports.SlotDateTime
	case s.Group == reports.GroupWeekDistribution:
		want = reports.SlotWeekClock
	case s.Group == reports.GroupHalfHour:
		want = reports.SlotClock
	default:
		return s.Rows, "", false
	}
	var odd []any
	for _, r := range s.Rows {
		if b := reports.TimeOf(r); r != nil && b != nil && b.From.Kind == want {
			rows = append(rows, r)
		} else {
			odd = append(odd, r)
		}
	}
	if len(odd) == 0 {
		return rows, "", false
	}
	grain := strings.ToLower(groupLabel(s.Group))
	if len(rows) == 0 {
		return s.Rows, fmt.Sprintf("The API answered with buckets of another shape than asked (%s); shown as a table of what it sent.", grain), true
	}
	return rows, fmt.Sprintf("%d of %d rows had buckets of another shape than asked (%s) and are left out.", len(odd), len(s.Rows), grain), false
}

func (v *view) empty(spec *reports.Spec) {
	v.NoteKind = "empty"
	if _, ok := spec.MetricByWire("chats"); ok || spec.View == reports.ViewRating {
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

// unweightedNotes says which of a section's period averages are plain
// means because the digest lacks their weight, one sentence per weight.
func unweightedNotes(d *Digest, s *Section, spec *reports.Spec) []string {
	if len(s.Rows) < 2 {
		return nil
	}
	var order []string
	labels := map[string][]string{}
	for _, m := range spec.Metrics {
		if _, ok := d.canonicalFor(s, m); !s.unweighted[m.Wire] || ok {
			continue
		}
		if labels[m.Weight.Doc] == nil {
			order = append(order, m.Weight.Doc)
		}
		labels[m.Weight.Doc] = append(labels[m.Weight.Doc], m.Label)
	}
	var out []string
	for _, doc := range order {
		ls := labels[doc]
		verb, it := "is a plain mean", "it"
		if len(ls) > 1 {
			verb, it = "are plain means", "them"
		}
		out = append(out, fmt.Sprintf("%s over the period %s of the rows: weighting %s needs %s %s, which this digest does not have.",
			strings.Join(ls, ", "), verb, it, doc, sameGrouping(s.Group)))
	}
	return out
}
