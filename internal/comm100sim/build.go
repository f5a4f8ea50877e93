package comm100sim

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"reportmailer/pkg/reports"
)

// request is a validated report request.
type request struct {
	spec     *reports.Spec
	from, to time.Time
	zone     *time.Location
	group    reports.Group
	filter   *reports.Filter
	now      time.Time
}

type row = map[string]any

// metrics computes a report's wire fields from accumulated cells.
func metrics(name reports.Name, a acc, group reports.Group) row {
	c := a.cell
	served := c.chats + c.missed
	switch name {
	case "chatVolume":
		return row{"chatRequests": c.requests, "chats": c.chats, "missedChats": c.missed, "refusedChats": c.refused}
	case "visits":
		return row{"visits": a.visits}
	case "chatSource":
		return row{"chats": c.chats, "chatsInitialtedByVisitors": c.chats - c.fromAuto - c.fromManual,
			"chatsFromManualInvitations": c.fromManual, "chatsFromAutoInvitations": c.fromAuto}
	case "queue":
		return row{"queuedChatRequests": c.queued, "chatsFromQueue": c.fromQueue, "switchedToMessages": c.switched,
			"abandonedChats": c.abandoned, "refusedChats": c.refused, "maxQueueSize": a.maxQueue}
	case "waitTime":
		return row{"avgWaitTime": math.Round(ratio(c.waitSum, served)), "avgWaitTimeOfMissedChats": math.Round(ratio(c.missedWaitSum, c.missed)),
			"maxWaitTime": c.waitMax, "maxWaitTimeOfMissedChats": c.missedWaitMax}
	case "chatTransfer":
		if group == reports.GroupDepartment {
			return row{"chats": c.chats, "departmentTransferredInChats": c.transferIn, "departmentTransferredOutChats": c.transferOut}
		}
		return row{"chats": c.chats, "totalTransferredChats": c.transfers, "departmentTransferredChats": c.deptTransfers}
	case "agentPerformance":
		return row{"avgChatTime": math.Round(ratio(c.chatTime, c.chats)), "avgWaitTime": math.Round(ratio(c.waitSum, served)),
			"totalChatTime": c.chatTime, "lastMessageSentByAgent": c.lastAgent}
	case "workload":
		return row{"linearChatTime": c.linear, "idleTime": c.idle, "agentUtilization": round2(ratio(c.linear, c.linear+c.idle)),
			"avgConcurrentChats": round2(ratio(c.chatTime, c.linear)), "totalChatTime": c.chatTime, "chats": c.chats}
	case "efficiency":
		return row{"avgAgentResponseTime": math.Round(ratio(c.responseSum, c.chats)), "avgWaitTime": math.Round(ratio(c.waitSum, served)),
			"avgChatTime": math.Round(ratio(c.chatTime, c.chats)), "avgAgentsChatMessages": round2(ratio(c.agentMsgs, c.chats)),
			"avgVisitorsChatMessages": round2(ratio(c.visitorMsgs, c.chats)), "avgCannedMessages": round2(ratio(c.canned, c.chats)),
			"lastMessageSentByAgent": c.lastAgent}
	case "rating":
		return row{"score1": c.score[0], "score2": c.score[1], "score3": c.score[2], "score4": c.score[3], "score5": c.score[4]}
	case "wrapupCompletion":
		return row{"wrapups": c.wrapups, "chats": c.chats}
	case "conversions":
		return row{"conversions": c.conversions, "chats": c.chats, "chattedVisitors": c.chattedVisitors,
			"convertedVisitors": c.convertedVisitors, "convertedChattedVisitors": c.convertedChatted, "value": round2(c.value)}
	case "manualInvitation":
		return row{"sent": c.manualSent, "accepted": c.manualAccepted}
	case "autoInvitation":
		return row{"sent": a.autoSent, "accepted": a.autoAcc}
	case "offlineMessage":
		return row{"messages": a.offlineButton + c.switched, "fromOfflineButton": a.offlineButton, "fromChatQueue": c.switched}
	case "availability":
		return row{"online": a.anyOnline}
	}
	return row{}
}

// span is a half-open interval of instants.
type span struct{ from, to time.Time }

