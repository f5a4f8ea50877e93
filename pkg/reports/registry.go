// Package reports is a typed client for the Comm100 Live Chat Report API v3.
//
// Every report the API reference documents is described once, in the
// registry below (path, allowed filters and groups, edition, row type and
// the metrics its rows carry). The client, query validation, the local
// simulator (internal/comm100sim) and the digest renderer are all driven
// from that one table, so adding a report is one entry plus its row type.
//
// Two ways in: Fetch runs any report by name and is what the digest uses;
// the typed methods (methods.go: ChatVolume, Rating, RealtimeQueue, …) are
// the public typed API, one per report in the style of go-github's
// services, for callers that want []ChatVolumeRow without a type
// assertion. Each is one line over the same request path;
// TestEveryReportHasAMethod keeps them in step with the registry.
package reports

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Name identifies a report, e.g. "chatVolume" or "wrapupSurvey".
type Name string

// Group is the `group` query parameter: a time bucket, a distribution or a dimension.
type Group string

// Groups the API accepts (the union over all reports; each report allows a subset).
const (
	GroupNone             Group = ""
	GroupHour             Group = "hour"
	GroupDay              Group = "day"
	GroupWeek             Group = "week"
	GroupMonth            Group = "month"
	GroupWeekDistribution Group = "24*7Distribution"
	GroupHalfHour         Group = "halfHourDistribution"
	GroupAgent            Group = "agent"
	GroupDepartment       Group = "department"
	GroupCampaign         Group = "campaign"
	GroupVisitorSegment   Group = "visitorSegment"
	GroupAutoInvitation   Group = "autoInvitation"
	GroupConversionAction Group = "conversionAction"
)

// IsTime reports whether g buckets rows by calendar time (hour/day/week/month).
func (g Group) IsTime() bool {
	return g == GroupHour || g == GroupDay || g == GroupWeek || g == GroupMonth
}

// IsDistribution reports whether g is one of the averaged distributions,
// whose rows carry avg* fields instead of totals.
func (g Group) IsDistribution() bool {
	return g == GroupWeekDistribution || g == GroupHalfHour
}

// IsDimension reports whether g groups rows by an entity (agent, department…).
func (g Group) IsDimension() bool {
	return g != GroupNone && !g.IsTime() && !g.IsDistribution()
}

// Edition is a Comm100 Live Chat edition. Reports missing from an edition answer 403.
type Edition string

// Editions named by the reference's edition table.
const (
	Business   Edition = "business"
	Enterprise Edition = "enterprise"
)

// Unit says how a metric's value reads: a count, seconds, a 0..1 ratio or money.
type Unit int

// Units of metrics.
const (
	Count Unit = iota
	Seconds
	Ratio
	Money
	Average // a fractional average of counts, e.g. messages per chat
)

// Metric is one numeric field of a report's rows.
type Metric struct {
	// Wire is the JSON name in total rows, spelled as the API sends it.
	Wire string
	// AvgWire is the JSON name in 24*7/half-hour distribution rows; empty
	// means "avg" + Wire with its first letter upper-cased.
	AvgWire string
	// Label is what a reader sees.
	Label string
	Unit  Unit
	// LowerIsBetter marks metrics whose rise is bad news (waits, misses).
	LowerIsBetter bool
	// Weight, for an average, names what it averages over, so a roll-up
	// over many buckets weights each bucket's average the way Comm100
	// computes the whole period's figure. Nil for counts and maxima.
	Weight *Weight
}

