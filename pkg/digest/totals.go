package digest

import (
	"time"

	"reportmailer/pkg/period"
	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// Averages and maxima are asked of the API for the whole period at once
// (render.Totals): one call per report and filter that has them, and one
// for the previous period. Counts need no such call: they add up exactly.

// wholeGroup is a time group whose one bucket covers p: its month when p
// lies in one calendar month, else its week when p is a Monday-start week
// (the API's weeks start on Monday). "" when none does.
func wholeGroup(p period.Period) reports.Group {
	s := p.Start.In(p.Location)
	e := p.End.In(p.Location).Add(-time.Nanosecond)
	switch {
	case s.Year() == e.Year() && s.Month() == e.Month():
		return reports.GroupMonth
	case s.Weekday() == time.Monday && p.End.Sub(p.Start) <= 8*24*time.Hour:
		return reports.GroupWeek
	}
	return ""
}

// needsTotals reports whether a report's period figures need the API's
// whole-period answer: it has an average or a maximum.
func needsTotals(spec *reports.Spec, g reports.Group) bool {
	if !spec.Timed || spec.Kind != reports.KindMetrics || g == reports.GroupNone {
		return false
	}
	for _, m := range spec.Metrics {
		if m.IsAverage() || m.IsMax() {
			return true
		}
	}
	return false
}

// totalsCalls plans the whole-period calls for the sections, one per
// report and filter, and returns them with the Totals they fill.
func (c *copyRun) totalsCalls(sections []render.Section) ([]*call, []render.Totals) {
	g, pg := wholeGroup(c.plan.period), wholeGroup(c.plan.previous)
	if g == "" {
		return nil, nil
	}
	var calls []*call
	var totals []render.Totals
	seen := map[string]bool{}
	for i, s := range sections {
		spec, ok := reports.Lookup(s.Report)
		if !ok || s.Note != "" || !needsTotals(spec, s.Group) || !spec.AllowsGroup(g) {
			continue
		}
		key := string(s.Report)
		if s.Filter != nil {
			key += "/" + s.Filter.Name + "=" + s.Filter.Value
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		idx := len(totals)
		totals = append(totals, render.Totals{Report: s.Report, Filter: s.Filter})
		from, to, off := c.plan.period.Query()
		calls = append(calls, &call{section: i, totals: idx + 1, name: s.Report,
			query: reports.Query{From: from, To: to, Offset: off, Group: g, Filter: s.Filter}})
		if pg != "" && spec.AllowsGroup(pg) {
			pf, pt, poff := c.plan.previous.Query()
			calls = append(calls, &call{section: i, totals: idx + 1, previous: true, name: s.Report,
				query: reports.Query{From: pf, To: pt, Offset: poff, Group: pg, Filter: s.Filter}})
		}
	}
	return calls, totals
}

// fillTotals puts a whole-period call's answer into its Totals; a failure
// leaves them empty, and the figures fall back to weighted roll-ups.
func (r *run) fillTotals(totals []render.Totals, c *call) {
	if c.err != nil {
		r.logger.Warn("whole-period figures failed; averages are rolled up from buckets",
			"report", string(c.name), "reason", reports.Reason(c.err))
		return
	}
	t := &totals[c.totals-1]
	if c.previous {
		t.Previous = c.rows
	} else {
		t.Rows = c.rows
	}
}
