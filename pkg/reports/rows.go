package reports

import "encoding/json"

// Row types, one per report (and per row shape). Numbers are float64
// because the API sends the same field as 36 or 36.0; absent or null
// fields decode as zero. Distribution rows (24*7Distribution,
// halfHourDistribution) fill the Avg* fields instead of the totals.
// Unknown fields are ignored, so new API fields never break decoding.

// ChatVolumeRow is a row of the Chat Volume report.
type ChatVolumeRow struct {
	Time             *Bucket `json:"time,omitempty"`
	CampaignID       ID      `json:"campaignId,omitempty"`
	DepartmentID     ID      `json:"departmentId,omitempty"`
	VisitorSegmentID ID      `json:"visitorSegmentId,omitempty"`
	ChatRequests     float64 `json:"chatRequests"`
	Chats            float64 `json:"chats"`
	MissedChats      float64 `json:"missedChats"`
	RefusedChats     float64 `json:"refusedChats"`
	AvgChatRequests  float64 `json:"avgChatRequests,omitempty"`
	AvgChats         float64 `json:"avgChats,omitempty"`
	AvgMissedChats   float64 `json:"avgMissedChats,omitempty"`
	AvgRefusedChats  float64 `json:"avgRefusedChats,omitempty"`
}

// VisitsRow is a row of the Visits report.
type VisitsRow struct {
	Time       *Bucket `json:"time,omitempty"`
	CampaignID ID      `json:"campaignId,omitempty"`
	Visits     float64 `json:"visits"`
	AvgVisits  float64 `json:"avgVisits,omitempty"`
}

// ChatSourceRow is a row of the Chat Source report.
type ChatSourceRow struct {
	Time         *Bucket `json:"time,omitempty"`
	DepartmentID ID      `json:"departmentId,omitempty"`
	Chats        float64 `json:"chats"`
	// ChatsInitiatedByVisitors is sent as "chatsInitialtedByVisitors" (sic);
	// the corrected spelling is accepted too, in case the API fixes it.
	ChatsInitiatedByVisitors      float64 `json:"chatsInitialtedByVisitors"`
	ChatsFromManualInvitations    float64 `json:"chatsFromManualInvitations"`
	ChatsFromAutoInvitations      float64 `json:"chatsFromAutoInvitations"`
	AvgChats                      float64 `json:"avgChats,omitempty"`
	AvgChatsInitiatedByVisitors   float64 `json:"avgChatsInitialtedByVisitors,omitempty"`
	AvgChatsFromManualInvitations float64 `json:"avgChatsFromManualInvitations,omitempty"`
	AvgChatsFromAutoInvitations   float64 `json:"avgChatsFromAutoInvitations,omitempty"`
}

// UnmarshalJSON decodes the row, accepting "chatsInitiatedByVisitors" as well as the wire's typo.
func (r *ChatSourceRow) UnmarshalJSON(data []byte) error {
	type plain ChatSourceRow
	var fixed struct {
		Total *float64 `json:"chatsInitiatedByVisitors"`
		Avg   *float64 `json:"avgChatsInitiatedByVisitors"`
	}
	if err := json.Unmarshal(data, (*plain)(r)); err != nil {
		return err
	}
	if err := json.Unmarshal(data, &fixed); err != nil {
		return err
	}
	if fixed.Total != nil && r.ChatsInitiatedByVisitors == 0 {
		r.ChatsInitiatedByVisitors = *fixed.Total
	}
	if fixed.Avg != nil && r.AvgChatsInitiatedByVisitors == 0 {
		r.AvgChatsInitiatedByVisitors = *fixed.Avg
	}
	return nil
}

// RequestPageRow is a row of the Chat Source Request Page report.
type RequestPageRow struct {
	RequestPage string  `json:"requestPage"`
	Chats       float64 `json:"chats"`
}

