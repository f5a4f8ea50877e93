// Package render turns a digest model into a PDF, an HTML email body, a
// plain-text body and the chart PNGs the HTML references by Content-ID.
// It does no I/O and reads no clock: the same model renders the same bytes.
//
// What the numbers are — roll-ups, weights and period figures, ranked
// lists' "others", whether a change is news, targets' verdicts — is
// render/figures'; render picks the sections and rows, words and draws
// them. The encoders (PNG, PDF streams, text in every script) are in
// render/internal.
package render

import (
	"fmt"
	"time"

	"reportmailer/pkg/format"
	"reportmailer/pkg/render/figures"
	"reportmailer/pkg/reports"
)

// Paper is the PDF page size.
type Paper string

// Paper sizes.
const (
	A4     Paper = "A4"
	Letter Paper = "Letter"
)

// Period is a reporting period: [Start, End) in Location.
type Period struct {
	Start, End time.Time
	Location   *time.Location
}

// Label reads the period as a person would: "Mon 16 – Sun 22 Nov 2026".
func (p Period) Label() string {
	s := p.Start.In(p.Location)
	e := p.End.In(p.Location).Add(-time.Nanosecond) // last day included
	switch {
	case s.YearDay() == e.YearDay() && s.Year() == e.Year():
		return s.Format("Mon 2 Jan 2006")
	case s.Year() != e.Year():
		return s.Format("Mon 2 Jan 2006") + " – " + e.Format("Mon 2 Jan 2006")
	case s.Month() != e.Month():
		return s.Format("Mon 2 Jan") + " – " + e.Format("Mon 2 Jan 2006")
	case s.Day() == 1 && e.AddDate(0, 0, 1).Day() == 1:
		return s.Format("January 2006")
	}
	return s.Format("Mon 2") + " – " + e.Format("Mon 2 Jan 2006")
}

// Section is one report in the digest.
type Section struct {
	Report reports.Name
	// Title overrides the report's title.
	Title  string
	Group  reports.Group
	Filter *reports.Filter
	// Rows are the period's typed rows (pointers, as reports.Result.Rows returns).
	Rows []any
	// Previous are the previous period's rows, for comparison; may be nil.
	Previous []any
	// Note replaces the chart when the report could not be fetched,
	// e.g. "Not available in your Comm100 edition".
	Note string

	// problem is why the section could not be prepared for drawing; it is
	// drawn as a failed section and listed in Output.Problems.
	problem string
	// caveats are notes the renderer adds while cleaning the rows (values
	// that cannot be true); they are shown beside the chart, not instead of it.
	caveats []string
	// weights are each average metric's row weights (figures.Period), by
	// wire name; unweighted lists averages the digest has no weight for.
	weights    map[string]figures.Weights
	unweighted map[string]bool
}

// rollup rolls a metric up over rows of this section (figures.Rollup),
// weighting averages.
func (s *Section) rollup(rows []any, m reports.Metric, dist bool) float64 {
	return figures.Rollup(rows, m, dist, s.weights[m.Wire])
}

// Digest is everything the renderer needs.
type Digest struct {
	ID       string
	Title    string
	Site     string
	Period   Period
	Previous *Period
	Paper    Paper
	// Generated is printed on the cover; pass the schedule time, not the clock.
	Generated time.Time
	Names     format.Names
	// Offset is the UTC offset the report queries were sent in; the API's
	// wall-clock times (buckets, status logs) are read back with it.
	Offset   time.Duration
	Sections []Section
	// Currency is the ISO 4217 code (or symbol) conversion values are in,
	// e.g. "EUR"; empty shows bare numbers.
	Currency string
	// Partial marks a period that has not ended yet (a preview): the title
	// says "(partial)".
	Partial bool
	// Targets are the service levels this copy is judged by (targets.go).
	Targets []Target

	// TopN is how many members ranked tables and charts list before folding
	// the rest into "N others (average)"; 0 means 25.
	TopN int
	// MinRatings and MinChats are the smallest samples a figure is compared
	// and highlighted from (0: 10 ratings, 20 chats); below them it shows
	// its n and no change.
	MinRatings, MinChats int
	// CompareLabel names what Previous is ("the same day last week"); it
	// is said beside "Compared with". Empty says nothing more.
	CompareLabel string
	// Totals are the API's whole-period answers (see totals.go); may be empty.
	Totals []Totals

	// viewerFor, set by tests only, replaces the viewer of some views for
	// this digest, so a test never rewrites the shared viewers map.
	viewerFor map[reports.View]viewer

	// canonical holds each average's period figure (figures.Period).
	canonical figures.Canonical
}

// comparedWith names the comparison period and what it is:
// "Sat 28 Nov 2026 (the same day last week)".
func (d *Digest) comparedWith() string {
	if d.CompareLabel == "" {
		return d.Previous.Label()
	}
	return d.Previous.Label() + " (" + d.CompareLabel + ")"
}

// TitleText is the digest's title, marked when the period is partial.
func (d *Digest) TitleText() string {
	if d.Partial {
		return d.Title + " (partial)"
	}
	return d.Title
}

// Image is a chart for the HTML body, referenced as cid:CID.
type Image struct {
	CID    string
	Name   string // file name, e.g. "chatVolume.png"
	PNG    []byte
	Alt    string
	Width  int // CSS pixels
	Height int
	// Legend is the chart's legend, printed as text above the image.
	Legend []LegendEntry
}

// Output is a rendered digest.
type Output struct {
	PDF    []byte
	HTML   string
	Text   string
	Images []Image
	// CSV is every section's data in long format (see CSV).
	CSV []byte
	// XLSX is the Excel workbook of the same figures. Render leaves it
	// empty: pkg/workbook builds it (it reads render's Records), and the
	// digest sets it here when its formats ask for one.
	XLSX []byte
	// Problems are the sections that could not be drawn as asked, with the
	// reason, for the log. Each one's note is in the PDF, HTML and text.
	Problems []Problem
}

func (s *Section) spec() *reports.Spec {
	spec, ok := reports.Lookup(s.Report)
	if !ok {
		panic(fmt.Sprintf("render: unknown report %q", s.Report))
	}
	return spec
}

// TitleText is the section heading.
func (s *Section) TitleText() string {
	if s.Title != "" {
		return s.Title
	}
	return s.spec().Title
}

// value formats a metric value by its unit; money carries the digest's currency.
func (d *Digest) value(v float64, u reports.Unit) string {
	if u == reports.Money {
		return format.MoneyIn(v, d.Currency)
	}
	if u == reports.Seconds && v >= 86400 {
		return hours(v) // "27d 11h" read as days; people count work in hours
	}
	return format.Value(v, u)
}
