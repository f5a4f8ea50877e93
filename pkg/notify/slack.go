package notify

import (
	"context"
	"strings"
	"unicode/utf8"
)

// Slack posts to a Slack incoming webhook: a Block Kit message (header,
// the headline and facts, the links, the acknowledge and silence buttons)
// with a plain-text fallback for notifications.
// https://api.slack.com/messaging/webhooks, https://api.slack.com/reference/block-kit/blocks
type Slack struct{ hook }

// Name implements Receiver.
func (s *Slack) Name() string { return s.name }

// Kind implements Receiver.
func (s *Slack) Kind() string { return "slack" }

// Send implements Receiver. Slack answers 200 "ok", or a 4xx code such as
// 404 no_service (a revoked webhook) or 400 invalid_payload.
func (s *Slack) Send(ctx context.Context, m Message) error {
	return post(ctx, s.client, string(s.url), SlackPayload(m), s.name, s.Kind())
}

// Block Kit limits (characters).
const (
	slackHeaderMax = 150
	slackTextMax   = 3000
	slackFieldMax  = 2000
	slackButtonMax = 75
	slackFieldsMax = 10
)

// SlackPayload lays a message out in Block Kit.
func SlackPayload(m Message) map[string]any {
	blocks := []any{
		map[string]any{"type": "header", "text": plain(m.Title, slackHeaderMax)},
	}
	text := "*" + mrkdwn(m.Headline) + "*"
	if m.Detail != "" {
		text += "\n" + mrkdwn(m.Detail)
	}
	section := map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": truncate(text, slackTextMax)}}
	var fields []any
	for _, f := range m.Facts {
		if len(fields) == slackFieldsMax {
			break
		}
		fields = append(fields, map[string]any{"type": "mrkdwn", "text": truncate("*"+mrkdwn(f.Title)+"*\n"+mrkdwn(f.Value), slackFieldMax)})
	}
	if len(fields) > 0 {
		section["fields"] = fields
	}
	blocks = append(blocks, section)
	if len(m.Actions) > 0 || len(m.Links) > 0 {
		var buttons []any
		for i, a := range append(append([]Link{}, m.Actions...), m.Links...) {
			b := map[string]any{"type": "button", "text": plain(a.Text, slackButtonMax), "url": a.URL}
			if i == 0 && len(m.Actions) > 0 {
				b["style"] = "primary"
			}
			buttons = append(buttons, b)
		}
		blocks = append(blocks, map[string]any{"type": "actions", "elements": buttons})
	}
	ctx := "Rule `" + mrkdwn(m.RuleID) + "`"
	if m.Site != "" {
		ctx = mrkdwn(m.Site) + " · " + ctx
	}
	blocks = append(blocks, map[string]any{"type": "context", "elements": []any{map[string]any{"type": "mrkdwn", "text": ctx}}})
	return map[string]any{"text": truncate(m.Title, slackTextMax), "blocks": blocks}
}

func plain(s string, max int) map[string]any {
	return map[string]any{"type": "plain_text", "text": truncate(s, max), "emoji": true}
}

// mrkdwn escapes the three characters Slack's mrkdwn reserves.
func mrkdwn(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// truncate cuts s to at most max characters (runes), ending in "…".
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}
