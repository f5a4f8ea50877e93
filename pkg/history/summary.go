package history

import (
	"slices"
	"sort"
	"time"

	"reportmailer/pkg/reports"
)

// DefaultWait is the wait a "minute with someone waiting too long" counts
// from, when a queueHistory section does not set one.
const DefaultWait = 60 * time.Second

// SummaryOptions say what a "queue over the week" summary covers.
type SummaryOptions struct {
	Location *time.Location // the digest's timezone; days and hours are local
	Wait     time.Duration  // 0: DefaultWait
	// Departments limits the summary to these departments' queues (ids,
	// as in a digest's department filter or audience); empty: every queue.
	Departments []string
}

// Day is one local day of a summary (the digest section's row type).
type Day = reports.QueueDay

// Cell is one hour × weekday cell of the heatmap.
type Cell = reports.QueueCell

// Summary is the "queue over the week" section's figures.
type Summary struct {
	From, To time.Time
	Wait     time.Duration
	// CoveredFrom is the first poll kept, when the history begins after
	// From (a new stack): the section says it covers only from then.
	CoveredFrom time.Time `json:"coveredFrom,omitzero"`
	Days        []Day
	// Heatmap[weekday][hour] (time.Weekday order: Sunday first), local time.
	Heatmap [7][24]Cell
	Gaps    []Gap
}

// Section is the summary as the digest's queueHistory section carries it.
func (s Summary) Section() *reports.QueueHistory {
	return &reports.QueueHistory{From: s.From, To: s.To, Wait: s.Wait.Seconds(), CoveredFrom: s.CoveredFrom, Days: s.Days, Heatmap: s.Heatmap}
}

// waiting returns the visitors waiting at a poll in the selected queues.
func (o SummaryOptions) waiting(s Snapshot) []float64 {
	var waits []float64
	for _, q := range s.Queues {
		if len(o.Departments) > 0 && (q.RouteTo.Type != reports.RouteDepartment || !slices.Contains(o.Departments, string(q.RouteTo.ID))) {
			continue
		}
		waits = append(waits, q.Waits...)
	}
	return waits
}

// Summarize computes the section from the snapshots of [from, to).
func Summarize(snaps []Snapshot, from, to time.Time, o SummaryOptions) Summary {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Wait <= 0 {
		o.Wait = DefaultWait
	}
	sum := Summary{From: from, To: to, Wait: o.Wait, Gaps: Gaps(snaps, from, to)}
	byDay := map[string]*Day{}
	for d := from.In(o.Location); d.Before(to); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, o.Location) {
		day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, o.Location)
		sum.Days = append(sum.Days, Day{Date: day})
	}
	for i := range sum.Days {
		byDay[sum.Days[i].Date.Format(time.DateOnly)] = &sum.Days[i]
	}
	var first time.Time
	cells := map[[2]int][]float64{}
	for _, s := range snaps {
		if s.At.Before(from) || !s.At.Before(to) {
			continue
		}
		if first.IsZero() {
			first = s.At
		}
		if !s.OK() {
			continue
		}
		local := s.At.In(o.Location)
		d := byDay[local.Format(time.DateOnly)]
		if d == nil {
			continue
		}
		waits := o.waiting(s)
		d.Polls++
		if n := len(waits); n > d.Peak || d.PeakAt.IsZero() {
			d.Peak, d.PeakAt = n, local // the first minute it was reached
		}
		longest := 0.0
		for _, w := range waits {
			longest = max(longest, w)
		}
		d.LongestWait = max(d.LongestWait, longest)
		if longest > o.Wait.Seconds() {
			d.MinutesOverWait++
		}
		k := [2]int{int(local.Weekday()), local.Hour()}
		cells[k] = append(cells[k], float64(len(waits)))
	}
	if !first.IsZero() && first.After(from) {
		sum.CoveredFrom = first
	}
	for _, g := range sum.Gaps {
		// Minutes before the history began are said once (CoveredFrom),
		// not counted as the day's gaps.
		for t := g.From; t.Before(g.To); t = t.Add(time.Minute) {
			if t.Before(first) {
				continue
			}
			if d := byDay[t.In(o.Location).Format(time.DateOnly)]; d != nil {
				d.GapMinutes++
			}
		}
	}
	for i := range sum.Days {
		sum.Days[i].Covered = sum.Days[i].Polls > 0
	}
	for k, v := range cells {
		sum.Heatmap[k[0]][k[1]] = Cell{Median: median(v), Polls: len(v)}
	}
	return sum
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
