package functions_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"reportmailer/internal/lambdalocal"
)

func TestDispatchToDigestThroughTheQueue(t *testing.T) {
	forEachArch(t, testDispatchToDigestThroughTheQueue)
}

// The dispatcher binary, given events/dispatch.json (Monday 30 Nov 2026,
// 08:00 GMT), queues the example's weekly digest on SQS; the digest binary,
// given that message as Lambda's SQS event, mails it, and the same
// delivery again sends nothing more.
func testDispatchToDigestThroughTheQueue(t *testing.T, arch lambdalocal.Arch) {
	f := setup(t)
	ctx := context.Background()
	client := sqs.NewFromConfig(f.moto.Config(t))
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("digest-jobs")})
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(f.root, "reportmailer.example.yaml")
	f.env = append(f.env, "DIGEST_QUEUE_URL="+aws.ToString(q.QueueUrl), "DIGEST_CONSUMERS=2")
	body, _, err := f.start(t, arch, "dispatch", config).Invoke(ctx, event(t, f.root, "dispatch.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ticked struct {
		Queued []struct{ Digest, PeriodStart string } `json:"queued"`
	}
	if err := json.Unmarshal(body, &ticked); err != nil || len(ticked.Queued) != 1 || ticked.Queued[0].Digest != "weekly-managers" || ticked.Queued[0].PeriodStart != "2026-11-23" {
		t.Fatalf("dispatch response %s (%v)", body, err)
	}
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("queue holds %v (%v), want the one job", out, err)
	}
	m := out.Messages[0]
	sqsEvent, _ := json.Marshal(map[string]any{"Records": []map[string]any{{
		"messageId": aws.ToString(m.MessageId), "receiptHandle": aws.ToString(m.ReceiptHandle), "body": aws.ToString(m.Body),
		"eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:digest-jobs", "awsRegion": "eu-west-1",
	}}})
	digest := f.start(t, arch, "digest", config)
	for i := range 2 {
		body, _, err := digest.Invoke(ctx, sqsEvent)
		if err != nil {
			t.Fatal(err)
		}
		var resp struct {
			Failures []any `json:"batchItemFailures"`
		}
		if err := json.Unmarshal(body, &resp); err != nil || resp.Failures == nil || len(resp.Failures) != 0 {
			t.Fatalf("delivery %d: response %s (%v), want no batch item failures", i+1, body, err)
		}
		if n := len(f.moto.SentEmails(t)); n != 1 {
			t.Fatalf("after delivery %d: %d emails, want 1", i+1, n)
		}
	}
}
