package render

import (
	"fmt"
	"math"

	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"
)

func statusView(v *view, d *Digest, s *Section, _ *reports.Spec) {
	start, end := d.Period.Start, d.Period.End
	span := end.Sub(start).Seconds()
	t := &Table{Head: []string{"Agent", "Online", "Away", "Status changes"}, NumericFrom: 1, TotalRow: true}
	type agentLane struct {
		lane
		online, away, changes float64
	}
	var all []agentLane
	for _, r := range s.Rows {
		row := r.(*reports.AgentStatusRow)
		a := agentLane{lane: lane{label: d.Names.Name(reports.GroupAgent, row.AgentID)}}
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
				a.online += secs
			case "Away":
				a.away += secs
			}
			a.segments = append(a.segments, laneSegment{from: math.Max(0, from.Sub(start).Seconds()/span), to: math.Min(1, to.Sub(start).Seconds()/span), status: c.Status})
		}
		// The first entry is the state the period opened in, not a change.
		a.changes = math.Max(0, float64(len(row.ChangeLogs)-1))
		all = append(all, a)
	}
	if len(all) == 0 {
		return
	}
	es := make([]entry, len(all))
	for i, a := range all {
		es[i] = entry{label: a.label, value: a.online, row: i}
	}
	es = ranked(es, d.topNOf(), nil)
	var lanes []lane
	var total agentLane
	for _, a := range all {
		total.online, total.away, total.changes = total.online+a.online, total.away+a.away, total.changes+a.changes
	}
	for _, e := range es {
		if e.others > 0 {
			var sum agentLane
			for _, r := range e.rest {
				a := all[r.(int)]
				sum.online, sum.away, sum.changes = sum.online+a.online, sum.away+a.away, sum.changes+a.changes
			}
			n := float64(e.others)
			t.Rows = append(t.Rows, []string{e.label, hours(sum.online / n), hours(sum.away / n), format.Count(math.Round(sum.changes/n*10) / 10)})
			continue
		}
		a := all[e.row.(int)]
		lanes = append(lanes, a.lane)
		t.Rows = append(t.Rows, []string{a.label, hours(a.online), hours(a.away), format.Count(a.changes)})
	}
	t.Rows = append(t.Rows, []string{"Total", hours(total.online), hours(total.away), format.Count(total.changes)})
	v.more = foldedNote(es, len(all), reports.GroupAgent)
	v.Table = t
	v.Summary = fmt.Sprintf("Status timelines for %d agents", len(lanes))
	if len(lanes) < len(all) {
		v.Summary = fmt.Sprintf("Status timelines for the %d agents online longest, of %d", len(lanes), len(all))
	}
	ticks, format := d.ticks()
	var labels []string
	for _, tk := range ticks[:max(1, len(ticks)-1)] {
		labels = append(labels, tk.Format(format))
	}
	v.figure = func(lo layout) *Figure { return timelineFigure(lanes, labels, v.Title+": "+v.Summary, lo) }
}
