// Command alert is the alert Lambda: wiring only. It loads the
// configuration (which compiles the rules) and builds the clients at cold
// start, rebuilds them when the configuration's source changes
// (appenv.Reloader), and alert.Handler evaluates every rule on each
// scheduled event.
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

	"reportmailer/pkg/alert"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/reports"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", "alert")
	// One alert process (reserved concurrency 1) with its fixed share.
	apps := appenv.ReloadApp(appenv.Options{Logger: logger, NeedSender: true, NeedReceivers: true, Quota: reports.AlertQuota})
	var (
		built   *appenv.App
		handler func(context.Context, json.RawMessage) (*alert.Response, error)
	)
	current := func(ctx context.Context) (func(context.Context, json.RawMessage) (*alert.Response, error), error) {
		app, err := apps.Current(ctx)
		if err != nil {
			return nil, err
		}
		if app != built { // a new configuration: new rules
			ev, err := app.AlertEvaluator(true)
			if err != nil {
				return nil, err
			}
			built, handler = app, alert.Handler(ev)
		}
		return handler, nil
	}
	if _, err := current(context.Background()); err != nil {
		// Every invocation tries again and reports the error, so it reaches
		// the logs and the errors alarm.
		logger.Error("start-up failed", "error", err.Error())
	}
	lambda.Start(func(ctx context.Context, raw json.RawMessage) (*alert.Response, error) {
		h, err := current(ctx)
		if err != nil {
			return nil, err
		}
		return h(ctx, raw)
	})
}
