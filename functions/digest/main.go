// Command digest is the digest Lambda: wiring only. It loads the
// configuration and AWS clients once per cold start and hands each
// scheduled event to digest.Handler.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"reportmailer/pkg/appenv"
	"reportmailer/pkg/appenv/digestdeps"
	"reportmailer/pkg/digest"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", "digest")
	app, err := appenv.Load(context.Background(), appenv.Options{Logger: logger, NeedSender: true})
	if err != nil {
		// Report the start-up error on every invocation, so it reaches the
		// logs, the retry policy and the failure destination.
		logger.Error("start-up failed", "error", err.Error())
		lambda.Start(func(context.Context, json.RawMessage) (any, error) { return nil, err })
		return
	}
	lambda.Start(digest.Handler(app.Config, digestdeps.New(app)))
}
