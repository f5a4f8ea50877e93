package digest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"reportmailer/pkg/config"
)

// Event is what the digest Lambda receives. EventBridge Scheduler delivers
// the template's Input as is, with placeholders filled:
//
//	{"digest": "weekly-managers", "scheduledTime": "<aws.scheduler.scheduled-time>"}
//
// A back-fill names the period instead: {"digest": "weekly-managers", "periodStart": "2026-11-16"}.
// A schedule without Input sends the default event, whose "time" is used.
type Event struct {
	Digest        string `json:"digest"`
	ScheduledTime string `json:"scheduledTime"`
	PeriodStart   string `json:"periodStart"`
	// Time is the default scheduled event's time.
	Time string `json:"time"`
}

// Response is what the Lambda returns (and logs).
type Response struct {
	Digest      string `json:"digest"`
	Period      string `json:"period"`
	AlreadySent bool   `json:"alreadySent,omitempty"`
	// Suppressed counts the recipients left out because they unsubscribed.
	Suppressed    int            `json:"suppressed,omitempty"`
	FailedReports []string       `json:"failedReports,omitempty"`
	Messages      []SentResponse `json:"messages,omitempty"`
}

// SentResponse is one message's outcome.
type SentResponse struct {
	Key string `json:"key"`
	// ProviderID is the id SES gave the message (Message.ProviderID), not
	// its Message-ID header; the wire name "messageId" is SES's own.
	ProviderID string `json:"messageId,omitempty"`
	Skipped    string `json:"skipped,omitempty"`
	// Outcome is "sent", "failed" (rejected for good, not retried) or
	// "unknown" (may have gone out; not resent), with the reason.
	Outcome    string `json:"outcome,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Recipients int    `json:"recipients"`
}

// ParseEvent turns an event into a Request. The period comes from the
// schedule's time or periodStart, never from the clock: a retry hours
// later mails the same period.
func ParseEvent(raw json.RawMessage, cfg *config.Config) (Request, error) {
	var e Event
	if err := json.Unmarshal(raw, &e); err != nil {
		return Request{}, fmt.Errorf("event: not a JSON object: %w", err)
	}
	req := Request{DigestID: e.Digest, PeriodStart: e.PeriodStart, Send: true}
	if req.DigestID == "" {
		if len(cfg.Digests) != 1 {
			return Request{}, fmt.Errorf(`event: "digest" is required (configured: %s)`, digestIDs(cfg))
		}
		req.DigestID = cfg.Digests[0].ID
	}
	if req.PeriodStart != "" {
		return req, nil
	}
	when := e.ScheduledTime
	if when == "" {
		when = e.Time
	}
	if when == "" {
		return Request{}, fmt.Errorf(`event: "scheduledTime" (from <aws.scheduler.scheduled-time>) or "periodStart" (YYYY-MM-DD) is required`)
	}
	at, err := time.Parse(time.RFC3339, when)
	if err != nil {
		return Request{}, fmt.Errorf("event: scheduledTime %q: want RFC 3339, e.g. 2026-11-23T08:00:00Z", when)
	}
	req.At = at
	return req, nil
}

func digestIDs(cfg *config.Config) string {
	var ids []string
	for _, d := range cfg.Digests {
		ids = append(ids, d.ID)
	}
	return strings.Join(ids, ", ")
}

// Handler is the digest Lambda's handler.
func Handler(cfg *config.Config, deps Deps) func(context.Context, json.RawMessage) (*Response, error) {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	return func(ctx context.Context, raw json.RawMessage) (*Response, error) {
		req, err := ParseEvent(raw, cfg)
		if err != nil {
			deps.Logger.Error("bad event", "error", err.Error())
			return nil, err
		}
		res, err := Run(ctx, cfg, deps, req)
		if res == nil {
			return nil, err
		}
		resp := &Response{Digest: req.DigestID, Period: res.Period.Key() + "/" + res.Period.LastDay(), AlreadySent: res.AlreadySent,
			Suppressed: res.Suppressed, FailedReports: res.Failed}
		for _, m := range res.Messages {
			resp.Messages = append(resp.Messages, SentResponse{Key: m.Key, ProviderID: m.ProviderID, Skipped: m.Skipped,
				Outcome: m.Outcome, Reason: m.Reason, Recipients: len(m.Recipients)})
		}
		if err != nil {
			deps.Logger.Error("digest failed", "digest", req.DigestID, "error", err.Error())
		}
		return resp, err
	}
}
