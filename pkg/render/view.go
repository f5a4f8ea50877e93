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
	figure   func(scale float64) *Figure
	Table    *Table
}

const topN = 10

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
	viewers[spec.ViewFor(s.Group)](&v, d, s, spec)
	if v.figure == nil && v.Table == nil && v.Note == "" {
		v.empty(spec)
	}
	return v
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
