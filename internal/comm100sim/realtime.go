package comm100sim

import (
	"fmt"
	"math"
	"sync"
	"time"

	"reportmailer/pkg/reports"
)

// Snapshot is one scripted state of the real-time endpoints.
type Snapshot struct {
	Queues []reports.RealtimeQueue `json:"queues"`
	// RightNow is optional; when nil it is derived from Queues.
	RightNow *reports.RightNow `json:"rightNow,omitempty"`
	// Fail, when set, is the HTTP status the real-time endpoints answer
	// with at this step (a scripted outage).
	Fail int `json:"fail,omitempty"`
}

// Script is a sequence of real-time snapshots. Without one, real-time
// endpoints answer from the data model at the simulator's clock.
type Script struct {
	mu    sync.Mutex
	steps []Snapshot
	pos   int
	// AdvanceOnQueue moves to the next step after each realtime/queue call,
	// so an alert poller sees the script unfold one evaluation at a time.
	AdvanceOnQueue bool
}

// NewScript returns a script over the given steps.
func NewScript(steps []Snapshot, advanceOnQueue bool) *Script {
	return &Script{steps: steps, AdvanceOnQueue: advanceOnQueue}
}

// Current returns the current step.
func (s *Script) Current() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.steps[min(s.pos, len(s.steps)-1)]
}

// Step moves to step i (clamped to the last step).
func (s *Script) Step(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pos = max(0, min(i, len(s.steps)-1))
}

// Position is the current step index.
func (s *Script) Position() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pos
}

// Len is the number of steps.
func (s *Script) Len() int { return len(s.steps) }

func (s *Script) advance() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pos < len(s.steps)-1 {
		s.pos++
	}
}

// SurgeScript is a queue for the Sales department that builds from 0 to 15
// waiting visitors, stays bad for a while and drains. Each step is one poll.
func SurgeScript() []Snapshot {
	lengths := []int{0, 1, 3, 6, 9, 12, 15, 15, 14, 12, 9, 6, 3, 1, 0, 0}
	steps := make([]Snapshot, len(lengths))
	for i, n := range lengths {
		sales := reports.RealtimeQueue{
			RouteTo:                 reports.RouteTo{Type: reports.RouteDepartment, ID: reports.ID(departments[0].ID)},
			OngoingChats:            float64(6 + n/2),
			AvgWaitTimeInLast30Mins: float64(20 + 12*n), AvgWaitTimeInLast60Mins: float64(18 + 8*n),
			AbandonedChatsInLast30Mins: float64(n / 4), SwitchedToMessagesInLast30Mins: float64(n / 6),
			Queue: []reports.QueuedVisitor{},
		}
		for v := 0; v < n; v++ {
			sales.Queue = append(sales.Queue, reports.QueuedVisitor{
				VisitorID: fmt.Sprintf("e4c0a5cf-c8a2-64fb-685e-%012x", v), WaitTime: float64(30 * (n - v))})
		}
		site := reports.RealtimeQueue{RouteTo: reports.RouteTo{Type: reports.RouteSite}, OngoingChats: 4,
			AvgWaitTimeInLast30Mins: 12, AvgWaitTimeInLast60Mins: 15, Queue: []reports.QueuedVisitor{}}
		steps[i] = Snapshot{Queues: []reports.RealtimeQueue{site, sales}}
	}
	return steps
}

func rightNowFrom(s Snapshot, agents int) reports.RightNow {
	if s.RightNow != nil {
		return *s.RightNow
	}
	var queued, ongoing float64
	for _, q := range s.Queues {
		queued += float64(len(q.Queue))
		ongoing += q.OngoingChats
	}
	util := round2(math.Min(1, ongoing/float64(agents*3)))
	return reports.RightNow{
		AgentsInChat: math.Min(ongoing, float64(agents)), OngoingChats: ongoing, VisitorsOnSite: 40 + 3*ongoing,
		LoggedInAgents: float64(agents), CurrentQueueLength: &queued, ChatUtilization: &util,
	}
}