// QueueRow is a row of the Queue report.
type QueueRow struct {
	Time                  *Bucket `json:"time,omitempty"`
	DepartmentID          ID      `json:"departmentId,omitempty"`
	QueuedChatRequests    float64 `json:"queuedChatRequests"`
	ChatsFromQueue        float64 `json:"chatsFromQueue"`
	SwitchedToMessages    float64 `json:"switchedToMessages"`
	AbandonedChats        float64 `json:"abandonedChats"`
	RefusedChats          float64 `json:"refusedChats"`
	MaxQueueSize          float64 `json:"maxQueueSize"`
	AvgQueuedChatRequests float64 `json:"avgQueuedChatRequests,omitempty"`
	AvgChatsFromQueue     float64 `json:"avgChatsFromQueue,omitempty"`
	AvgSwitchedToMessages float64 `json:"avgSwitchedToMessages,omitempty"`
	AvgAbandonedChats     float64 `json:"avgAbandonedChats,omitempty"`
	AvgRefusedChats       float64 `json:"avgRefusedChats,omitempty"`
	// AvgMaxQueueSize is sent as "avgMmaxQueueSize" (sic); "avgMaxQueueSize" is accepted too.
	AvgMaxQueueSize float64 `json:"avgMmaxQueueSize,omitempty"`
}

// UnmarshalJSON decodes the row, accepting "avgMaxQueueSize" as well as the wire's typo.
func (r *QueueRow) UnmarshalJSON(data []byte) error {
	type plain QueueRow
	var fixed struct {
		Avg *float64 `json:"avgMaxQueueSize"`
	}
	if err := json.Unmarshal(data, (*plain)(r)); err != nil {
		return err
	}
	if err := json.Unmarshal(data, &fixed); err != nil {
		return err
	}
	if fixed.Avg != nil && r.AvgMaxQueueSize == 0 {
		r.AvgMaxQueueSize = *fixed.Avg
	}
	return nil
}

// WaitTimeRow is a row of the Wait Time report. Durations are seconds.
type WaitTimeRow struct {
	Time                        *Bucket `json:"time,omitempty"`
	DepartmentID                ID      `json:"departmentId,omitempty"`
	AvgWaitTime                 float64 `json:"avgWaitTime"`
	AvgWaitTimeOfMissedChats    float64 `json:"avgWaitTimeOfMissedChats"`
	MaxWaitTime                 float64 `json:"maxWaitTime"`
	MaxWaitTimeOfMissedChats    float64 `json:"maxWaitTimeOfMissedChats"`
	AvgMaxWaitTime              float64 `json:"avgMaxWaitTime,omitempty"`
	AvgMaxWaitTimeOfMissedChats float64 `json:"avgMaxWaitTimeOfMissedChats,omitempty"`
}

// ChatTransferRow is a row of the Chat Transfer report. Time rows carry the
// total/department transfer counts; department rows the in/out counts.
type ChatTransferRow struct {
	Time                          *Bucket `json:"time,omitempty"`
	DepartmentID                  ID      `json:"departmentId,omitempty"`
	Chats                         float64 `json:"chats"`
	TotalTransferredChats         float64 `json:"totalTransferredChats,omitempty"`
	DepartmentTransferredChats    float64 `json:"departmentTransferredChats,omitempty"`
	DepartmentTransferredInChats  float64 `json:"departmentTransferredInChats,omitempty"`
	DepartmentTransferredOutChats float64 `json:"departmentTransferredOutChats,omitempty"`
}

// StatusTime is one entry of a status distribution: a status and seconds spent in it.
type StatusTime struct {
	Status string  `json:"status"`
	Time   float64 `json:"time"`
	// TimeStr is documented as "temporarily not used, always null".
	TimeStr *string `json:"timeStr,omitempty"`
}

// AvailabilityRow is a row of the Availability report.
type AvailabilityRow struct {
	Time               *Bucket      `json:"time,omitempty"`
	AgentID            ID           `json:"agentId,omitempty"`
	DepartmentID       ID           `json:"departmentId,omitempty"`
	Online             float64      `json:"online"`
	StatusDistribution []StatusTime `json:"statusDistribution,omitempty"`
}

// StatusChange is one entry of an agent's status change log.
type StatusChange struct {
	// Time is a wall-clock reading in the query's offset (yyyy-MM-ddTHH:mm:ss).
	Time   string `json:"time"`
	Status string `json:"status"`
}