// Weight is the denominator of an average metric: the roll-up over rows is
// Σ(avg·w)/Σw. The weight comes from the same row (Wires), from the same
// bucket or key of another report in the digest (Reports), or from a total
// the row carries (Total: w = total/avg, e.g. chats = totalChatTime/avgChatTime).
type Weight struct {
	// Reports, when set, are other reports whose row for the same bucket or
	// entity carries the weight; the first one the digest has is used.
	Reports []Name
	// Wires are the fields summed to make the weight.
	Wires []string
	// Total is a field of the same row holding avg·w, so w = Total/avg.
	Total string
	// Num, with Wires, is a field of the same row holding the average's
	// numerator: the roll-up is then ΣNum/ΣWires, exact, where weighting
	// the API's rounded per-row average could flip a small change's sign
	// (utilisation is linearChatTime / (linearChatTime + idleTime)).
	Num string
	// Doc says in words what the average is over, for notes and docs/figures.md.
	Doc string
}

// IsAverage reports whether the metric is an average or a ratio (a roll-up
// must weight it) rather than a count or maximum (a roll-up adds or takes the max).
func (m Metric) IsAverage() bool {
	return strings.HasPrefix(m.Wire, "avg") || m.Unit == Ratio || m.Unit == Average
}

// IsMax reports whether the metric is a maximum (a roll-up takes the largest).
func (m Metric) IsMax() bool { return strings.HasPrefix(m.Wire, "max") }

// Measure is the kind of quantity a metric is. It decides the values the
// metric can really take (Plausible).
type Measure int

// Measures of metrics.
const (
	MeasureCount     Measure = iota // chats, visits, messages, people
	MeasureDuration                 // one wait, chat or response: an average or a maximum in seconds
	MeasureTotalTime                // seconds summed over chats, agents and the bucket
	MeasureRatio                    // a 0..1 share, shown as a percentage
	MeasureAverage                  // a mean of counts: messages per chat, concurrent chats
	MeasureMoney                    // a conversion value; refunds make it negative
)

// Range is the span of values a metric can really take. A value outside it
// (an average wait of 408,256 days, a utilization of 10¹³ %) is a fault at
// the source and is reported, never drawn as a fact.
type Range struct {
	Min, Max float64
	// Doc says the bound in words, for notes and the docs.
	Doc string
}

// Contains reports whether v lies in the range. NaN lies in no range.
func (r Range) Contains(v float64) bool { return v >= r.Min && v <= r.Max }

// plausible is the one table of plausible ranges, by measure.
var plausible = map[Measure]Range{
	MeasureCount:     {0, 1e8, "a count over 10⁸ (a hundred million chats in one row)"},
	MeasureDuration:  {0, 86_400, "a wait, chat or response time over a day"},
	MeasureTotalTime: {0, 1e10, "time summed over a row above 10¹⁰ s (over 300 agent-years)"},
	MeasureRatio:     {0, 1, "a rate below 0% or over 100%"},
	MeasureAverage:   {0, 1e4, "an average over 10,000 (messages per chat, concurrent chats)"},
	MeasureMoney:     {-1e12, 1e12, "a value beyond ±10¹²"},
}

// Measure says what kind of quantity the metric is, from its unit and
// whether it is an average or maximum (a duration of one chat) or a sum.
func (m Metric) Measure() Measure {
	switch m.Unit {
	case Seconds:
		if m.IsAverage() || m.IsMax() {
			return MeasureDuration
		}
		return MeasureTotalTime
	case Ratio:
		return MeasureRatio
	case Average:
		return MeasureAverage
	case Money:
		return MeasureMoney
	}
	return MeasureCount
}

// Plausible is the range of values the metric can really take.
func (m Metric) Plausible() Range { return plausible[m.Measure()] }

// Rate is a ratio of two of a report's totals worth showing beside them,
// e.g. the answered rate chats / chatRequests.
type Rate struct {
	Label    string
	Num, Den string // wire names
	// Name is the rate's stable name after its report ("answeredRate" in
	// chatVolume.answeredRate), the way a target addresses it (figures.go).
	Name string
}

// DistributionWire is the field name this metric has in distribution rows.
func (m Metric) DistributionWire() string {
	if m.AvgWire != "" {
		return m.AvgWire
	}
	return "avg" + strings.ToUpper(m.Wire[:1]) + m.Wire[1:]
}

