package render

import "reportmailer/pkg/reports"

// Totals are what the API answered for one report and filter asked for the
// whole period at once (a group whose one bucket covers the period), and
// for the previous period. They are the source of each average's and
// maximum's period figure: the API's own figure for exactly that period and
// scope, where re-weighting its rounded daily averages can be a second or a
// point off and flip a small change's sign, and where the highest of the
// half-hour averages is not the period's maximum.
type Totals struct {
	Report   reports.Name
	Filter   *reports.Filter
	Rows     []any
	Previous []any
}