// AgentStatusRow is a row of the Agent Status report.
type AgentStatusRow struct {
	Time       *Bucket        `json:"time,omitempty"`
	AgentID    ID             `json:"agentId"`
	ChangeLogs []StatusChange `json:"changeLogs"`
}

// AgentPerformanceRow is a row of the Agent Performance report.
type AgentPerformanceRow struct {
	Time                   *Bucket `json:"time,omitempty"`
	AgentID                ID      `json:"agentId,omitempty"`
	DepartmentID           ID      `json:"departmentId,omitempty"`
	AvgChatTime            float64 `json:"avgChatTime"`
	AvgWaitTime            float64 `json:"avgWaitTime"`
	TotalChatTime          float64 `json:"totalChatTime"`
	LastMessageSentByAgent float64 `json:"lastMessageSentByAgent"`
}

// WorkloadRow is a row of the Workload report. AgentUtilization is a 0..1 ratio.
type WorkloadRow struct {
	Time                *Bucket `json:"time,omitempty"`
	AgentID             ID      `json:"agentId,omitempty"`
	DepartmentID        ID      `json:"departmentId,omitempty"`
	LinearChatTime      float64 `json:"linearChatTime"`
	IdleTime            float64 `json:"idleTime"`
	AgentUtilization    float64 `json:"agentUtilization"`
	AvgConcurrentChats  float64 `json:"avgConcurrentChats"`
	TotalChatTime       float64 `json:"totalChatTime"`
	Chats               float64 `json:"chats"`
	AvgLinearChatTime   float64 `json:"avgLinearChatTime,omitempty"`
	AvgIdleTime         float64 `json:"avgIdleTime,omitempty"`
	AvgAgentUtilization float64 `json:"avgAgentUtilization,omitempty"`
	AvgTotalChatTime    float64 `json:"avgTotalChatTime,omitempty"`
	AvgChats            float64 `json:"avgChats,omitempty"`
}

// EfficiencyRow is a row of the Efficiency report. The reference lists no
// separate distribution shape, so distribution rows use the same names.
type EfficiencyRow struct {
	Time                    *Bucket `json:"time,omitempty"`
	AgentID                 ID      `json:"agentId,omitempty"`
	DepartmentID            ID      `json:"departmentId,omitempty"`
	AvgAgentResponseTime    float64 `json:"avgAgentResponseTime"`
	AvgWaitTime             float64 `json:"avgWaitTime"`
	AvgChatTime             float64 `json:"avgChatTime"`
	AvgAgentsChatMessages   float64 `json:"avgAgentsChatMessages"`
	AvgVisitorsChatMessages float64 `json:"avgVisitorsChatMessages"`
	AvgCannedMessages       float64 `json:"avgCannedMessages"`
	LastMessageSentByAgent  float64 `json:"lastMessageSentByAgent"`
	AvgLastMessageByAgent   float64 `json:"avgLastMessageSentByAgent,omitempty"`
}

// RatingRow is a row of the Rating report: chats per score.
type RatingRow struct {
	Time         *Bucket `json:"time,omitempty"`
	AgentID      ID      `json:"agentId,omitempty"`
	DepartmentID ID      `json:"departmentId,omitempty"`
	Score5       float64 `json:"score5"`
	Score4       float64 `json:"score4"`
	Score3       float64 `json:"score3"`
	Score2       float64 `json:"score2"`
	Score1       float64 `json:"score1"`
	AvgScore5    float64 `json:"avgScore5,omitempty"`
	AvgScore4    float64 `json:"avgScore4,omitempty"`
	AvgScore3    float64 `json:"avgScore3,omitempty"`
	AvgScore2    float64 `json:"avgScore2,omitempty"`
	AvgScore1    float64 `json:"avgScore1,omitempty"`
}

// Rated is the number of rated chats in the row.
func (r RatingRow) Rated() float64 { return r.Score1 + r.Score2 + r.Score3 + r.Score4 + r.Score5 }

// SurveyOption is one answer option and how often it was chosen.
type SurveyOption struct {
	Name  string  `json:"name"`
	Count float64 `json:"count"`
}

