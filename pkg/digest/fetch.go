package digest

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"reportmailer/pkg/period"
	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// call is one API request of a digest: a section's current period, or its
// previous period for the comparison, or one stretch of either (see
// copyRun.calls).
type call struct {
	section  int
	previous bool
	// totals, when >0, is 1 + the index of the render.Totals this
	// whole-period call fills (totals.go).
	totals int
	name   reports.Name
	query  reports.Query
	// offset is the one the model reads every bucket in (the current
	// period's starting offset); the rows are re-expressed in it.
	offset  time.Duration
	rows    []any
	err     error
	elapsed time.Duration
	// history calls read the stack's queue history (history.go), never
	// the API; wait is their section's waitOver.
	history bool
	wait    time.Duration
}

// fetchReports fetches every report of the digest (and, for time and
// dimension groups, the previous period for comparison). Each call takes
// its own slot of the concurrency bound, so a digest's fetch takes about
// latency × ceil(calls / concurrency). The current periods go first; a
// comparison whose section already failed is not asked for. Failures, and
// panics while fetching or decoding, become the section's note; the
// previous period's failure only drops the comparison. It returns the
// model's sections (and whole-period figures) and the reports that became
// notes, except those left out of the copy.
func fetchReports(ctx context.Context, r *copyRun) (*render.Digest, []string, error) {
	sections, calls, totals := r.calls()
	failed := make([]atomic.Bool, len(sections))
	queue := make(chan *call)
	var wg sync.WaitGroup
	for range min(max(1, r.d.Concurrency), len(calls)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range queue {
				if (c.previous || c.totals > 0) && failed[c.section].Load() {
					c.err = errNoSection
					continue
				}
				started := time.Now()
				if c.history {
					c.rows, c.err = r.queueHistory(ctx, c)
				} else {
					c.rows, c.err = fetchOne(ctx, r.fetcher, c.name, c.query)
				}
				c.elapsed = time.Since(started)
				if c.err != nil && !c.previous && c.totals == 0 {
					failed[c.section].Store(true)
				}
			}
		}()
	}
	for _, c := range calls {
		if !c.previous && c.totals == 0 {
			queue <- c
		}
	}
	for _, c := range calls {
		if c.previous || c.totals > 0 {
			queue <- c
		}
	}
	close(queue)
	wg.Wait()
	prevFailed := make([]bool, len(sections))
	for _, c := range calls {
		if c.totals > 0 {
			if sections[c.section].Note == "" {
				r.fillTotals(totals, c)
			}
			continue
		}
		r.fill(&sections[c.section], &prevFailed[c.section], c)
	}
	var failedReports []string
	for i, s := range sections {
		if s.Note != "" && !r.scope.isOmitted(i) {
			failedReports = append(failedReports, r.d.Reports[i].Report)
		}
	}
	return &render.Digest{Sections: sections, Totals: totals}, failedReports, nil
}

// errNoSection marks a comparison not fetched because its section failed.
var errNoSection = errors.New("section failed; comparison not fetched")