// timeSpans cuts [from, to) into calendar buckets in the query's offset.
func timeSpans(from, to time.Time, zone *time.Location, g reports.Group) []span {
	var out []span
	local := from.In(zone)
	var start time.Time
	switch g {
	case reports.GroupHour:
		start = local.Truncate(time.Hour)
		if _, off := local.Zone(); off%3600 != 0 {
			start = time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), 0, 0, 0, zone)
		}
	case reports.GroupDay:
		start = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, zone)
	case reports.GroupWeek: // weeks start on Monday
		d := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, zone)
		start = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case reports.GroupMonth:
		start = time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, zone)
	case reports.GroupHalfHour:
		start = time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute()/30*30, 0, 0, zone)
	}
	for t := start; t.Before(to); {
		var next time.Time
		switch g {
		case reports.GroupHour:
			next = t.Add(time.Hour)
		case reports.GroupHalfHour:
			next = t.Add(30 * time.Minute)
		case reports.GroupDay:
			next = t.AddDate(0, 0, 1)
		case reports.GroupWeek:
			next = t.AddDate(0, 0, 7)
		case reports.GroupMonth:
			next = t.AddDate(0, 1, 0)
		}
		s := span{from: maxTime(t, from), to: minTime(next, to)}
		if s.from.Before(s.to) {
			out = append(out, s)
		}
		t = next
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func wallBucket(s span, zone *time.Location) map[string]string {
	return map[string]string{"from": s.from.In(zone).Format(reports.DateTimeLayout), "to": s.to.In(zone).Format(reports.DateTimeLayout)}
}

// dimension describes one value of a dimension group.
type dimension struct {
	id  any
	sel selection
}

func (m *model) dimensions(g reports.Group) []dimension {
	var out []dimension
	switch g {
	case reports.GroupAgent:
		for k := 0; k < m.agents; k++ {
			out = append(out, dimension{id: k + 1, sel: m.agentSelection(k)})
		}
	case reports.GroupDepartment:
		for d := range m.depts {
			out = append(out, dimension{id: m.depts[d].ID, sel: m.deptSelection(d)})
		}
	case reports.GroupCampaign:
		for c := range campaigns {
			out = append(out, dimension{id: campaigns[c].ID, sel: campaignSelection(m.byCampaign, campaignOf, c, "campaign")})
		}
	case reports.GroupVisitorSegment:
		for v := range visitorSegments {
			out = append(out, dimension{id: visitorSegments[v].ID, sel: campaignSelection(m.bySegment, segmentOf, v, "segment")})
		}
	case reports.GroupConversionAction:
		for a := range conversionActs {
			out = append(out, dimension{id: conversionActs[a].ID, sel: selection{
				agent: func(k int) bool { return k%len(conversionActs) == a }, campaign: none,
				agents: nonNilInts(m.byAction[a]), key: fmt.Sprint("action:", a)}})
		}
	}
	return out
}

// agentSelection is agent k alone.
func (m *model) agentSelection(k int) selection {
	if k < 0 || k >= m.agents {
		return selection{agent: none, campaign: none, agents: []int{}, key: "nobody"}
	}
	return selection{agent: func(i int) bool { return i == k }, campaign: none, agents: []int{k}, key: fmt.Sprint("agent:", k)}
}

// deptSelection is department d's agents, and the campaign of the same
// index (the model's site traffic is split by campaign).
func (m *model) deptSelection(d int) selection {
	if d < 0 || d >= len(m.depts) {
		return selection{agent: none, campaign: none, agents: []int{}, key: "nobody"}
	}
	return selection{agent: func(k int) bool { return m.deptOf(k) == d }, campaign: func(c int) bool { return c == d },
		agents: nonNilInts(m.byDept[d]), key: fmt.Sprint("department:", d)}
}

// campaignSelection is the agents whose of(k) is i, and campaign i.
func campaignSelection(groups [][]int, of func(int) int, i int, kind string) selection {
	if i < 0 || i >= len(groups) {
		return selection{agent: none, campaign: none, agents: []int{}, key: "nobody"}
	}
	return selection{agent: func(k int) bool { return of(k) == i }, campaign: func(x int) bool { return x == i },
		agents: nonNilInts(groups[i]), key: fmt.Sprint(kind, ":", i)}
}

func nonNilInts(xs []int) []int {
	if xs == nil {
		return []int{}
	}
	return xs
}

func none(int) bool { return false }

// filterSelection narrows a selection by the request's filter.
func (m *model) filterSelection(sel selection, f *reports.Filter) selection {
	if f == nil {
		return sel
	}
	var narrow selection
	switch f.Name {
	case "agent":
		k, err := strconv.Atoi(f.Value)
		if err != nil {
			k = 0
		}
		narrow = m.agentSelection(k - 1)
	case "department":
		narrow = m.deptSelection(indexOf(m.depts, f.Value))
	case "campaign":
		narrow = campaignSelection(m.byCampaign, campaignOf, indexOf(campaigns, f.Value), "campaign")
	case "visitorSegment":
		narrow = campaignSelection(m.bySegment, segmentOf, indexOf(visitorSegments, f.Value), "segment")
	case "conversion":
		a := indexOf(conversionActs, f.Value)
		narrow = selection{agent: func(k int) bool { return k%len(conversionActs) == a }, campaign: all, key: fmt.Sprint("conversion:", a)}
		if a >= 0 {
			narrow.agents = nonNilInts(m.byAction[a])
		}
	default:
		return sel
	}
	return sel.and(narrow)
}

func indexOf(es []Entity, id string) int {
	for i, e := range es {
		if e.ID == id {
			return i
		}
	}
	return -1
}

// build returns the JSON-ready response for a request.
func (m *model) build(r request) any {
	switch r.spec.Kind {
	case reports.KindSurvey:
		return m.surveys(r)
	case reports.KindStatusLog:
		return m.statusLogs(r)
	case reports.KindRanked:
		return m.ranked(r)
	case reports.KindRealtime:
		return m.realtime(r)
	}
	base := m.filterSelection(everything, r.filter)
	switch {
	case r.group.IsTime():
		var rows []row
		for _, s := range timeSpans(r.from, r.to, r.zone, r.group) {
			out := metrics(r.spec.Name, m.accumulate(s.from, s.to, base), r.group)
			out["time"] = wallBucket(s, r.zone)
			if r.spec.Name == "availability" && r.filter != nil && r.filter.Name == "agent" {
				out["statusDistribution"] = statusDistribution(m.accumulate(s.from, s.to, base))
			}
			rows = append(rows, out)
		}
		return nonNil(rows)
	case r.group.IsDistribution():
		return m.distribution(r, base)
	case r.group == reports.GroupAutoInvitation:
		return m.autoInvitations(r, base)
	}
	var rows []row
	for _, d := range m.dimensions(r.group) {
		a := m.accumulate(r.from, r.to, d.sel.and(base))
		out := metrics(r.spec.Name, a, r.group)
		out[reports.DimensionField(r.group)] = d.id
		if r.spec.Name == "availability" {
			if r.group == reports.GroupAgent {
				out["online"] = a.online
				out["statusDistribution"] = statusDistribution(a)
			}
		}
		rows = append(rows, out)
	}
	return nonNil(rows)
}

func nonNil(rows []row) []row {
	if rows == nil {
		return []row{}
	}
	return rows
}

func statusDistribution(a acc) []map[string]any {
	return []map[string]any{
		{"timeStr": nil, "status": "Logged-in", "time": a.online + a.away},
		{"timeStr": nil, "status": "Online", "time": a.online},
		{"timeStr": nil, "status": "Total Away", "time": a.away},
	}
}

// distribution averages per-hour (24*7) or per-half-hour buckets over
// their occurrences in the range.
func (m *model) distribution(r request, sel selection) []row {
	step := reports.GroupHour
	if r.group == reports.GroupHalfHour {
		step = reports.GroupHalfHour
	}
	type key struct{ day, minute int }
	sums := map[key]map[string]float64{}
	counts := map[key]float64{}
	for _, s := range timeSpans(r.from, r.to, r.zone, step) {
		l := s.from.In(r.zone)
		k := key{minute: l.Hour()*60 + l.Minute()}
		if r.group == reports.GroupWeekDistribution {
			k.day = int(l.Weekday())
		}
		vals := metrics(r.spec.Name, m.accumulate(s.from, s.to, sel), r.group)
		if sums[k] == nil {
			sums[k] = map[string]float64{}
		}
		for name, v := range vals {
			if f, ok := v.(float64); ok {
				sums[k][name] += f
			}
		}
		counts[k]++
	}
	var out []row
	width := 30
	days := 1
	if r.group == reports.GroupWeekDistribution {
		width, days = 60, 7
	}
	for d := 0; d < days; d++ {
		for minute := 0; minute < 24*60; minute += width {
			k := key{day: d, minute: minute}
			o := row{}
			for _, mt := range r.spec.Metrics {
				v := 0.0
				if counts[k] > 0 {
					v = round2(sums[k][mt.Wire] / counts[k])
				}
				o[mt.DistributionWire()] = v
			}
			from := reports.Slot{Kind: reports.SlotClock, Minute: minute}
			to := reports.Slot{Kind: reports.SlotClock, Minute: (minute + width) % (24 * 60)}
			if days == 7 {
				from.Kind, from.Weekday = reports.SlotWeekClock, time.Weekday(d)
				to.Kind, to.Weekday = reports.SlotWeekClock, time.Weekday(d)
				if minute+width == 24*60 {
					to.Weekday = time.Weekday((d + 1) % 7)
				}
			}
			o["time"] = map[string]string{"from": from.String(), "to": to.String()}
			out = append(out, o)
		}
	}
	return out
}

func (m *model) autoInvitations(r request, sel selection) []row {
	var rows []row
	for c := range campaigns {
		cc := c
		a := m.accumulate(r.from, r.to, selection{agent: none, campaign: func(x int) bool { return x == cc && sel.campaign(x) }, agents: []int{}})
		var mine []int
		for i := range autoInvitations {
			if i%len(campaigns) == c {
				mine = append(mine, i)
			}
		}
		sent, accepted := a.autoSent, a.autoAcc
		for j, i := range mine {
			s, acc := sent, accepted
			if j < len(mine)-1 {
				s, acc = math.Floor(sent*0.6), math.Floor(accepted*0.6)
			}
			sent, accepted = sent-s, accepted-acc
			rows = append(rows, row{"autoInvitationId": autoInvitations[i].ID, "campaignId": campaigns[c].ID, "sent": s, "accepted": acc})
		}
	}
	return nonNil(rows)
}

// surveyDef is a survey question with relative option weights.
type surveyDef struct {
	name    string
	options []string
	weights []float64
	groups  []surveyGroupDef
}

type surveyGroupDef struct {
	name    string
	options []string
	weights []float64
}

var surveyDefs = map[reports.Name][]surveyDef{
	"postChatSurvey": {
		{name: "Was your issue resolved?", options: []string{"Yes", "Partly", "No"}, weights: []float64{7, 2, 1}},
		{name: "How did you find us?", options: []string{"Search engine", "A friend", "Social media", "Advert", "Другое"}, weights: []float64{5, 2, 2, 1, 0.5}},
		{name: "Would you recommend us?", options: []string{"true", "false"}, weights: []float64{8, 2}},
	},
	"prechatSurvey": {
		{name: "Which team do you need?", options: []string{"Sales", "Support", "Billing", "Onboarding"}, weights: []float64{3, 5, 2, 1}},
		{name: "Are you an existing customer?", options: []string{"true", "false"}, weights: []float64{6, 4}},
	},
	"wrapupSurvey": {
		{name: "Category", groups: []surveyGroupDef{
			{name: "Product", options: []string{"Live Chat", "Ticket", "Chatbot"}, weights: []float64{5, 3, 1}},
			{name: "Billing", options: []string{"Refund", "Invoice", "Plan change"}, weights: []float64{2, 3, 1}},
			{name: "Technical", options: []string{"Login", "Integration", "Bug report"}, weights: []float64{3, 2, 2}},
		}},
		{name: "Resolution", options: []string{"Resolved", "Escalated", "Follow-up needed"}, weights: []float64{7, 1, 2}},
	},
}

// split divides total into integer parts by weight (largest remainder),
// jittered per option so different ranges do not look identical.
func (m *model) split(total float64, weights []float64, salt ...int64) []float64 {
	w := make([]float64, len(weights))
	var sum float64
	for i, x := range weights {
		w[i] = x * (0.8 + 0.4*m.r.u(append(salt, int64(i))...))
		sum += w[i]
	}
	out := make([]float64, len(w))
	type rem struct {
		i int
		f float64
	}
	var rems []rem
	var used float64
	for i := range w {
		exact := total * w[i] / sum
		out[i] = math.Floor(exact)
		used += out[i]
		rems = append(rems, rem{i, exact - out[i]})
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].f > rems[b].f })
	for j := 0; used < total && j < len(rems); j++ {
		out[rems[j].i]++
		used++
	}
	return out
}

