package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// dispatchQueue creates the digest job queue in moto for a local
// dispatcher run, and returns the function's environment and what prints
// the jobs the run queued.
func dispatchQueue(ctx context.Context, cfg aws.Config) (env []string, show func() error, err error) {
	client := sqs.NewFromConfig(cfg)
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("reportmailer-digest-jobs")})
	if err != nil {
		return nil, nil, fmt.Errorf("sqs queue: %w", err)
	}
	show = func() error {
		var n int
		for {
			out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
			if err != nil {
				return err
			}
			if len(out.Messages) == 0 {
				fmt.Printf("%d job(s) queued for the digest function (SQS, moto_server)\n", n)
				return nil
			}
			for _, m := range out.Messages {
				n++
				fmt.Printf("  job %s\n", aws.ToString(m.Body))
			}
		}
	}
	return []string{"DIGEST_QUEUE_URL=" + aws.ToString(q.QueueUrl)}, show, nil
}
