package dispatch_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"reportmailer/internal/awstest"
	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/appenv/digestdeps"
	"reportmailer/pkg/digest"
	"reportmailer/pkg/dispatch"
	"reportmailer/pkg/schedule"
	"reportmailer/pkg/sendlog"
)

const twoDigests = `
comm100: {siteID: "10000", maxAttempts: 2}
mail: {from: "Chat reports <reports@example.com>"}
digests:
  - {id: weekly, period: week, timezone: Europe/London, send: {at: "08:00"}, to: [managers@example.com], formats: [html],
     reports: [{report: chatVolume, group: day}]}
  - {id: daily, period: day, timezone: Europe/London, send: {at: "08:00"}, to: [sales@example.com], formats: [html],
     reports: [{report: chatVolume, group: hour}]}
  - {id: later, period: day, timezone: Europe/London, send: {at: "09:00"}, to: [later@example.com], formats: [html],
     reports: [{report: chatVolume, group: hour}]}
`

// The whole path of one tick, against moto (SQS, DynamoDB, SES v2) and the
// simulator: the dispatcher queues the two digests due at 08:00, the digest
// function consumes each message and mails it once; a duplicated SQS
// delivery and a retried tick send nothing more.
func TestTickToMailEndToEnd(t *testing.T) {
	moto := awstest.Fresh(t)
	ctx := context.Background()
	cfg := moto.Config(t)
	if _, err := sesv2.NewFromConfig(cfg).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("reports@example.com")}); err != nil {
		t.Fatal(err)
	}
	if err := sendlog.CreateTable(ctx, dynamodb.NewFromConfig(cfg), "reportmailer"); err != nil {
		t.Fatal(err)
	}
	sqsClient := sqs.NewFromConfig(cfg)
	q, err := sqsClient.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("digest-jobs")})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(comm100sim.New(comm100sim.Options{Seed: 3}))
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(twoDigests), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := comm100sim.ClientEnv(srv.URL)
	vars["CONFIG_FILE"], vars["TABLE_NAME"] = path, "reportmailer"
	for _, kv := range moto.Env() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
		t.Setenv(k, v) // the SDK reads these itself
	}
	getenv := func(k string) string { return vars[k] }

	// The dispatcher function's wiring (functions/dispatch).
	configs := appenv.ReloadConfig(appenv.Options{Getenv: getenv})
	tick := dispatch.Handler(func(ctx context.Context) ([]schedule.Entry, error) {
		loaded, err := configs.Current(ctx)
		if err != nil {
			return nil, err
		}
		return loaded.Config.Schedules()
	}, dispatch.SQS{Client: sqsClient, URL: aws.ToString(q.QueueUrl)}, nil)
	// The digest function's wiring (functions/digest).
	apps := appenv.ReloadApp(appenv.Options{Getenv: getenv, NeedSender: true, Quota: appenv.DigestQuota(getenv)})
	consume := digest.Consume(func(ctx context.Context) (digest.Handle, error) {
		app, err := apps.Current(ctx)
		if err != nil {
			return nil, err
		}
		return digest.Handler(app.Config, digestdeps.New(app)), nil
	}, nil)

	// Monday 23 Nov 2026, 08:00 GMT: the week of 16 Nov and Sunday 22 Nov
	// are due; "later" (09:00) is not.
	const at = `{"scheduledTime": "2026-11-23T08:00:00Z", "every": "15m"}`
	resp, err := tick(ctx, json.RawMessage(at))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Queued) != 2 {
		t.Fatalf("queued %v, want weekly and daily", resp.Queued)
	}
	// What Lambda's event source mapping does with batch size 1: one
	// record per invocation, deleted when not reported failed.
	var delivered []string
	drain := func() {
		t.Helper()
		for {
			out, err := sqsClient.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Messages) == 0 {
				return
			}
			m := out.Messages[0]
			event := sqsEvent(t, aws.ToString(m.MessageId), aws.ToString(m.Body))
			res, err := consume(ctx, event)
			if err != nil {
				t.Fatal(err)
			}
			if f := res.(events.SQSEventResponse).BatchItemFailures; len(f) != 0 {
				t.Fatalf("job %s failed: %v", aws.ToString(m.Body), f)
			}
			delivered = append(delivered, string(event))
			if _, err := sqsClient.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	drain()
	// One message per digest; moto lists header recipients beside the
	// envelope's, so each message names its recipient.
	sentTo := func() []string {
		var to []string
		for _, m := range moto.SentEmails(t) {
			to = append(to, m.Destinations[0])
		}
		slices.Sort(to)
		return to
	}
	if got := sentTo(); len(delivered) != 2 || !slices.Equal(got, []string{"managers@example.com", "sales@example.com"}) {
		t.Fatalf("after one tick: %d jobs, mail to %v; want each digest mailed once", len(delivered), got)
	}

	// SQS delivers a message again (at-least-once): nothing more is sent.
	res, err := consume(ctx, json.RawMessage(delivered[0]))
	if err != nil || len(res.(events.SQSEventResponse).BatchItemFailures) != 0 {
		t.Fatalf("redelivery: %v %v", res, err)
	}
	// Scheduler retries the tick: the same jobs, absorbed by the send log.
	if _, err := tick(ctx, json.RawMessage(at)); err != nil {
		t.Fatal(err)
	}
	drain()
	if got := sentTo(); len(got) != 2 {
		t.Errorf("after a redelivery and a retried tick: mail to %v, want still 2", got)
	}
}

