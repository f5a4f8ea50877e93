package notify

import "context"

// Teams posts to a Microsoft Teams Workflows webhook ("When a Teams
// webhook request is received"), which accepts Adaptive Cards only: the
// retired Office 365 connectors' MessageCard is refused.
// https://adaptivecards.io/explorer/ (schema 1.4)
type Teams struct{ hook }

// Name implements Receiver.
func (t *Teams) Name() string { return t.name }

// Kind implements Receiver.
func (t *Teams) Kind() string { return "teams" }

// Send implements Receiver.
func (t *Teams) Send(ctx context.Context, m Message) error {
	return post(ctx, t.client, string(t.url), TeamsPayload(m), t.name, t.Kind())
}

// TeamsPayload wraps an Adaptive Card 1.4 in the message a Workflows
// webhook takes.
func TeamsPayload(m Message) map[string]any {
	color := "Warning"
	switch {
	case m.Event == Resolved:
		color = "Good"
	case m.Severity == "critical":
		color = "Attention"
	case m.Severity == "info":
		color = "Accent"
	}
	body := []any{
		map[string]any{"type": "TextBlock", "text": m.Title, "weight": "Bolder", "size": "Medium", "color": color, "wrap": true},
		map[string]any{"type": "TextBlock", "text": m.Headline, "wrap": true},
	}
	if m.Detail != "" {
		body = append(body, map[string]any{"type": "TextBlock", "text": m.Detail, "wrap": true, "isSubtle": true})
	}
	if len(m.Facts) > 0 {
		var facts []any
		for _, f := range m.Facts {
			facts = append(facts, map[string]any{"title": f.Title, "value": f.Value})
		}
		body = append(body, map[string]any{"type": "FactSet", "facts": facts})
	}
	card := map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard", "version": "1.4", "body": body,
	}
	var actions []any
	for _, a := range append(append([]Link{}, m.Actions...), m.Links...) {
		actions = append(actions, map[string]any{"type": "Action.OpenUrl", "title": a.Text, "url": a.URL})
	}
	if len(actions) > 0 {
		card["actions"] = actions
	}
	return map[string]any{"type": "message", "attachments": []any{
		map[string]any{"contentType": "application/vnd.microsoft.card.adaptive", "content": card},
	}}
}