// SurveyGroup is a named group of options (wrap-up categories in advanced mode).
type SurveyGroup struct {
	Name    string         `json:"name"`
	Options []SurveyOption `json:"options"`
}

// SurveyField is one survey question.
type SurveyField struct {
	FieldID   ID             `json:"fieldId"`
	FieldName string         `json:"fieldName"`
	Options   []SurveyOption `json:"options"`
	// Groups is null for pre-chat surveys ("temporarily not used").
	Groups []SurveyGroup `json:"groups"`
}

// SurveyRow is a row of the Post-Chat, Pre-Chat and Wrap-up survey reports.
type SurveyRow struct {
	CampaignID ID            `json:"campaignId"`
	Fields     []SurveyField `json:"fields"`
}

// WrapupCompletionRow is a row of the Wrap-up Completion report.
type WrapupCompletionRow struct {
	Time         *Bucket `json:"time,omitempty"`
	AgentID      ID      `json:"agentId,omitempty"`
	DepartmentID ID      `json:"departmentId,omitempty"`
	Wrapups      float64 `json:"wrapups"`
	Chats        float64 `json:"chats"`
}

// ConversionsRow is a row of the Conversions report. The reference lists no
// id field for its department/agent/conversionAction groups; we read the
// conventional agentId/departmentId and conversionActionId.
type ConversionsRow struct {
	Time                     *Bucket `json:"time,omitempty"`
	AgentID                  ID      `json:"agentId,omitempty"`
	DepartmentID             ID      `json:"departmentId,omitempty"`
	ConversionActionID       ID      `json:"conversionActionId,omitempty"`
	Conversions              float64 `json:"conversions"`
	Chats                    float64 `json:"chats"`
	ChattedVisitors          float64 `json:"chattedVisitors"`
	ConvertedVisitors        float64 `json:"convertedVisitors"`
	ConvertedChattedVisitors float64 `json:"convertedChattedVisitors"`
	Value                    float64 `json:"value"`
}

// InvitationRow is a row of the Manual and Auto Invitation reports.
type InvitationRow struct {
	Time             *Bucket `json:"time,omitempty"`
	AgentID          ID      `json:"agentId,omitempty"`
	CampaignID       ID      `json:"campaignId,omitempty"`
	AutoInvitationID ID      `json:"autoInvitationId,omitempty"`
	Sent             float64 `json:"sent"`
	Accepted         float64 `json:"accepted"`
}

// OfflineMessageRow is a row of the Offline Message report.
type OfflineMessageRow struct {
	Time                 *Bucket `json:"time,omitempty"`
	DepartmentID         ID      `json:"departmentId,omitempty"`
	CampaignID           ID      `json:"campaignId,omitempty"`
	VisitorSegmentID     ID      `json:"visitorSegmentId,omitempty"`
	Messages             float64 `json:"messages"`
	FromOfflineButton    float64 `json:"fromOfflineButton"`
	FromChatQueue        float64 `json:"fromChatQueue"`
	AvgMessages          float64 `json:"avgMessages,omitempty"`
	AvgFromOfflineButton float64 `json:"avgFromOfflineButton,omitempty"`
	AvgFromChatQueue     float64 `json:"avgFromChatQueue,omitempty"`
}

// CannedMessageRow is a row of the Canned Message report.
type CannedMessageRow struct {
	ID           ID      `json:"id"`
	UsedTimes    float64 `json:"usedTimes"`
	AgentsUsedIt float64 `json:"agentsUsedIt"`
}

// RightNow is the Real Time – Right Now object. Pointer fields are
// "available when" fields: nil means the site does not have the feature.
type RightNow struct {
	AgentsInChat            float64  `json:"agentsInChat"`
	OngoingChats            float64  `json:"ongoingChats"`
	VisitorsOnSite          float64  `json:"visitorsOnSite"`
	LoggedInAgents          float64  `json:"loggedInAgents"`
	CurrentQueueLength      *float64 `json:"currentQueueLength"`
	ChatUtilization         *float64 `json:"chatUtilization"`
	OngoingChatsWithAgents  *float64 `json:"ongoingChatsWithAgents"`
	OngoingChatsWithChatbot *float64 `json:"ongoingChatsWithChatbot"`
}