func (m *model) surveys(r request) []map[string]any {
	var out []map[string]any
	base := m.filterSelection(everything, r.filter)
	salt := slotOf(r.from)
	for c := range campaigns {
		if r.filter != nil && r.filter.Name == "campaign" && campaigns[c].ID != r.filter.Value {
			continue
		}
		a := m.accumulate(r.from, r.to, campaignSelection(m.byCampaign, campaignOf, c, "campaign").and(base).and(selection{agent: all, campaign: none}))
		responses := math.Round(a.chats * 0.35)
		if r.spec.Name == "wrapupSurvey" {
			responses = a.wrapups
		}
		var fields []map[string]any
		for fi, def := range surveyDefs[r.spec.Name] {
			f := map[string]any{"fieldId": guid(8, fi+10*c), "fieldName": def.name, "groups": nil}
			if def.groups == nil {
				f["options"] = options(def.options, m.split(responses, def.weights, salt, int64(c), int64(fi)))
			} else {
				var gw []float64
				for _, g := range def.groups {
					var s float64
					for _, x := range g.weights {
						s += x
					}
					gw = append(gw, s)
				}
				per := m.split(responses, gw, salt, int64(c), int64(fi), 1)
				var groups []map[string]any
				for gi, g := range def.groups {
					groups = append(groups, map[string]any{"name": g.name,
						"options": options(g.options, m.split(per[gi], g.weights, salt, int64(c), int64(fi), int64(gi)))})
				}
				f["groups"] = groups
			}
			fields = append(fields, f)
		}
		out = append(out, map[string]any{"campaignId": campaigns[c].ID, "fields": fields})
	}
	if out == nil {
		return []map[string]any{}
	}
	return out
}

