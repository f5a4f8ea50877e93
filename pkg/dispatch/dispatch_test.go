package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"reportmailer/internal/awstest"
	"reportmailer/pkg/period"
	"reportmailer/pkg/schedule"
)

func TestMain(m *testing.M) { awstest.Main(m) }

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func digests(t *testing.T) Digests {
	loc := london(t)
	ds := []schedule.Entry{
		{ID: "weekly", Period: period.Spec{Kind: period.Week, WeekStart: time.Monday, Location: loc}, Send: schedule.Send{At: "08:00"}},
		{ID: "daily", Period: period.Spec{Kind: period.Day, Location: loc}, Send: schedule.Send{At: "08:00"}},
	}
	return func(context.Context) ([]schedule.Entry, error) { return ds, nil }
}

func TestParseTick(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"scheduledTime":"2026-11-30T08:00:00Z"}`, "2026-11-30T08:00:00Z 15m0s <nil>"},
		{`{"scheduledTime":"2026-11-30T08:00:00Z","every":"1h"}`, "2026-11-30T08:00:00Z 1h0m0s <nil>"},
		{`{"scheduledTime":"yesterday"}`, `event: scheduledTime "yesterday": want RFC 3339, e.g. 2026-11-30T08:00:00Z`},
		{`{"scheduledTime":"2026-11-30T08:00:00Z","every":"1s"}`, `event: every "1s": want a duration from 1m to 24h, e.g. 15m`},
		{`{}`, `event: "scheduledTime" (from <aws.scheduler.scheduled-time>) is required`},
	}
	for _, tc := range cases {
		at, every, err := ParseTick(json.RawMessage(tc.in))
		got := fmt.Sprintf("%s %s %v", at.Format(time.RFC3339), every, err)
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("ParseTick(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// The sample event in events/ is exactly what the template's schedule sends.
func TestSampleEventParses(t *testing.T) {
	raw, err := os.ReadFile("../../events/dispatch.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ParseTick(raw); err != nil {
		t.Fatal(err)
	}
}

// Two digests due at the same tick are queued as two SQS messages whose
// bodies the digest function reads as its event; a retried tick queues the
// same two again (the send log absorbs them).
func TestHandlerQueuesDueDigestsOnSQS(t *testing.T) {
	moto := awstest.Fresh(t)
	ctx := context.Background()
	client := sqs.NewFromConfig(moto.Config(t))
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("digest-jobs")})
	if err != nil {
		t.Fatal(err)
	}
	h := Handler(digests(t), SQS{Client: client, URL: aws.ToString(q.QueueUrl)}, nil)
	// Monday 30 Nov 2026 08:00 GMT: the week of 23 Nov and Sunday 29 Nov.
	tick := json.RawMessage(`{"scheduledTime":"2026-11-30T08:00:00Z","every":"15m"}`)
	resp, err := h(ctx, tick)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(resp.Queued)
	want := "[{daily 2026-11-29 2026-11-29 2026-11-30T08:00:00Z} {weekly 2026-11-23 2026-11-29 2026-11-30T08:00:00Z}]"
	if got != want {
		t.Fatalf("queued %s, want %s", got, want)
	}
	if _, err := h(ctx, tick); err != nil {
		t.Fatal(err)
	}
	// Nothing is due a tick later.
	if resp, err := h(ctx, json.RawMessage(`{"scheduledTime":"2026-11-30T08:15:00Z"}`)); err != nil || len(resp.Queued) != 0 {
		t.Fatalf("next tick queued %v (%v)", resp, err)
	}
	var bodies []string
	for len(bodies) < 4 {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
		}
	}
	if len(bodies) != 4 {
		t.Fatalf("queue holds %d messages, want 4 (two ticks × two digests): %v", len(bodies), bodies)
	}
	var j struct{ Digest, PeriodStart string }
	if err := json.Unmarshal([]byte(bodies[0]), &j); err != nil || j.Digest == "" || j.PeriodStart == "" {
		t.Fatalf("message body %s does not name digest and periodStart (%v)", bodies[0], err)
	}
}

type failingQueue struct{}

func (failingQueue) Enqueue(context.Context, []Job) error { return fmt.Errorf("queue unavailable") }

// A tick whose jobs cannot be queued fails, so Scheduler retries it.
func TestHandlerFailsWhenQueueFails(t *testing.T) {
	h := Handler(digests(t), failingQueue{}, nil)
	if _, err := h(context.Background(), json.RawMessage(`{"scheduledTime":"2026-11-30T08:00:00Z"}`)); err == nil {
		t.Fatal("want an error when the queue refuses")
	}
}
