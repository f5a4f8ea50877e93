package reports

import (
	"fmt"
	"sort"
	"strings"
)

// FigureKind says how a figure is computed from a report's rows.
type FigureKind int

// Figure kinds.
const (
	FigureMetric        FigureKind = iota // a metric's roll-up (report.wireName)
	FigureRate                            // one of the report's Rates (report.rateName)
	FigureRatingAverage                   // the mean score over score1–score5 (rating.average)
)

// Figure is a number of a digest that a target can name: a metric of a
// report by its wire name ("waitTime.avgWaitTime"), a rate the registry
// derives by the rate's Name ("chatVolume.answeredRate"), or a derived
// figure ("rating.average"). Every name comes from the registry, so a
// target can only name what the digest can show.
type Figure struct {
	// Name is "report.name", as a target writes it.
	Name   string
	Report Name
	Kind   FigureKind
	Label  string
	Unit   Unit
	// LowerIsBetter marks figures whose rise is bad news.
	LowerIsBetter bool
	// Metric is the metric of a FigureMetric; Rate the rate of a FigureRate.
	Metric Metric
	Rate   Rate
}

// ratingAverage is the derived figure's name after "rating.".
const ratingAverage = "average"

// LookupFigure finds a figure by its "report.name".
func LookupFigure(name string) (Figure, bool) {
	rep, field, ok := strings.Cut(name, ".")
	if !ok {
		return Figure{}, false
	}
	spec, ok := Lookup(Name(rep))
	if !ok {
		return Figure{}, false
	}
	if spec.View == ViewRating && field == ratingAverage {
		return Figure{Name: name, Report: spec.Name, Kind: FigureRatingAverage, Label: "Average rating", Unit: Average}, true
	}
	for _, r := range spec.Rates {
		if r.Name == field {
			return Figure{Name: name, Report: spec.Name, Kind: FigureRate, Label: r.Label, Unit: Ratio, Rate: r}, true
		}
	}
	if spec.Kind != KindMetrics && spec.View != ViewRating {
		return Figure{}, false // logs, surveys, ranked lists: no period figure
	}
	if m, ok := spec.MetricByWire(field); ok && !m.IsMax() {
		return Figure{Name: name, Report: spec.Name, Kind: FigureMetric, Label: m.Label, Unit: m.Unit, LowerIsBetter: m.LowerIsBetter, Metric: m}, true
	}
	return Figure{}, false
}

// FigureNames lists the figures of one report a target may name, sorted;
// with report empty, of every report.
func FigureNames(report Name) []string {
	var out []string
	for _, spec := range registry {
		if report != "" && spec.Name != report {
			continue
		}
		var fields []string
		if spec.View == ViewRating {
			fields = append(fields, ratingAverage)
		}
		for _, r := range spec.Rates {
			fields = append(fields, r.Name)
		}
		for _, m := range spec.Metrics {
			fields = append(fields, m.Wire)
		}
		for _, f := range fields {
			n := string(spec.Name) + "." + f
			if _, ok := LookupFigure(n); ok {
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

// String is the figure's name.
func (f Figure) String() string { return fmt.Sprintf("%s (%s)", f.Name, f.Label) }
