package digest

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// call is one API request of a digest: a section's current period, or its
// previous period for the comparison.
type call struct {
	section  int
	previous bool
	// totals, when >0, is 1 + the index of the render.Totals this
	// whole-period call fills (totals.go).
	totals  int
	name    reports.Name
	query   reports.Query
	rows    []any
	err     error
	elapsed time.Duration
}

// fetchReports fetches every report of the digest (and, for time and
// dimension groups, the previous period for comparison). Each call takes
// its own slot of the concurrency bound, so a digest's fetch takes about
// latency × ceil(calls / concurrency). The current periods go first; a
// comparison whose section already failed is not asked for. Failures, and
// panics while fetching or decoding, become the section's note; the
// previous period's failure only drops the comparison.
func fetchReports(ctx context.Context, r *run) (bool, error) {
	r.started = time.Now()
	sections, calls, totals := r.plan()
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
				c.rows, c.err = fetchOne(ctx, r.fetcher, c.name, c.query)
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
	for _, c := range calls {
		if c.totals > 0 {
			if sections[c.section].Note == "" {
				r.fillTotals(totals, c)
			}
			continue
		}
		r.fill(&sections[c.section], c)
	}
	for i, s := range sections {
		if s.Note != "" && !r.cur.isOmitted(i) {
			r.res.Failed = append(r.res.Failed, r.d.Reports[i].Report)
		}
	}
	r.model = &render.Digest{Sections: sections, Totals: totals}
	return false, nil
}

// errNoSection marks a comparison not fetched because its section failed.
var errNoSection = errors.New("section failed; comparison not fetched")

// plan lists the sections, the calls that fill them and the whole-period
// figures (totals.go) the last calls fill.
func (r *run) plan() ([]render.Section, []*call, []render.Totals) {
	sections := make([]render.Section, len(r.d.Reports))
	var calls []*call
	for i, ref := range r.d.Reports {
		spec, _ := reports.Lookup(reports.Name(ref.Report))
		g := reports.Group(ref.Group)
		if g == "" {
			g = spec.DefaultGroup()
		}
		var filter *reports.Filter
		if ref.Filter != nil {
			filter = &reports.Filter{Name: ref.Filter.Name, Value: ref.Filter.Value}
		}
		if sc := r.cur.filter; sc != nil {
			if r.cur.isOmitted(i) {
				// Left out of this audience member's copy (audience.go).
				sections[i] = render.Section{Report: spec.Name, Title: ref.Title, Group: g, Filter: filter, Note: r.cur.omittedNote(i)}
				continue
			}
			filter = sc
		}
		sections[i] = render.Section{Report: spec.Name, Title: ref.Title, Group: g, Filter: filter}
		from, to, off := r.res.Period.Query()
		calls = append(calls, &call{section: i, name: spec.Name, query: reports.Query{From: from, To: to, Offset: off, Group: g, Filter: filter}})
		if spec.Timed && (g.IsTime() || g.IsDimension()) {
			pf, pt, poff := r.res.Previous.Query()
			calls = append(calls, &call{section: i, previous: true, name: spec.Name,
				query: reports.Query{From: pf, To: pt, Offset: poff, Group: g, Filter: filter}})
		}
	}
	tcalls, totals := r.totalsCalls(sections)
	return sections, append(calls, tcalls...), totals
}

// fill puts one call's outcome into its section. The current period's
// call comes before the previous one's in calls, so a failed section is
// known by the time its comparison arrives.
func (r *run) fill(s *render.Section, c *call) {
	attrs := []any{"report", string(c.name), "group", string(c.query.Group), "elapsedMs", c.elapsed.Milliseconds()}
	switch {
	case c.previous && s.Note != "":
		// No section, so no comparison either.
	case c.previous && c.err != nil:
		r.logger.Warn("previous period failed; section has no comparison", append(attrs, "reason", reports.Reason(c.err))...)
	case c.previous:
		s.Previous = c.rows
	case c.err != nil:
		s.Note = noteFor(c.err)
		r.logger.Warn("report failed", append(attrs, "reason", reports.Reason(c.err), "error", c.err.Error())...)
	default:
		s.Rows = c.rows
		r.logger.Info("report fetched", append(attrs, "rows", len(s.Rows))...)
	}
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
