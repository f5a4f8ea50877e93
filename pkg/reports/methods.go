package reports

import "context"

// One method per report; each is the registry entry of the same name.
// The reference (shared/comm100-report-api.md) documents each path.

// ChatVolume fetches /chatVolume.
func (c *Client) ChatVolume(ctx context.Context, q Query) ([]ChatVolumeRow, error) {
	return fetchList[ChatVolumeRow](ctx, c, "chatVolume", q)
}

// Visits fetches /visits.
func (c *Client) Visits(ctx context.Context, q Query) ([]VisitsRow, error) {
	return fetchList[VisitsRow](ctx, c, "visits", q)
}

// ChatSource fetches /chatSource.
func (c *Client) ChatSource(ctx context.Context, q Query) ([]ChatSourceRow, error) {
	return fetchList[ChatSourceRow](ctx, c, "chatSource", q)
}

// ChatSourceRequestPage fetches /chatSource/requestPage (or /chatSourceRequestPage).
func (c *Client) ChatSourceRequestPage(ctx context.Context, q Query) ([]RequestPageRow, error) {
	return fetchList[RequestPageRow](ctx, c, "chatSourceRequestPage", q)
}

// Queue fetches /queue.
func (c *Client) Queue(ctx context.Context, q Query) ([]QueueRow, error) {
	return fetchList[QueueRow](ctx, c, "queue", q)
}

// WaitTime fetches /waitTime.
func (c *Client) WaitTime(ctx context.Context, q Query) ([]WaitTimeRow, error) {
	return fetchList[WaitTimeRow](ctx, c, "waitTime", q)
}

// ChatTransfer fetches /chatTransfer.
func (c *Client) ChatTransfer(ctx context.Context, q Query) ([]ChatTransferRow, error) {
	return fetchList[ChatTransferRow](ctx, c, "chatTransfer", q)
}

// Availability fetches /availability.
func (c *Client) Availability(ctx context.Context, q Query) ([]AvailabilityRow, error) {
	return fetchList[AvailabilityRow](ctx, c, "availability", q)
}

// AgentStatus fetches /agentStatus.
func (c *Client) AgentStatus(ctx context.Context, q Query) ([]AgentStatusRow, error) {
	return fetchList[AgentStatusRow](ctx, c, "agentStatus", q)
}

// AgentPerformance fetches /agentPerformance.
func (c *Client) AgentPerformance(ctx context.Context, q Query) ([]AgentPerformanceRow, error) {
	return fetchList[AgentPerformanceRow](ctx, c, "agentPerformance", q)
}

// Workload fetches /workload.
func (c *Client) Workload(ctx context.Context, q Query) ([]WorkloadRow, error) {
	return fetchList[WorkloadRow](ctx, c, "workload", q)
}

// Efficiency fetches /efficiency.
func (c *Client) Efficiency(ctx context.Context, q Query) ([]EfficiencyRow, error) {
	return fetchList[EfficiencyRow](ctx, c, "efficiency", q)
}

// Rating fetches /rating.
func (c *Client) Rating(ctx context.Context, q Query) ([]RatingRow, error) {
	return fetchList[RatingRow](ctx, c, "rating", q)
}

// PostChatSurvey fetches /postChatSurvey.
func (c *Client) PostChatSurvey(ctx context.Context, q Query) ([]SurveyRow, error) {
	return fetchList[SurveyRow](ctx, c, "postChatSurvey", q)
}

// PrechatSurvey fetches /prechatSurvey.
func (c *Client) PrechatSurvey(ctx context.Context, q Query) ([]SurveyRow, error) {
	return fetchList[SurveyRow](ctx, c, "prechatSurvey", q)
}

// WrapupSurvey fetches /wrapup/survey.
func (c *Client) WrapupSurvey(ctx context.Context, q Query) ([]SurveyRow, error) {
	return fetchList[SurveyRow](ctx, c, "wrapupSurvey", q)
}

// WrapupCompletion fetches /wrapup/completion.
func (c *Client) WrapupCompletion(ctx context.Context, q Query) ([]WrapupCompletionRow, error) {
	return fetchList[WrapupCompletionRow](ctx, c, "wrapupCompletion", q)
}

// Conversions fetches /conversions.
func (c *Client) Conversions(ctx context.Context, q Query) ([]ConversionsRow, error) {
	return fetchList[ConversionsRow](ctx, c, "conversions", q)
}

// ManualInvitation fetches /manualInvitation.
func (c *Client) ManualInvitation(ctx context.Context, q Query) ([]InvitationRow, error) {
	return fetchList[InvitationRow](ctx, c, "manualInvitation", q)
}

// AutoInvitation fetches /autoInvitation.
func (c *Client) AutoInvitation(ctx context.Context, q Query) ([]InvitationRow, error) {
	return fetchList[InvitationRow](ctx, c, "autoInvitation", q)
}

// OfflineMessage fetches /offlineMessage.
func (c *Client) OfflineMessage(ctx context.Context, q Query) ([]OfflineMessageRow, error) {
	return fetchList[OfflineMessageRow](ctx, c, "offlineMessage", q)
}

// CannedMessage fetches /cannedMessage.
func (c *Client) CannedMessage(ctx context.Context, q Query) ([]CannedMessageRow, error) {
	return fetchList[CannedMessageRow](ctx, c, "cannedMessage", q)
}

// RealtimeRightNow fetches /realtime/rightNow (or /realtime/rightnow).
func (c *Client) RealtimeRightNow(ctx context.Context, q Query) (*RightNow, error) {
	return fetchObject[RightNow](ctx, c, "realtimeRightNow", q)
}

// RealtimeToday fetches /realtime/today.
func (c *Client) RealtimeToday(ctx context.Context, q Query) (*Today, error) {
	return fetchObject[Today](ctx, c, "realtimeToday", q)
}

// RealtimeCustomMetrics fetches /realtime/today/customMetrics.
func (c *Client) RealtimeCustomMetrics(ctx context.Context, q Query) ([]CustomMetric, error) {
	return fetchList[CustomMetric](ctx, c, "realtimeCustomMetrics", q)
}

// RealtimeAgents fetches /realtime/agents.
func (c *Client) RealtimeAgents(ctx context.Context, q Query) ([]RealtimeAgent, error) {
	return fetchList[RealtimeAgent](ctx, c, "realtimeAgents", q)
}

// RealtimeQueue fetches /realtime/queue.
func (c *Client) RealtimeQueue(ctx context.Context, q Query) ([]RealtimeQueue, error) {
	return fetchList[RealtimeQueue](ctx, c, "realtimeQueue", q)
}
