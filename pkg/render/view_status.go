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
	v.figure = func(lo layout) *Figure { return timelineFigure(lanes, labels, v.Title+": "+v.Summary, lo) }
}