// Kind says what shape of data a report returns, which decides how it is charted.
type Kind int

// Report kinds.
const (
	KindMetrics      Kind = iota // rows of metrics, by time bucket or dimension
	KindAvailability             // online time with a per-status distribution
	KindStatusLog                // per-agent status change logs
	KindSurvey                   // campaigns → fields → options (and option groups)
	KindRanked                   // a ranked list keyed by a label (pages, canned messages)
	KindRealtime                 // a real-time object or list
	KindHistory                  // computed from the stack's own poll history (Source)
)

// View says how a report's section is drawn. The renderer dispatches on it
// (render's viewers map); a report picks its view here, never by name there.
type View int

// Views. ViewByGroup (the zero value) means "decided by the group":
// a time group draws ViewTimeSeries, a distribution ViewDistribution and a
// dimension ViewDimension.
const (
	ViewByGroup        View = iota
	ViewTimeSeries          // metrics over calendar buckets: a line chart and totals
	ViewDistribution        // averaged 24×7 or half-hour buckets: a heatmap or columns
	ViewDimension           // metrics per agent, department…: ranked bars and a table
	ViewRating              // score counts: stacked columns or bars, average and share positive
	ViewAvailability        // per-agent online/away time
	ViewSurvey              // campaigns → questions → answers
	ViewStatusTimeline      // per-agent status change logs as lanes
	ViewRanked              // a ranked list keyed by a label (pages, canned messages)
	ViewRealtime            // a snapshot object or list, as a table
	ViewTable               // any rows as a plain table: the fallback for shapes no chart fits
	ViewQueueHistory        // the queue over the period, from our own history: days and a heatmap
)

var viewNames = [...]string{"by group", "time series", "distribution", "dimension", "rating", "availability",
	"survey", "status timeline", "ranked", "realtime", "table", "queue history"}

func (v View) String() string {
	if int(v) < len(viewNames) {
		return viewNames[v]
	}
	return fmt.Sprintf("View(%d)", int(v))
}

// ViewFor is the view of this report's section asked with group g.
func (s *Spec) ViewFor(g Group) View {
	if v, ok := s.GroupViews[g]; ok {
		return v
	}
	if s.View != ViewByGroup {
		return s.View
	}
	switch {
	case g.IsTime():
		return ViewTimeSeries
	case g.IsDistribution():
		return ViewDistribution
	case g.IsDimension():
		return ViewDimension
	}
	return ViewTable
}

// Spec is everything known about one report.
type Spec struct {
	Name  Name
	Title string
	// Paths below /api/v3/livechat/reports/. The first is tried first; the
	// others are the reference's alternative spellings, tried on 404.
	Paths   []string
	Filters []string // allowed filterName values
	Groups  []Group  // allowed group values; empty means the report takes no group
	// Timed reports require timeFrom and timeTo; real-time ones take only timezone.
	Timed bool
	// EnterpriseOnly reports answer 403 on the Business edition.
	EnterpriseOnly bool
	Kind           Kind
	Metrics        []Metric
	// View is how the report is drawn; ViewByGroup lets the group decide.
	View View
	// GroupViews override View for particular groups.
	GroupViews map[Group]View
	// Rates are ratios of the report's totals shown beside them.
	Rates []Rate
	// Source is where the figures come from: the API (the zero value) or
	// the stack's own history (FromHistory), which has no Paths.
	Source Source
	// row is a zero value of the row type (or of the object type for
	// single-object real-time responses).
	row    any
	object bool
}

// RowType is the Go type of one decoded row (or of the whole object for
// real-time reports that return one object).
func (s *Spec) RowType() reflect.Type { return reflect.TypeOf(s.row) }

// IsObject reports whether the response is one JSON object rather than a list.
func (s *Spec) IsObject() bool { return s.object }