// A job the digest function cannot run is reported as the batch's failed
// item, so SQS redelivers it and, after maxReceiveCount, dead-letters it.
func TestConsumeReportsFailedItems(t *testing.T) {
	consume := digest.Consume(func(context.Context) (digest.Handle, error) {
		return func(_ context.Context, raw json.RawMessage) (*digest.Response, error) {
			if strings.Contains(string(raw), "broken") {
				return nil, os.ErrInvalid
			}
			return &digest.Response{Digest: "ok"}, nil
		}, nil
	}, nil)
	res, err := consume(context.Background(), sqsEvent(t, "m-1", `{"digest":"broken"}`))
	if err == nil {
		t.Error("a batch whose every job failed returned no error: the errors alarm would not see it")
	}
	if f := res.(events.SQSEventResponse).BatchItemFailures; len(f) != 1 || f[0].ItemIdentifier != "m-1" {
		t.Errorf("failures %v, want m-1", f)
	}
	// In a larger batch, only the failed record is redelivered.
	two := json.RawMessage(`{"Records":[{"messageId":"m-2","eventSource":"aws:sqs","body":"{\"digest\":\"broken\"}"},` +
		`{"messageId":"m-3","eventSource":"aws:sqs","body":"{\"digest\":\"fine\"}"}]}`)
	res, err = consume(context.Background(), two)
	if f := res.(events.SQSEventResponse).BatchItemFailures; err != nil || len(f) != 1 || f[0].ItemIdentifier != "m-2" {
		t.Errorf("mixed batch: failures %v, error %v; want m-2 alone and no error", f, err)
	}
	// A direct invocation (a back-fill) is not an SQS event and runs as is.
	res, err = consume(context.Background(), json.RawMessage(`{"digest":"x","periodStart":"2026-11-16"}`))
	if r, ok := res.(*digest.Response); err != nil || !ok || r.Digest != "ok" {
		t.Errorf("direct event: %v %v", res, err)
	}
}

// sqsEvent is the event Lambda's SQS event source mapping sends.
func sqsEvent(t *testing.T, id, body string) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Records": []map[string]any{{
		"messageId": id, "receiptHandle": "r-" + id, "body": body, "eventSource": "aws:sqs",
		"eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:digest-jobs", "awsRegion": "eu-west-1",
		"attributes": map[string]string{"ApproximateReceiveCount": "1"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
