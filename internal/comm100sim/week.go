package comm100sim

import (
	"fmt"
	"math"
	"time"

	"reportmailer/pkg/reports"
)

// WeekStart is the Monday (UTC, which is also London in November) the
// scripted week begins: step i of WeekScript is WeekStart + i minutes.
var WeekStart = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)

// WeekMinutes is the number of steps in WeekScript.
const WeekMinutes = 7 * 24 * 60

// surge is a scripted rise of one department's queue.
type surge struct {
	dept       int
	day, start int // weekday offset from Monday, minute of day
	minutes    int
	peak       int
}

// weekSurges are the week's bad moments.
var weekSurges = []surge{
	{dept: 0, day: 0, start: 10 * 60, minutes: 45, peak: 14}, // Monday's launch mail: Sales floods
	{dept: 1, day: 1, start: 11 * 60, minutes: 40, peak: 12}, // Tuesday: Support after an outage of ours
	{dept: 0, day: 2, start: 14 * 60, minutes: 30, peak: 10}, // Wednesday: a shorter one that hovers near 8
	{dept: 0, day: 4, start: 16 * 60, minutes: 20, peak: 11}, // Friday afternoon
}

// weekOutages are the stretches where the API fails (503), as [from, to)
// minutes since WeekStart.
var weekOutages = [][2]int{
	{3*1440 + 9*60, 3*1440 + 9*60 + 25}, // Thursday 09:00–09:25: long enough to fire "data unavailable"
	{5*1440 + 3*60, 5*1440 + 3*60 + 2},  // Saturday 03:00–03:02: two failed polls, under noDataAfter
}

// WeekOutage reports whether step i of the week script is a failed poll.
func WeekOutage(i int) bool {
	for _, o := range weekOutages {
		if i >= o[0] && i < o[1] {
			return true
		}
	}
	return false
}

// hash is a small deterministic noise source in [0, 1).
func hash(i, salt int) float64 {
	x := uint64(i)*0x9E3779B97F4A7C15 + uint64(salt)*0xBF58476D1CE4E5B9
	x ^= x >> 31
	x *= 0x94D049BB133111EB
	x ^= x >> 29
	return float64(x%10000) / 10000
}

// busy is the day/week pattern, 0..1: open 08:00–20:00 on weekdays with
// a late-morning and a mid-afternoon peak, quieter 10:00–16:00 at weekends.
func busy(day, minute int) float64 {
	h := float64(minute) / 60
	open, close, scale := 8.0, 20.0, 1.0
	if day >= 5 {
		open, close, scale = 10, 16, 0.4
	}
	if h < open || h >= close {
		return 0.03
	}
	peaks := math.Exp(-math.Pow(h-11, 2)/3) + 0.8*math.Exp(-math.Pow(h-15, 2)/2.5)
	return scale * (0.25 + 0.75*peaks)
}

// WeekScript is a week of minutes (10,080 steps from WeekStart) for the
// Sales and Support queues and the site: the day/week pattern with noise,
// the surges above, a morning nobody logs in on time (Tuesday 09:00–09:10)
// and the outages above (steps with Fail set).
func WeekScript() []Snapshot {
	steps := make([]Snapshot, WeekMinutes)
	for i := range steps {
		if WeekOutage(i) {
			steps[i] = Snapshot{Fail: 503}
			continue
		}
		day, minute := i/1440, i%1440
		b := busy(day, minute)
		site := reports.RealtimeQueue{RouteTo: reports.RouteTo{Type: reports.RouteSite}, Queue: []reports.QueuedVisitor{},
			OngoingChats: math.Round(2 * b * 3), AvgWaitTimeInLast30Mins: 10, AvgWaitTimeInLast60Mins: 12}
		queues := []reports.RealtimeQueue{site}
		var waiting, ongoing float64
		for d, base := range []float64{5, 3} {
			n := int(math.Floor(base*b + 2.2*hash(i, d)*b*2))
			for _, s := range weekSurges {
				at := i - (s.day*1440 + s.start)
				if s.dept == d && at >= 0 && at < s.minutes {
					// Up for a third, a plateau with noise, down for a third.
					f := math.Min(1, math.Min(float64(at)/(float64(s.minutes)/3), float64(s.minutes-at)/(float64(s.minutes)/3)))
					n = max(n, int(math.Round(float64(s.peak)*f-hash(i, 10+d)*1.5)))
				}
			}
			q := reports.RealtimeQueue{RouteTo: reports.RouteTo{Type: reports.RouteDepartment, ID: reports.ID(departments[d].ID)},
				OngoingChats: math.Round(8*b) + float64(n/2), AvgWaitTimeInLast30Mins: math.Round(15 + 12*float64(n)),
				AvgWaitTimeInLast60Mins: math.Round(15 + 9*float64(n)), AbandonedChatsInLast30Mins: float64(n / 4),
				SwitchedToMessagesInLast30Mins: float64(n / 6), Queue: []reports.QueuedVisitor{}}
			for v := range n {
				q.Queue = append(q.Queue, reports.QueuedVisitor{VisitorID: fmt.Sprintf("%08x-c8a2-64fb-685e-%012x", i, v),
					WaitTime: math.Round(float64(22*(n-v)) + 20*hash(i, 100+v))})
			}
			waiting += float64(n)
			ongoing += q.OngoingChats
			queues = append(queues, q)
		}
		agents := 1.0
		if b > 0.1 {
			agents = math.Round(4 + 8*b)
		}
		if day == 1 && minute >= 9*60 && minute < 9*60+10 {
			agents = 0 // Tuesday: nobody logged in at opening
		}
		util := math.Round(100*math.Min(1, ongoing/math.Max(1, agents*3))) / 100
		steps[i] = Snapshot{Queues: queues, RightNow: &reports.RightNow{AgentsInChat: math.Min(agents, ongoing), OngoingChats: ongoing,
			VisitorsOnSite: math.Round(30 + 200*b), LoggedInAgents: agents, CurrentQueueLength: &waiting, ChatUtilization: &util}}
	}
	return steps
}

// WeekStep is the week script's step for a time (the week repeats).
func WeekStep(t time.Time) int {
	m := int(t.Sub(WeekStart) / time.Minute)
	return ((m % WeekMinutes) + WeekMinutes) % WeekMinutes
}
