// Command alert is the alert Lambda: wiring only. It loads the
// configuration (which compiles the rules) and builds the clients once per
// cold start; alert.Handler evaluates every rule on each scheduled event.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"reportmailer/pkg/alert"
	"reportmailer/pkg/appenv"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", "alert")
	ev, err := setup(logger)
	if err != nil {
		// Report the start-up error on every invocation, so it reaches the
		// logs, the retry policy and the failure destination.
		logger.Error("start-up failed", "error", err.Error())
		lambda.Start(func(context.Context, json.RawMessage) (any, error) { return nil, err })
		return
	}
	lambda.Start(alert.Handler(ev))
}

func setup(logger *slog.Logger) (*alert.Evaluator, error) {
	app, err := appenv.Load(context.Background(), appenv.Options{Logger: logger, NeedSender: true})
	if err != nil {
		return nil, err
	}
	return app.AlertEvaluator(true)
}
