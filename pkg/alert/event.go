package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Event is what the alert Lambda receives every minute: the schedule's
// Input {"scheduledTime": "<aws.scheduler.scheduled-time>"}, or the
// default scheduled event with its "time".
type Event struct {
	ScheduledTime string `json:"scheduledTime"`
	Time          string `json:"time"`
}

// Response summarises an evaluation.
type Response struct {
	At            string   `json:"at"`
	FetchError    string   `json:"fetchError,omitempty"`
	Notifications int      `json:"notifications"`
	Emails        []string `json:"emails,omitempty"` // subjects
	// Deliveries are the receivers' deliveries: "pager trigger: delivered".
	Deliveries []string `json:"deliveries,omitempty"`
}

// ParseEvent reads the evaluation time. Alerts are about now, so an event
// without a time (a manual test invoke) uses the clock.
func ParseEvent(raw json.RawMessage, clock func() time.Time) (time.Time, error) {
	var e Event
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &e); err != nil {
			return time.Time{}, fmt.Errorf("event: not a JSON object: %w", err)
		}
	}
	when := e.ScheduledTime
	if when == "" {
		when = e.Time
	}
	if when == "" {
		return clock(), nil
	}
	t, err := time.Parse(time.RFC3339, when)
	if err != nil {
		return time.Time{}, fmt.Errorf("event: scheduledTime %q: want RFC 3339", when)
	}
	return t, nil
}

// Handler is the alert Lambda's handler.
func Handler(ev *Evaluator) func(context.Context, json.RawMessage) (*Response, error) {
	if ev.Logger == nil {
		ev.Logger = slog.New(slog.DiscardHandler)
	}
	return func(ctx context.Context, raw json.RawMessage) (*Response, error) {
		at, err := ParseEvent(raw, time.Now)
		if err != nil {
			return nil, err
		}
		out, err := ev.Evaluate(ctx, at)
		resp := &Response{At: at.UTC().Format(time.RFC3339)}
		if out != nil {
			resp.Notifications = len(out.Notifications)
			if out.FetchError != nil {
				resp.FetchError = out.FetchError.Error()
			}
			for _, d := range out.Deliveries {
				resp.Deliveries = append(resp.Deliveries, d.String())
			}
			for _, em := range out.Emails {
				resp.Emails = append(resp.Emails, em.Subject)
				if em.Err != nil && err == nil {
					err = fmt.Errorf("alert mail %q: %w", em.Subject, em.Err)
				}
			}
		}
		return resp, err
	}
}