// realtime answers the real-time endpoints from the model at r.now.
func (m *model) realtime(r request) any {
	now := r.now
	s := slotOf(now)
	localMidnight := func() time.Time {
		l := now.In(r.zone)
		return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, r.zone)
	}
	switch r.spec.Name {
	case "realtimeRightNow":
		var logged, inChat, ongoing, queued float64
		for k := 0; k < m.agents; k++ {
			st := m.stateOf(k, s)
			if st == stateOffline {
				continue
			}
			logged++
			c := m.cell(k, s)
			if c.chats > 0 {
				inChat++
				ongoing += c.chats
			}
			queued += c.queued
		}
		util := round2(ratio(ongoing, logged*3))
		return reports.RightNow{AgentsInChat: inChat, OngoingChats: ongoing, VisitorsOnSite: float64(m.r.count(intensity(now)*40, s, 80)),
			LoggedInAgents: logged, CurrentQueueLength: &queued, ChatUtilization: &util}
	case "realtimeToday":
		a := m.accumulate(localMidnight(), now, everything)
		c := a.cell
		today := reports.Today{}
		today.ChatOverview = &struct {
			ChatRequests       float64 `json:"chatRequests"`
			Chats              float64 `json:"chats"`
			ChatAcceptanceRate float64 `json:"chatAcceptanceRate"`
			AbandonedChats     float64 `json:"abandonedChats"`
			SwitchToMessages   float64 `json:"switchToMessages"`
			MissedChats        float64 `json:"missedChats"`
		}{c.requests, c.chats, round2(ratio(c.chats, c.requests)), c.abandoned, c.switched, c.missed}
		return today
	case "realtimeCustomMetrics":
		a := m.accumulate(localMidnight(), now, everything)
		return []reports.CustomMetric{
			{ID: reports.ID(customMetrics[0].ID), Value: round2(ratio(a.wrapups, a.chats))},
			{ID: reports.ID(customMetrics[1].ID), Value: round2(ratio(a.chats, a.online/3600))},
		}
	case "realtimeAgents":
		sel := m.filterSelection(everything, r.filter)
		var out []reports.RealtimeAgent
		for k := 0; k < m.agents; k++ {
			if !sel.agent(k) {
				continue
			}
			a := m.accumulate(localMidnight(), now, m.agentSelection(k))
			elapsed := now.Sub(localMidnight()).Seconds()
			out = append(out, reports.RealtimeAgent{
				AgentID: reports.ID(fmt.Sprint(k + 1)), CurrentStatus: m.stateOf(k, s).String(),
				OngoingChats: m.cell(k, s).chats, TodayChats: a.chats, TodayLinearChatTime: a.linear,
				StatusDistribution: []reports.StatusTime{{Status: "Online", Time: a.online}, {Status: "Away", Time: a.away},
					{Status: "Offline", Time: math.Max(0, math.Round(elapsed-a.online-a.away))}},
			})
		}
		if out == nil {
			return []reports.RealtimeAgent{}
		}
		return out
	case "realtimeQueue":
		out := []reports.RealtimeQueue{m.liveQueue(s, reports.RouteTo{Type: reports.RouteSite}, -1)}
		for d := range m.depts {
			out = append(out, m.liveQueue(s, reports.RouteTo{Type: reports.RouteDepartment, ID: reports.ID(m.depts[d].ID)}, d))
		}
		return out
	}
	return nil
}

func (m *model) liveQueue(s int64, route reports.RouteTo, d int) reports.RealtimeQueue {
	D := int64(d)
	n := m.r.count(intensity(slotStart(s))*1.5, s, D, 90)
	q := reports.RealtimeQueue{RouteTo: route, OngoingChats: float64(m.r.count(intensity(slotStart(s))*6, s, D, 91)),
		AvgWaitTimeInLast30Mins: math.Round(10 + 50*m.r.u(s, D, 92)), AvgWaitTimeInLast60Mins: math.Round(12 + 40*m.r.u(s, D, 93)),
		AbandonedChatsInLast30Mins: float64(m.r.count(0.5, s, D, 94)), SwitchedToMessagesInLast30Mins: float64(m.r.count(0.3, s, D, 95)),
		Queue: []reports.QueuedVisitor{}}
	for v := 0; v < n; v++ {
		q.Queue = append(q.Queue, reports.QueuedVisitor{VisitorID: fmt.Sprintf("%08x-c8a2-64fb-685e-85183e36e50a", uint32(s)+uint32(v)),
			WaitTime: math.Round(5 + 120*m.r.u(s, D, 96, int64(v)))})
	}
	return q
}
