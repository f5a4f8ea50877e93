package render

import (
	"fmt"
	"strings"
	"time"

	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"
)

// queueHistoryOf is a section's QueueHistory row, or nil.
func queueHistoryOf(rows []any) *reports.QueueHistory {
	for _, r := range rows {
		if q, ok := r.(*reports.QueueHistory); ok && q != nil {
			return q
		}
	}
	return nil
}

// queueHistoryView draws the queue over the period from the alert
// poller's history: a line per local day (peak and when, minutes someone
// waited over the wait, the longest wait, the gaps) and the hour ×
// weekday heatmap of median queue length, where an hour without history
// is a gap and never a zero.
func queueHistoryView(v *view, d *Digest, s *Section, _ *reports.Spec) {
	q := queueHistoryOf(s.Rows)
	if q == nil {
		return
	}
	v.Subtitle = joinSubtitle("Minute by minute, from the alert poller's history", v.Subtitle)
	if !q.Covered() {
		v.Note, v.NoteKind = "No queue history covers this period: the alert function keeps it from when it is deployed with rules.", "empty"
		v.Summary = v.Note
		return
	}
	wait := format.Duration(q.Wait)
	t := &Table{Head: []string{"Day", "Peak queue", "At", "Minutes waiting > " + wait, "Longest wait", "Gaps"}, NumericFrom: 1}
	var peak reports.QueueDay
	over, longest := 0, 0.0
	for _, day := range q.Days {
		label := day.Date.Format("Mon 2 Jan")
		if !day.Covered {
			t.Rows = append(t.Rows, []string{label, "—", "", "", "", "no history"})
			continue
		}
		gaps := ""
		if day.GapMinutes > 0 {
			gaps = fmt.Sprintf("%d min", day.GapMinutes)
		}
		t.Rows = append(t.Rows, []string{label, format.Count(float64(day.Peak)), day.PeakAt.Format("15:04"),
			format.Count(float64(day.MinutesOverWait)), format.Duration(day.LongestWait), gaps})
		if day.Peak > peak.Peak || peak.PeakAt.IsZero() {
			peak = day
		}
		over += day.MinutesOverWait
		longest = max(longest, day.LongestWait)
	}
	v.Table = t
	v.Summary = fmt.Sprintf("Peak queue %d (%s); %d minutes with someone waiting over %s%s; longest wait %s",
		peak.Peak, peak.PeakAt.Format("Mon 15:04"), over, wait, wasMinutes(queueHistoryOf(s.Previous), d), format.Duration(longest))
	var caveats []string
	if !q.CoveredFrom.IsZero() {
		caveats = append(caveats, "History starts "+q.CoveredFrom.In(d.Period.Location).Format("Mon 2 Jan 15:04")+"; the days before it have no figures.")
	}
	if n := gapMinutes(q); n > 0 {
		caveats = append(caveats, fmt.Sprintf("%d minutes have no successful poll (it failed, or none was made); they are left out, never counted as an empty queue.", n))
	}
	v.more = strings.Join(caveats, " ")
	var grid [7][24]float64
	var missing [7][24]bool
	for wd := range q.Heatmap {
		row := (wd + 6) % 7 // Monday first
		for h, c := range q.Heatmap[wd] {
			grid[row][h], missing[row][h] = c.Median, c.Polls == 0
		}
	}
	v.figure = func(lo layout) *Figure {
		return gapHeatmapFigure(grid, &missing, format.Count, "waiting, median", v.Title+": median queue length by weekday and hour", lo)
	}
}

// wasMinutes is the previous period's minutes over the wait, " (was N)",
// when its history covers it.
func wasMinutes(prev *reports.QueueHistory, d *Digest) string {
	if prev == nil || !prev.Covered() || d.Previous == nil {
		return ""
	}
	n := 0
	for _, day := range prev.Days {
		n += day.MinutesOverWait
	}
	return fmt.Sprintf(" (was %d)", n)
}

// gapMinutes is the period's minutes without a successful poll since the
// history began (the time before it is said once, not as gaps).
func gapMinutes(q *reports.QueueHistory) int {
	n := 0
	for _, day := range q.Days {
		if day.Covered {
			n += day.GapMinutes
		}
	}
	return n
}

// emitQueueHistory writes the section's figures as CSV records: per
// covered local day its peak (and, as a one-minute bucket, the minute it
// was first reached), minutes over the wait, longest wait, gap minutes
// and polls; per heatmap cell with data its median queue length. Days and
// cells without history have no lines: a gap is never a zero.
func (e csvEmitter) emitQueueHistory(q *reports.QueueHistory) {
	if !q.Covered() {
		return // no history, no figures (not zeros)
	}
	e.emit("", "", "", "", "waitOver", q.Wait)
	for _, day := range q.Days {
		if !day.Covered {
			continue
		}
		from := day.Date.Format(time.RFC3339)
		to := time.Date(day.Date.Year(), day.Date.Month(), day.Date.Day()+1, 0, 0, 0, 0, day.Date.Location()).Format(time.RFC3339)
		e.emit(from, to, "", "", "peakQueue", float64(day.Peak))
		e.emit(day.PeakAt.Format(time.RFC3339), day.PeakAt.Add(time.Minute).Format(time.RFC3339), "", "", "peakQueueAt", float64(day.Peak))
		e.emit(from, to, "", "", "minutesOverWait", float64(day.MinutesOverWait))
		e.emit(from, to, "", "", "longestWait", day.LongestWait)
		e.emit(from, to, "", "", "gapMinutes", float64(day.GapMinutes))
		e.emit(from, to, "", "", "polls", float64(day.Polls))
	}
	for _, wd := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		for h, c := range q.Heatmap[wd] {
			if c.Polls == 0 {
				continue
			}
			day := wd.String()[:3]
			e.emit(fmt.Sprintf("%s %02d:00", day, h), fmt.Sprintf("%s %02d:00", day, (h+1)%24), "", "", "medianQueue", c.Median)
		}
	}
}

func joinSubtitle(first string, rest ...string) string {
	out := first
	for _, r := range rest {
		switch {
		case r == "":
		case out == "":
			out = r
		default:
			out += " · " + r
		}
	}
	return out
}