// Today is the Real Time – Today object. Sections are null when the edition
// or add-on does not provide them.
type Today struct {
	ChatOverview *struct {
		ChatRequests       float64 `json:"chatRequests"`
		Chats              float64 `json:"chats"`
		ChatAcceptanceRate float64 `json:"chatAcceptanceRate"`
		AbandonedChats     float64 `json:"abandonedChats"`
		SwitchToMessages   float64 `json:"switchToMessages"`
		MissedChats        float64 `json:"missedChats"`
	} `json:"chatOverview"`
	ServiceEfficiency *struct {
		AvgWaitTime             float64 `json:"avgWaitTime"`
		AvgChatTime             float64 `json:"avgChatTime"`
		AvgResponseTime         float64 `json:"avgResponseTime"`
		AcceptedInvitations     float64 `json:"acceptedInvitations"`
		DepartmentTransferChats float64 `json:"departmentTransferChats"`
		TotalTransferChats      float64 `json:"totalTransferChats"`
	} `json:"serviceEfficiency"`
	AgentPerformance *struct {
		UniqueChatRate   float64 `json:"uniqueChatRate"`
		AgentUtilization float64 `json:"agentUtilization"`
		AvgScore         float64 `json:"avgScore"`
	} `json:"agentPerformance"`
	Chatbot *struct {
		ChatbotOnlyChats        float64 `json:"chatbotOnlyChats"`
		ChatsFromChatbotToAgent float64 `json:"chatsFromChatbotToAgent"`
		Answers                 float64 `json:"answers"`
		HighConfidenceAnswers   float64 `json:"highConfidenceAnswers"`
	} `json:"chatbot"`
}

// CustomMetric is one entry of Real Time – Custom Metrics.
type CustomMetric struct {
	ID    ID      `json:"id"`
	Value float64 `json:"value"`
}

// RealtimeAgent is one entry of Real Time – Agents.
type RealtimeAgent struct {
	AgentID             ID           `json:"agentId"`
	CurrentStatus       string       `json:"currentStatus"`
	OngoingChats        float64      `json:"ongoingChats"`
	TodayChats          float64      `json:"todayChats"`
	TodayLinearChatTime float64      `json:"todayLinearChatTime"`
	StatusDistribution  []StatusTime `json:"statusDistribution"`
}

// RouteType is where a queue routes chats: 0 site, 1 department, 2 agent.
type RouteType int

// Route types of a real-time queue.
const (
	RouteSite       RouteType = 0
	RouteDepartment RouteType = 1
	RouteAgent      RouteType = 2
)

// String names the route type as a person would.
func (t RouteType) String() string {
	switch t {
	case RouteSite:
		return "Site"
	case RouteDepartment:
		return "Department"
	case RouteAgent:
		return "Agent"
	}
	return "Route"
}

// RouteTo identifies a queue. The site queue has no id.
type RouteTo struct {
	Type RouteType `json:"type"`
	ID   ID        `json:"id,omitempty"`
}

// QueuedVisitor is one visitor waiting in a real-time queue.
type QueuedVisitor struct {
	VisitorID string  `json:"visitorId"`
	WaitTime  float64 `json:"waitTime"` // seconds
}

// RealtimeQueue is one entry of Real Time – Queue.
type RealtimeQueue struct {
	RouteTo                        RouteTo         `json:"routeTo"`
	OngoingChats                   float64         `json:"ongoingChats"`
	AvgWaitTimeInLast30Mins        float64         `json:"avgWaitTimeInLast30Mins"`
	AvgWaitTimeInLast60Mins        float64         `json:"avgWaitTimeInLast60Mins"`
	AbandonedChatsInLast30Mins     float64         `json:"abandonedChatsInLast30Mins"`
	SwitchedToMessagesInLast30Mins float64         `json:"switchedToMessagesInLast30Mins"`
	Queue                          []QueuedVisitor `json:"queue"`
}
