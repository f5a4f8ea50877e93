package render

import (
	"fmt"
	"math"

	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"
)

func realtimeView(v *view, d *Digest, s *Section, spec *reports.Spec) {
	t := &Table{NumericFrom: 1}
	if len(s.Rows) == 0 {
		return
	}
	// The row type says which snapshot this is (the registry maps each
	// real-time report to its type), so no report names are checked here.
	switch first := s.Rows[0].(type) {
	case *reports.RightNow:
		rn := first
		t.Head = []string{"Right now", "Value"}
		t.Rows = [][]string{{"Ongoing chats", format.Count(rn.OngoingChats)}, {"Agents in chat", format.Count(rn.AgentsInChat)},
			{"Logged-in agents", format.Count(rn.LoggedInAgents)}, {"Visitors on site", format.Count(rn.VisitorsOnSite)}}
		if rn.CurrentQueueLength != nil {
			t.Rows = append(t.Rows, []string{"Queue length", format.Count(*rn.CurrentQueueLength)})
		}
		if rn.ChatUtilization != nil {
			t.Rows = append(t.Rows, []string{"Chat utilization", format.Percent(*rn.ChatUtilization)})
		}
		v.Summary = fmt.Sprintf("%s ongoing chats, %s agents logged in", format.Count(rn.OngoingChats), format.Count(rn.LoggedInAgents))
	case *reports.Today:
		td := first
		t.Head = []string{"Today so far", "Value"}
		if o := td.ChatOverview; o != nil {
			t.Rows = [][]string{{"Chat requests", format.Count(o.ChatRequests)}, {"Chats", format.Count(o.Chats)}, {"Acceptance rate", format.Percent(o.ChatAcceptanceRate)},
				{"Missed", format.Count(o.MissedChats)}, {"Abandoned", format.Count(o.AbandonedChats)}, {"Switched to message", format.Count(o.SwitchToMessages)}}
			v.Summary = fmt.Sprintf("%s chats today so far", format.Count(o.Chats))
		}
		if e := td.ServiceEfficiency; e != nil {
			t.Rows = append(t.Rows, []string{"Avg wait", format.Duration(e.AvgWaitTime)}, []string{"Avg chat time", format.Duration(e.AvgChatTime)})
		}
	case *reports.CustomMetric, *[]reports.CustomMetric:
		t.Head = []string{"Custom metric", "Value"}
		for _, r := range s.Rows {
			for _, m := range *asSlice[reports.CustomMetric](r) {
				t.Rows = append(t.Rows, []string{d.Names.Name("customMetric", m.ID), format.Count(m.Value)})
			}
		}
	case *reports.RealtimeAgent, *[]reports.RealtimeAgent:
		t.Head = []string{"Agent", "Status", "Ongoing", "Chats today", "Chatting today"}
		for _, r := range s.Rows {
			for _, a := range *asSlice[reports.RealtimeAgent](r) {
				t.Rows = append(t.Rows, []string{d.Names.Name(reports.GroupAgent, a.AgentID), a.CurrentStatus, format.Count(a.OngoingChats), format.Count(a.TodayChats), format.Duration(a.TodayLinearChatTime)})
			}
		}
		t.NumericFrom = 2
	case *reports.RealtimeQueue, *[]reports.RealtimeQueue:
		t.Head = []string{"Queue", "Waiting", "Longest wait", "Avg wait (30 min)", "Ongoing"}
		for _, r := range s.Rows {
			for _, q := range *asSlice[reports.RealtimeQueue](r) {
				var longest float64
				for _, w := range q.Queue {
					longest = math.Max(longest, w.WaitTime)
				}
				t.Rows = append(t.Rows, []string{format.QueueLabel(d.Names, q.RouteTo), format.Count(float64(len(q.Queue))), format.Duration(longest), format.Duration(q.AvgWaitTimeInLast30Mins), format.Count(q.OngoingChats)})
			}
		}
	}
	if len(t.Rows) == 0 {
		return
	}
	v.Subtitle = "Snapshot when the digest was built"
	if v.Summary == "" {
		v.Summary = fmt.Sprintf("%d entries", len(t.Rows))
	}
	v.Table = t
}

// asSlice reads a list report whose rows were passed as one pointer to the slice.
func asSlice[T any](r any) *[]T {
	switch x := r.(type) {
	case *[]T:
		return x
	case *T:
		s := []T{*x}
		return &s
	}
	return &[]T{}
}
