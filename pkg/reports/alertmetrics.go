package reports

import (
	"math"
	"sort"
)

// AlertMetric is a realtime figure an alert rule may watch: per queue,
// read from realtime/queue (Queue), or site-wide, read from
// realtime/rightNow (Site). Exactly one of the two is set.
type AlertMetric struct {
	Label string
	Unit  Unit
	Queue func(q RealtimeQueue) float64
	// Site reports false when the API left the figure out.
	Site func(r RightNow) (float64, bool)
}

// SiteWide says the metric is read from realtime/rightNow.
func (m AlertMetric) SiteWide() bool { return m.Site != nil }

// AlertMetrics are the metrics an alert rule may watch, by the name the
// configuration uses: the one table config validates against and pkg/alert
// evaluates with.
var AlertMetrics = map[string]AlertMetric{
	"queue.length":                         {Label: "Queue length", Queue: func(q RealtimeQueue) float64 { return float64(len(q.Queue)) }},
	"queue.longestWait":                    {Label: "Longest wait", Unit: Seconds, Queue: RealtimeQueue.LongestWait},
	"queue.avgWaitTimeInLast30Mins":        {Label: "Avg wait (30 min)", Unit: Seconds, Queue: func(q RealtimeQueue) float64 { return q.AvgWaitTimeInLast30Mins }},
	"queue.avgWaitTimeInLast60Mins":        {Label: "Avg wait (60 min)", Unit: Seconds, Queue: func(q RealtimeQueue) float64 { return q.AvgWaitTimeInLast60Mins }},
	"queue.abandonedChatsInLast30Mins":     {Label: "Abandoned (30 min)", Queue: func(q RealtimeQueue) float64 { return q.AbandonedChatsInLast30Mins }},
	"queue.switchedToMessagesInLast30Mins": {Label: "Switched to message (30 min)", Queue: func(q RealtimeQueue) float64 { return q.SwitchedToMessagesInLast30Mins }},
	"queue.ongoingChats":                   {Label: "Ongoing chats", Queue: func(q RealtimeQueue) float64 { return q.OngoingChats }},
	"site.currentQueueLength":              {Label: "Visitors waiting", Site: func(r RightNow) (float64, bool) { return present(r.CurrentQueueLength) }},
	"site.chatUtilization":                 {Label: "Chat utilization", Unit: Ratio, Site: func(r RightNow) (float64, bool) { return present(r.ChatUtilization) }},
	"site.loggedInAgents":                  {Label: "Logged-in agents", Site: func(r RightNow) (float64, bool) { return r.LoggedInAgents, true }},
	"site.agentsInChat":                    {Label: "Agents in chat", Site: func(r RightNow) (float64, bool) { return r.AgentsInChat, true }},
	"site.ongoingChats":                    {Label: "Ongoing chats", Site: func(r RightNow) (float64, bool) { return r.OngoingChats, true }},
	"site.visitorsOnSite":                  {Label: "Visitors on site", Site: func(r RightNow) (float64, bool) { return r.VisitorsOnSite, true }},
}

// AlertMetricNames are AlertMetrics' names, sorted.
func AlertMetricNames() []string {
	names := make([]string, 0, len(AlertMetrics))
	for n := range AlertMetrics {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LongestWait is the longest wait of the visitors in the queue, in seconds.
func (q RealtimeQueue) LongestWait() float64 {
	var m float64
	for _, v := range q.Queue {
		m = math.Max(m, v.WaitTime)
	}
	return m
}

func present(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}