func options(names []string, counts []float64) []map[string]any {
	out := make([]map[string]any, len(names))
	for i, n := range names {
		out[i] = map[string]any{"name": n, "count": counts[i]}
	}
	return out
}

func (m *model) statusLogs(r request) []map[string]any {
	sel := m.filterSelection(everything, r.filter)
	var out []map[string]any
	for k := 0; k < m.agents; k++ {
		if !sel.agent(k) {
			continue
		}
		var logs []map[string]string
		prev := agentState(-1)
		for s := slotOf(r.from); slotStart(s).Before(r.to); s++ {
			st := m.stateOf(k, s)
			if st != prev {
				at := maxTime(slotStart(s), r.from)
				logs = append(logs, map[string]string{"time": at.In(r.zone).Format(reports.DateTimeLayout), "status": st.String()})
				prev = st
			}
		}
		out = append(out, map[string]any{"agentId": k + 1, "changeLogs": logs})
	}
	if out == nil {
		return []map[string]any{}
	}
	return out
}

var pageWeights = []float64{9, 6, 5, 4, 3, 2.5, 2, 1.5, 1, 0.8}

func (m *model) ranked(r request) []map[string]any {
	a := m.accumulate(r.from, r.to, everything)
	var out []map[string]any
	if r.spec.Name == "chatSourceRequestPage" {
		for i, n := range m.split(a.chats, pageWeights, slotOf(r.from), 60) {
			out = append(out, map[string]any{"requestPage": requestPages[i], "chats": n})
		}
		return out
	}
	w := make([]float64, len(cannedMessages))
	for i := range w {
		w[i] = 12 / float64(i+1)
	}
	for i, n := range m.split(a.canned, w, slotOf(r.from), 61) {
		agents := math.Min(float64(m.agents), math.Ceil(n/4))
		out = append(out, map[string]any{"id": cannedMessages[i].ID, "usedTimes": n, "agentsUsedIt": agents})
	}
	return out
}