// calls lists the sections, the calls that fill them and the whole-period
// figures (totals.go) the last calls fill. A report cut
// into calendar buckets (group hour, day, week or month) is asked once per
// constant-offset stretch of the period (period.Stretches): the API cuts
// days at midnight in the query's offset, so only then does every bucket
// lie inside one local day (render folds the day of the change, split at
// the change, back into one). A period without a change is one stretch,
// one call. Reports per agent, per department, logs and surveys are asked
// for the whole period in one offset, which covers exactly its instants: a
// split would only add calls. Distributions (24*7, half-hour) are too:
// their averages per slot could only be merged with each stretch's count
// of that slot, which the API does not give (docs/periods.md).
func (c *copyRun) calls() ([]render.Section, []*call, []render.Totals) {
	sections := make([]render.Section, len(c.d.Reports))
	var calls []*call
	_, _, common := c.plan.period.Query()
	for i, ref := range c.d.Reports {
		spec, _ := reports.Lookup(reports.Name(ref.Report))
		g := reports.Group(ref.Group)
		if g == "" {
			g = spec.DefaultGroup()
		}
		var filter *reports.Filter
		if ref.Filter != nil {
			filter = &reports.Filter{Name: ref.Filter.Name, Value: ref.Filter.Value}
		}
		if sc := c.scope.filter; sc != nil {
			if c.scope.isOmitted(i) {
				// Left out of this audience member's copy (audience.go).
				sections[i] = render.Section{Report: spec.Name, Title: ref.Title, Group: g, Filter: filter, Note: c.scope.omittedNote(i)}
				continue
			}
			filter = sc
		}
		sections[i] = render.Section{Report: spec.Name, Title: ref.Title, Group: g, Filter: filter}
		if spec.FromHistory() {
			calls = append(calls, c.historyCalls(i, spec, time.Duration(ref.WaitOver), filter)...)
			continue
		}
		split := spec.Timed && g.IsTime()
		for _, st := range stretches(c.plan.period, split) {
			calls = append(calls, &call{section: i, name: spec.Name, offset: common,
				query: reports.Query{From: st.From, To: st.To, Offset: st.Offset, Group: g, Filter: filter}})
		}
		if spec.Timed && (g.IsTime() || g.IsDimension()) {
			for _, st := range stretches(c.plan.previous, split) {
				calls = append(calls, &call{section: i, previous: true, name: spec.Name, offset: common,
					query: reports.Query{From: st.From, To: st.To, Offset: st.Offset, Group: g, Filter: filter}})
			}
		}
	}
	tcalls, totals := c.totalsCalls(sections)
	return sections, append(calls, tcalls...), totals
}

// stretches is the period cut at its offset changes, or whole in the
// offset of its start.
func stretches(p period.Period, split bool) []period.Stretch {
	if split {
		return p.Stretches()
	}
	from, to, off := p.Query()
	return []period.Stretch{{From: from, To: to, Offset: off}}
}

// fill puts one call's outcome into its section: the stretches of a
// period add their rows, read in the model's one offset, in order. The
// current period's calls come before the previous one's in calls, so a
// failed section is known by the time its comparison arrives; one failed
// stretch fails the whole (current: the section, previous: the comparison).
func (r *run) fill(s *render.Section, prevFailed *bool, c *call) {
	attrs := []any{"report", string(c.name), "group", string(c.query.Group), "elapsedMs", c.elapsed.Milliseconds()}
	switch {
	case c.previous && (s.Note != "" || *prevFailed):
		// No section (or no comparison), so nothing to add.
	case c.previous && c.err != nil:
		*prevFailed, s.Previous = true, nil
		r.logger.Warn("previous period failed; section has no comparison", append(attrs, "reason", reports.Reason(c.err))...)
	case c.previous:
		s.Previous = appendRows(s.Previous, reports.Reoffset(c.rows, c.query.Offset, c.offset))
	case s.Note != "":
		// An earlier stretch failed the section.
	case c.err != nil:
		s.Note, s.Rows = noteFor(c.err), nil
		r.logger.Warn("report failed", append(attrs, "reason", reports.Reason(c.err), "error", c.err.Error())...)
	default:
		s.Rows = appendRows(s.Rows, reports.Reoffset(c.rows, c.query.Offset, c.offset))
		r.logger.Info("report fetched", append(attrs, "rows", len(c.rows))...)
	}
}

// appendRows adds a stretch's rows to the ones before it. The first
// stretch's slice is kept as it is (nil and empty stay distinct) but
// clipped, so appending never writes into a cached answer's array.
func appendRows(dst, src []any) []any {
	if dst == nil {
		return slices.Clip(src)
	}
	return append(dst, src...)
}

// fetchOne fetches and decodes one report. A panic in either is this
// call's error, so one malformed response cannot take the digest down.
func fetchOne(ctx context.Context, f Fetcher, name reports.Name, q reports.Query) (rows []any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	res, err := f.Fetch(ctx, name, q)
	if err != nil {
		return nil, err
	}
	return res.Rows(), nil
}

// panicError is a panic recovered while fetching or decoding a report.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string {
	return fmt.Sprintf("panic while reading the report: %v\n%s", e.value, e.stack)
}
