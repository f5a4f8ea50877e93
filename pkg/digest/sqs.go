package digest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
)

// Handle runs one digest event (Handler's signature).
type Handle func(context.Context, json.RawMessage) (*Response, error)

// Consume makes the digest function the queue's consumer: an SQS event
// runs each record's job and returns an events.SQSEventResponse naming the
// records that failed, so SQS redelivers only those (the event source
// mapping's ReportBatchItemFailures; after the queue's maxReceiveCount they
// go to the dead-letter queue); any other event is a
// direct invocation (a back-fill, `sam local invoke`) and runs as before.
// A redelivered job is harmless: the send log (skipIfSent) ends it
// before any fetch.
func Consume(handle func(context.Context) (Handle, error), logger *slog.Logger) func(context.Context, json.RawMessage) (any, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		h, err := handle(ctx)
		if err != nil {
			return nil, err
		}
		ev, ok := sqsEvent(raw)
		if !ok {
			return h(ctx, raw)
		}
		resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
		for _, r := range ev.Records {
			out, err := h(ctx, json.RawMessage(r.Body))
			if err != nil {
				// Handler has logged the error with the digest and period.
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
				continue
			}
			logger.Info("job done", "messageId", r.MessageId, "digest", out.Digest, "period", out.Period,
				"alreadySent", out.AlreadySent, "messages", len(out.Messages))
		}
		if n := len(resp.BatchItemFailures); n > 0 && n == len(ev.Records) {
			// Every job failed (with batch size 1: the one job). Failing
			// the invocation redelivers the same jobs and is what the
			// function's Errors metric, and so the errors alarm, counts.
			return resp, fmt.Errorf("%d of %d queued jobs failed", n, len(ev.Records))
		}
		return resp, nil
	}
}

// sqsEvent says whether raw is an SQS event, and decodes it.
func sqsEvent(raw json.RawMessage) (events.SQSEvent, bool) {
	var ev events.SQSEvent
	if json.Unmarshal(raw, &ev) != nil || len(ev.Records) == 0 {
		return ev, false
	}
	for _, r := range ev.Records {
		if r.EventSource != "aws:sqs" {
			return ev, false
		}
	}
	return ev, true
}
