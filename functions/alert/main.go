// Command alert is the alert Lambda: wiring only. It compiles the rules and
// builds the clients once per cold start; alert.Handler evaluates every rule
// on each scheduled event.
package main

import (
	"context"
	"encoding/json"
	"errors"
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
	if app.DynamoDB == nil {
		return nil, errors.New("TABLE_NAME is required: alert state must persist between invocations")
	}
	return alert.New(app.Config, app.Reports, alert.DynamoStates{Client: app.DynamoDB, Table: app.Table}, app.Sender, logger)
}