// AllowsGroup reports whether g is a valid group for this report.
func (s *Spec) AllowsGroup(g Group) bool {
	for _, a := range s.Groups {
		if a == g {
			return true
		}
	}
	return g == GroupNone && len(s.Groups) == 0
}

// AllowsFilter reports whether name is a valid filterName for this report.
func (s *Spec) AllowsFilter(name string) bool {
	for _, f := range s.Filters {
		if f == name {
			return true
		}
	}
	return false
}

// DefaultGroup is the group a digest uses when the configuration names none.
func (s *Spec) DefaultGroup() Group {
	if len(s.Groups) == 0 {
		return GroupNone
	}
	for _, g := range s.Groups {
		if g == GroupDay {
			return g
		}
	}
	return s.Groups[0]
}

// MetricByWire finds a metric by its total-row wire name.
func (s *Spec) MetricByWire(wire string) (Metric, bool) {
	for _, m := range s.Metrics {
		if m.Wire == wire {
			return m, true
		}
	}
	return Metric{}, false
}

var (
	timeGroups = []Group{GroupHour, GroupDay, GroupWeek, GroupMonth}
	distGroups = []Group{GroupWeekDistribution, GroupHalfHour}
)

func groups(lists ...[]Group) []Group {
	var out []Group
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func dims(gs ...Group) []Group { return gs }

// Weights shared by several reports' averages. "Chats that waited" are the
// answered plus the missed ones (the API's avgWaitTime is over visitors
// "answered by agents, abandoned the queue, or switched to leaving a message").
var (
	wWaited = &Weight{Reports: []Name{"chatVolume"}, Wires: []string{"chats", "missedChats"}, Doc: "chats that waited (chats + missed chats, from Chat volume)"}
	wMissed = &Weight{Reports: []Name{"chatVolume"}, Wires: []string{"missedChats"}, Doc: "missed chats (from Chat volume)"}
	wChats  = &Weight{Reports: []Name{"workload", "chatVolume"}, Wires: []string{"chats"}, Doc: "chats (from Workload or Chat volume)"}
)

// registry holds every report in the reference, in the reference's order.
var registry = []*Spec{
	{Name: "chatVolume", Title: "Chat volume", Paths: []string{"chatVolume"}, Timed: true,
		Filters: []string{"campaign", "department", "visitorSegment"},
		Groups:  groups(timeGroups, distGroups, dims(GroupCampaign, GroupDepartment, GroupVisitorSegment)),
		Metrics: []Metric{
			{Wire: "chatRequests", Label: "Chat requests"},
			{Wire: "chats", Label: "Chats"},
			{Wire: "missedChats", Label: "Missed chats", LowerIsBetter: true},
			{Wire: "refusedChats", Label: "Refused chats", LowerIsBetter: true},
		}, Rates: []Rate{{"Answered rate", "chats", "chatRequests", "answeredRate"}}, row: ChatVolumeRow{}},
	{Name: "visits", Title: "Visits", Paths: []string{"visits"}, Timed: true,
		Filters: []string{"campaign"},
		Groups:  groups(timeGroups, distGroups, dims(GroupCampaign)),
		Metrics: []Metric{{Wire: "visits", Label: "Visits"}}, row: VisitsRow{}},
	{Name: "chatSource", Title: "Chat source", Paths: []string{"chatSource"}, Timed: true, EnterpriseOnly: true,
		Filters: []string{"department"},
		Groups:  groups(timeGroups, distGroups, dims(GroupDepartment)),
		Metrics: []Metric{
			{Wire: "chats", Label: "Chats"},
			// The API spells this "Initialted"; ChatSourceRow also accepts the corrected spelling.
			{Wire: "chatsInitialtedByVisitors", Label: "Initiated by visitors"},
			{Wire: "chatsFromManualInvitations", Label: "From manual invitations"},
			{Wire: "chatsFromAutoInvitations", Label: "From auto invitations"},
		}, row: ChatSourceRow{}},
	// The reference's path table says chatSourceRequestPage while the section
	// itself says chatSource/requestPage; we try the section's spelling first
	// and fall back on 404, remembering what worked.
	{Name: "chatSourceRequestPage", Title: "Chat request pages", Paths: []string{"chatSource/requestPage", "chatSourceRequestPage"},
		Timed: true, EnterpriseOnly: true, Kind: KindRanked,
		Metrics: []Metric{{Wire: "chats", Label: "Chats"}}, row: RequestPageRow{}},
	{Name: "queue", Title: "Queue", Paths: []string{"queue"}, Timed: true, EnterpriseOnly: true,
		Filters: []string{"department"},
		Groups:  groups(timeGroups, distGroups, dims(GroupDepartment)),
		Metrics: []Metric{
			{Wire: "queuedChatRequests", Label: "Queued requests"},
			{Wire: "chatsFromQueue", Label: "Chats from queue"},
			{Wire: "switchedToMessages", Label: "Switched to message", LowerIsBetter: true},
			{Wire: "abandonedChats", Label: "Abandoned", LowerIsBetter: true},
			{Wire: "refusedChats", Label: "Refused", LowerIsBetter: true},
			// The distribution field is spelled "avgMmaxQueueSize" on the wire; QueueRow also accepts "avgMaxQueueSize".
			{Wire: "maxQueueSize", AvgWire: "avgMmaxQueueSize", Label: "Max queue size", LowerIsBetter: true},
		}, Rates: []Rate{{"Answered from queue", "chatsFromQueue", "queuedChatRequests", "answeredFromQueueRate"}}, row: QueueRow{}},
	{Name: "waitTime", Title: "Wait time", Paths: []string{"waitTime"}, Timed: true, EnterpriseOnly: true,
		Filters: []string{"department"},
		Groups:  groups(timeGroups, distGroups, dims(GroupDepartment)),
		Metrics: []Metric{
			{Wire: "avgWaitTime", AvgWire: "avgWaitTime", Label: "Avg wait", Unit: Seconds, LowerIsBetter: true, Weight: wWaited},
			{Wire: "avgWaitTimeOfMissedChats", AvgWire: "avgWaitTimeOfMissedChats", Label: "Avg wait (missed)", Unit: Seconds, LowerIsBetter: true, Weight: wMissed},
			{Wire: "maxWaitTime", Label: "Max wait", Unit: Seconds, LowerIsBetter: true},
			{Wire: "maxWaitTimeOfMissedChats", Label: "Max wait (missed)", Unit: Seconds, LowerIsBetter: true},
		}, row: WaitTimeRow{}},
	{Name: "chatTransfer", Title: "Chat transfers", Paths: []string{"chatTransfer"}, Timed: true, EnterpriseOnly: true,
		Filters: []string{"department"},
		Groups:  groups(timeGroups, dims(GroupDepartment)),
		// Transfers first: the chart ranks and draws the first metric, and
		// a chart titled "Chat transfers" shows transfers, not chats.
		Metrics: []Metric{
			{Wire: "totalTransferredChats", Label: "Transferred"},
			{Wire: "departmentTransferredChats", Label: "Between departments"},
			{Wire: "departmentTransferredInChats", Label: "Transferred in"},
			{Wire: "departmentTransferredOutChats", Label: "Transferred out"},
			{Wire: "chats", Label: "Chats"},
		}, Rates: []Rate{{"Transfer rate", "totalTransferredChats", "chats", "transferRate"}}, row: ChatTransferRow{}},
	{Name: "availability", Title: "Availability", Paths: []string{"availability"}, Timed: true, Kind: KindAvailability,
		GroupViews: map[Group]View{GroupAgent: ViewAvailability},
		Filters:    []string{"agent", "department"},
		Groups:     groups(timeGroups, dims(GroupAgent, GroupDepartment)),
		Metrics:    []Metric{{Wire: "online", Label: "Online", Unit: Seconds}}, row: AvailabilityRow{}},
	{Name: "agentStatus", Title: "Agent status", Paths: []string{"agentStatus"}, Timed: true, Kind: KindStatusLog,
		Filters: []string{"agent", "department"}, row: AgentStatusRow{}},
	// The edition table says Enterprise gets these metrics from Workload and
	// Efficiency; it does not say the path answers 403 there, so we treat
	// Agent Performance as available on both editions.
	{Name: "agentPerformance", Title: "Agent performance", Paths: []string{"agentPerformance"}, Timed: true,
		Filters: []string{"agent", "department"},
		Groups:  groups(timeGroups, dims(GroupAgent, GroupDepartment)),
		Metrics: []Metric{
			{Wire: "avgChatTime", Label: "Avg chat time", Unit: Seconds, Weight: &Weight{Total: "totalChatTime", Doc: "chats (totalChatTime / avgChatTime)"}},
			{Wire: "avgWaitTime", Label: "Avg wait", Unit: Seconds, LowerIsBetter: true, Weight: wWaited},
			{Wire: "totalChatTime", Label: "Total chat time", Unit: Seconds},
			{Wire: "lastMessageSentByAgent", Label: "Last message by agent"},
		}, row: AgentPerformanceRow{}},
	{Name: "workload", Title: "Workload", Paths: []string{"workload"}, Timed: true, EnterpriseOnly: true,
		Filters: []string{"agent", "department"},
		Groups:  groups(timeGroups, distGroups, dims(GroupDepartment, GroupAgent)),
		Metrics: []Metric{
			{Wire: "chats", Label: "Chats"},
			{Wire: "agentUtilization", Label: "Utilization", Unit: Ratio, Weight: &Weight{Wires: []string{"linearChatTime", "idleTime"}, Num: "linearChatTime", Doc: "chatting + idle time"}},
			{Wire: "avgConcurrentChats", AvgWire: "avgConcurrentChats", Label: "Concurrent chats", Unit: Average, Weight: &Weight{Wires: []string{"linearChatTime"}, Num: "totalChatTime", Doc: "chatting time"}},
			{Wire: "linearChatTime", Label: "Chatting time", Unit: Seconds},
			{Wire: "idleTime", Label: "Idle time", Unit: Seconds},
			{Wire: "totalChatTime", Label: "Total chat time", Unit: Seconds},
		}, row: WorkloadRow{}},
	{Name: "efficiency", Title: "Efficiency", Paths: []string{"efficiency"}, Timed: true, EnterpriseOnly: true,
		Filters: []string{"agent", "department"},
		Groups:  groups(timeGroups, distGroups, dims(GroupDepartment, GroupAgent)),
		Metrics: []Metric{
			{Wire: "avgAgentResponseTime", AvgWire: "avgAgentResponseTime", Label: "Avg response", Unit: Seconds, LowerIsBetter: true, Weight: wChats},
			{Wire: "avgWaitTime", AvgWire: "avgWaitTime", Label: "Avg wait", Unit: Seconds, LowerIsBetter: true, Weight: wWaited},
			{Wire: "avgChatTime", AvgWire: "avgChatTime", Label: "Avg chat time", Unit: Seconds, Weight: wChats},
			{Wire: "avgAgentsChatMessages", AvgWire: "avgAgentsChatMessages", Label: "Agent messages/chat", Unit: Average, Weight: wChats},
			{Wire: "avgVisitorsChatMessages", AvgWire: "avgVisitorsChatMessages", Label: "Visitor messages/chat", Unit: Average, Weight: wChats},
			{Wire: "avgCannedMessages", AvgWire: "avgCannedMessages", Label: "Canned/chat", Unit: Average, Weight: wChats},
			{Wire: "lastMessageSentByAgent", Label: "Last message by agent"},
		}, row: EfficiencyRow{}},
	{Name: "rating", Title: "Rating", Paths: []string{"rating"}, Timed: true, View: ViewRating,
		Filters: []string{"agent", "department"},
		Groups:  groups(timeGroups, distGroups, dims(GroupAgent, GroupDepartment)),
		Metrics: []Metric{
			{Wire: "score5", Label: "5 stars"}, {Wire: "score4", Label: "4 stars"}, {Wire: "score3", Label: "3 stars"},
			{Wire: "score2", Label: "2 stars"}, {Wire: "score1", Label: "1 star"},
		}, row: RatingRow{}},
	{Name: "postChatSurvey", Title: "Post-chat survey", Paths: []string{"postChatSurvey"}, Timed: true, Kind: KindSurvey,
		Filters: []string{"campaign"}, row: SurveyRow{}},
	{Name: "prechatSurvey", Title: "Pre-chat survey", Paths: []string{"prechatSurvey"}, Timed: true, Kind: KindSurvey,
		Filters: []string{"campaign"}, row: SurveyRow{}},
	{Name: "wrapupSurvey", Title: "Wrap-up", Paths: []string{"wrapup/survey"}, Timed: true, Kind: KindSurvey,
		Filters: []string{"campaign"}, row: SurveyRow{}},
	{Name: "wrapupCompletion", Title: "Wrap-up completion", Paths: []string{"wrapup/completion"}, Timed: true,
		Filters: []string{"agent", "department"},
		Groups:  groups(timeGroups, dims(GroupAgent, GroupDepartment)),
		Metrics: []Metric{{Wire: "chats", Label: "Chats"}, {Wire: "wrapups", Label: "Wrapped up"}},
		Rates:   []Rate{{"Completion rate", "wrapups", "chats", "completionRate"}}, row: WrapupCompletionRow{}},
	{Name: "conversions", Title: "Conversions", Paths: []string{"conversions"}, Timed: true, EnterpriseOnly: true,
		Filters: []string{"department", "agent", "conversion"},
		Groups:  groups(timeGroups, dims(GroupDepartment, GroupAgent, GroupConversionAction)),
		Metrics: []Metric{
			{Wire: "conversions", Label: "Conversions"},
			{Wire: "chats", Label: "Chats"},
			{Wire: "chattedVisitors", Label: "Chatted visitors"},
			{Wire: "convertedVisitors", Label: "Converted visitors"},
			{Wire: "convertedChattedVisitors", Label: "Converted after chat"},
			{Wire: "value", Label: "Value", Unit: Money},
		}, Rates: []Rate{{"Conversion rate (chatted visitors)", "convertedChattedVisitors", "chattedVisitors", "conversionRate"}}, row: ConversionsRow{}},
	{Name: "manualInvitation", Title: "Manual invitations", Paths: []string{"manualInvitation"}, Timed: true, EnterpriseOnly: true,
		Filters: []string{"agent"},
		Groups:  groups(timeGroups, dims(GroupAgent)),
		Metrics: []Metric{{Wire: "sent", Label: "Sent"}, {Wire: "accepted", Label: "Accepted"}},
		Rates:   []Rate{{"Acceptance rate", "accepted", "sent", "acceptanceRate"}}, row: InvitationRow{}},
	{Name: "autoInvitation", Title: "Auto invitations", Paths: []string{"autoInvitation"}, Timed: true, EnterpriseOnly: true,
		Filters: []string{"campaign"},
		Groups:  groups(timeGroups, dims(GroupCampaign, GroupAutoInvitation)),
		Metrics: []Metric{{Wire: "sent", Label: "Sent"}, {Wire: "accepted", Label: "Accepted"}},
		Rates:   []Rate{{"Acceptance rate", "accepted", "sent", "acceptanceRate"}}, row: InvitationRow{}},
	{Name: "offlineMessage", Title: "Offline messages", Paths: []string{"offlineMessage"}, Timed: true,
		Filters: []string{"department", "campaign", "visitorSegment"},
		Groups:  groups(timeGroups, distGroups, dims(GroupDepartment, GroupCampaign, GroupVisitorSegment)),
		Metrics: []Metric{
			{Wire: "messages", Label: "Messages"},
			{Wire: "fromOfflineButton", Label: "From offline button"},
			{Wire: "fromChatQueue", Label: "From chat queue", LowerIsBetter: true},
		}, row: OfflineMessageRow{}},
	{Name: "cannedMessage", Title: "Canned messages", Paths: []string{"cannedMessage"}, Timed: true, Kind: KindRanked,
		Filters: []string{"category"},
		Metrics: []Metric{{Wire: "usedTimes", Label: "Used"}, {Wire: "agentsUsedIt", Label: "Agents"}}, row: CannedMessageRow{}},
	// The path table writes rightNow; the section writes rightnow (and its
	// sample request drops "realtime/"). We try rightNow, then rightnow.
	{Name: "realtimeRightNow", Title: "Right now", Paths: []string{"realtime/rightNow", "realtime/rightnow"}, Kind: KindRealtime,
		row: RightNow{}, object: true},
	{Name: "realtimeToday", Title: "Today", Paths: []string{"realtime/today"}, Kind: KindRealtime, row: Today{}, object: true},
	{Name: "realtimeCustomMetrics", Title: "Custom metrics", Paths: []string{"realtime/today/customMetrics"}, Kind: KindRealtime,
		EnterpriseOnly: true, row: CustomMetric{}},
	// The reference's edition table lists Real Time – Agents for both editions
	// although its section says "Available in Enterprise edition"; we follow the table.
	{Name: "realtimeAgents", Title: "Agents now", Paths: []string{"realtime/agents"}, Kind: KindRealtime,
		Filters: []string{"department"}, row: RealtimeAgent{}},
	{Name: "realtimeQueue", Title: "Queues now", Paths: []string{"realtime/queue"}, Kind: KindRealtime,
		EnterpriseOnly: true, row: RealtimeQueue{}},
	// Not an API report: the alert poller's stored snapshots of
	// realtime/queue, summarised over the digest's period (package history).
	{Name: "queueHistory", Title: "Queue over the week", Source: SourceHistory, Timed: true, Kind: KindHistory,
		Filters: []string{"department"}, row: QueueHistory{}, object: true},
}

var byName = func() map[Name]*Spec {
	m := make(map[Name]*Spec, len(registry))
	for _, s := range registry {
		if _, dup := m[s.Name]; dup {
			panic("reports: duplicate registry entry " + s.Name)
		}
		if v, ok := viewOfKind[s.Kind]; ok && s.View == ViewByGroup {
			s.View = v
		}
		m[s.Name] = s
	}
	return m
}()

// viewOfKind is the view a row shape implies, so the table need not say it
// twice; an entry's own View (rating's) still decides.
var viewOfKind = map[Kind]View{
	KindRanked:    ViewRanked,
	KindSurvey:    ViewSurvey,
	KindStatusLog: ViewStatusTimeline,
	KindRealtime:  ViewRealtime,
	KindHistory:   ViewQueueHistory,
}

// Lookup returns the spec for a report name.
func Lookup(name Name) (*Spec, bool) {
	s, ok := byName[name]
	return s, ok
}

// All returns every report spec in the reference's order.
func All() []*Spec {
	out := make([]*Spec, len(registry))
	copy(out, registry)
	return out
}

// Names lists every report name, sorted, for error messages.
func Names() []string {
	out := make([]string, 0, len(registry))
	for _, s := range registry {
		out = append(out, string(s.Name))
	}
	sort.Strings(out)
	return out
}

// UnknownReportError names a report the registry does not have.
type UnknownReportError struct{ Name Name }

func (e *UnknownReportError) Error() string {
	return fmt.Sprintf("unknown report %q (known: %s)", e.Name, strings.Join(Names(), ", "))
}
