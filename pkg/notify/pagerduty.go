package notify

import (
	"context"
	"net/http"
	"time"
)

// PagerDuty sends Events API v2 events: trigger on FIRING, acknowledge
// when someone acknowledges by link, resolve on RESOLVED, all with the
// alert episode's dedup_key. https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
type PagerDuty struct {
	name   string
	key    secret
	url    string
	client *http.Client
}

// String keeps the routing key out of printed values.
func (p *PagerDuty) String() string { return p.name + " [redacted routing key]" }

// GoString implements fmt.GoStringer the same way.
func (p *PagerDuty) GoString() string { return p.String() }

// Name implements Receiver.
func (p *PagerDuty) Name() string { return p.name }

// Kind implements Receiver.
func (p *PagerDuty) Kind() string { return "pagerduty" }

// Send implements Receiver. PagerDuty answers 202; 400 is a refused event
// (permanent), 429 and 5xx are retried.
func (p *PagerDuty) Send(ctx context.Context, m Message) error {
	return post(ctx, p.client, p.url, PagerDutyEvent(m, string(p.key)), p.name, p.Kind(), string(p.key))
}

// PagerDuty's limits.
const (
	pdDedupMax   = 255
	pdSummaryMax = 1024
)

// PagerDutyEvent is the Events API v2 body for a message.
func PagerDutyEvent(m Message, routingKey string) map[string]any {
	ev := map[string]any{"routing_key": routingKey, "dedup_key": truncateBytes(m.DedupKey, pdDedupMax)}
	switch m.Event {
	case Resolved:
		ev["event_action"] = "resolve"
		return ev
	case Acknowledged:
		ev["event_action"] = "acknowledge"
		return ev
	}
	ev["event_action"] = "trigger"
	details := map[string]any{"rule": m.RuleID, "scope": m.Scope, "headline": m.Headline}
	for _, f := range m.Facts {
		details[f.Title] = f.Value
	}
	if m.Detail != "" {
		details["detail"] = m.Detail
	}
	source := m.Site
	if source == "" {
		source = "reportmailer"
	}
	payload := map[string]any{
		"summary": truncate(m.Title, pdSummaryMax), "source": source, "severity": pdSeverity(m.Severity),
		"component": m.Scope, "group": m.RuleID, "class": m.Labels["metric"], "custom_details": details,
	}
	if !m.StartsAt.IsZero() {
		payload["timestamp"] = m.StartsAt.UTC().Format(time.RFC3339)
	}
	ev["payload"] = payload
	var links []any
	for _, l := range append(append([]Link{}, m.Links...), m.Actions...) {
		links = append(links, map[string]any{"href": l.URL, "text": l.Text})
	}
	if len(links) > 0 {
		ev["links"] = links
	}
	return ev
}

// pdSeverity maps a rule's severity onto PagerDuty's four.
func pdSeverity(s string) string {
	switch s {
	case "critical", "warning", "info", "error":
		return s
	}
	return "warning"
}

func truncateBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:max]
}
