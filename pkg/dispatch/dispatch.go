// Package dispatch is the scheduler's tick: it finds the digest sends due
// at the tick's scheduled time and queues one job per (digest, period) for
// the digest function. It never reads the clock and never fetches a
// report, so a retried tick queues the same jobs again and the digest
// function's send log turns the repeats into no-ops.
package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"reportmailer/pkg/schedule"
)

// DefaultEvery is the tick interval when the event does not say: 15
// minutes, so that +05:30 and +05:45 zones' send times fall on a tick.
const DefaultEvery = 15 * time.Minute

// Tick is the dispatcher's event, EventBridge Scheduler's Input:
//
//	{"scheduledTime": "<aws.scheduler.scheduled-time>", "every": "15m"}
type Tick struct {
	ScheduledTime string `json:"scheduledTime"`
	Every         string `json:"every,omitempty"`
}

// ParseTick reads a tick event.
func ParseTick(raw json.RawMessage) (at time.Time, every time.Duration, err error) {
	var t Tick
	if err := json.Unmarshal(raw, &t); err != nil {
		return at, every, fmt.Errorf("event: not a JSON object: %w", err)
	}
	at, every, err = t.Parse()
	if err != nil {
		return at, every, fmt.Errorf("event: %w", err)
	}
	return at, every, nil
}

// Parse checks a tick: its scheduled time and its interval (default
// DefaultEvery, at least a minute, at most a day). The Lambda's event and
// the CLI's flags both go through it.
func (t Tick) Parse() (at time.Time, every time.Duration, err error) {
	if t.ScheduledTime == "" {
		return at, every, errors.New(`"scheduledTime" (from <aws.scheduler.scheduled-time>) is required`)
	}
	if at, err = time.Parse(time.RFC3339, t.ScheduledTime); err != nil {
		return at, every, fmt.Errorf("scheduledTime %q: want RFC 3339, e.g. 2026-11-30T08:00:00Z", t.ScheduledTime)
	}
	every = DefaultEvery
	if t.Every != "" {
		if every, err = time.ParseDuration(t.Every); err != nil || every < time.Minute || every > 24*time.Hour {
			return at, every, fmt.Errorf("every %q: want a duration from 1m to 24h, e.g. 15m", t.Every)
		}
	}
	return at, every, nil
}

// Job is one digest period to send; the digest function reads it as its
// event ({"digest", "periodStart"} name the period exactly).
type Job struct {
	Digest      string `json:"digest"`
	PeriodStart string `json:"periodStart"`
	PeriodEnd   string `json:"periodEnd"`
	SendAt      string `json:"sendAt"`
}

// JobOf turns a planned send into a job.
func JobOf(p schedule.Planned) Job {
	return Job{Digest: p.Digest, PeriodStart: p.Period.Key(), PeriodEnd: p.Period.LastDay(), SendAt: p.SendAt.UTC().Format(time.RFC3339)}
}

// Queue takes jobs for the digest function.
type Queue interface {
	Enqueue(ctx context.Context, jobs []Job) error
}

// SQSAPI is the part of the SQS client the queue uses.
type SQSAPI interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// SQS queues jobs on an SQS queue, ten to a batch (the API's limit).
type SQS struct {
	Client SQSAPI
	URL    string
}

// Enqueue sends every job; a job SQS refused makes the whole call fail, so
// Scheduler retries the tick (the jobs that did go through are absorbed
// by the send log).
func (q SQS) Enqueue(ctx context.Context, jobs []Job) error {
	for start := 0; start < len(jobs); start += 10 {
		batch := jobs[start:min(start+10, len(jobs))]
		in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.URL)}
		for i, j := range batch {
			body, _ := json.Marshal(j)
			in.Entries = append(in.Entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(body))})
		}
		out, err := q.Client.SendMessageBatch(ctx, in)
		if err != nil {
			return fmt.Errorf("queue %d jobs: %w", len(batch), err)
		}
		if len(out.Failed) > 0 {
			f := out.Failed[0]
			return fmt.Errorf("queue: %d of %d jobs refused (first: %s %s)", len(out.Failed), len(batch), aws.ToString(f.Code), aws.ToString(f.Message))
		}
	}
	return nil
}

// Response is what the dispatcher Lambda returns (and logs).
type Response struct {
	ScheduledTime string `json:"scheduledTime"`
	Every         string `json:"every"`
	Queued        []Job  `json:"queued"`
}

// Digests returns the schedules of the configured digests; it is called on
// every tick so that a changed config applies at the next tick.
type Digests func(ctx context.Context) ([]schedule.Entry, error)

// Handler is the dispatcher Lambda's handler.
func Handler(digests Digests, q Queue, logger *slog.Logger) func(context.Context, json.RawMessage) (*Response, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return func(ctx context.Context, raw json.RawMessage) (*Response, error) {
		at, every, err := ParseTick(raw)
		if err != nil {
			logger.Error("bad event", "error", err.Error())
			return nil, err
		}
		ds, err := digests(ctx)
		if err != nil {
			logger.Error("config", "error", err.Error())
			return nil, err
		}
		resp := &Response{ScheduledTime: at.UTC().Format(time.RFC3339), Every: every.String(), Queued: []Job{}}
		for _, p := range schedule.Due(ds, at, every) {
			resp.Queued = append(resp.Queued, JobOf(p))
		}
		if len(resp.Queued) == 0 {
			return resp, nil
		}
		if err := q.Enqueue(ctx, resp.Queued); err != nil {
			logger.Error("dispatch failed", "scheduledTime", resp.ScheduledTime, "error", err.Error())
			return nil, err
		}
		for _, j := range resp.Queued {
			logger.Info("queued", "digest", j.Digest, "period", j.PeriodStart+"/"+j.PeriodEnd, "sendAt", j.SendAt)
		}
		return resp, nil
	}
}
