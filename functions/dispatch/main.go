// Command dispatch is the dispatcher Lambda: wiring only. Every tick of
// its one schedule it reads the digests' schedules from the current
// configuration (re-checked each invocation) and queues the due
// (digest, period) jobs on the digest function's queue.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	// provided.al2023 has shipped without zoneinfo (aws-lambda-dotnet#1620);
	// with it embedded, the configured timezones load whatever the image holds.
	_ "time/tzdata"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"reportmailer/pkg/appenv"
	"reportmailer/pkg/dispatch"
	"reportmailer/pkg/schedule"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", "dispatch")
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("start-up failed", "error", err.Error())
		lambda.Start(func(context.Context, json.RawMessage) (any, error) { return nil, err })
		return
	}
	configs := appenv.ReloadConfig(appenv.Options{Logger: logger})
	digests := func(ctx context.Context) ([]schedule.Entry, error) {
		loaded, err := configs.Current(ctx)
		if err != nil {
			return nil, err
		}
		return loaded.Config.Schedules()
	}
	queue := dispatch.SQS{Client: sqs.NewFromConfig(awsCfg), URL: os.Getenv("DIGEST_QUEUE_URL")}
	lambda.Start(dispatch.Handler(digests, queue, logger))
}
