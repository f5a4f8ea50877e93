// Command digest is the digest Lambda: wiring only. It consumes the
// dispatcher's queue (one job per record) and still takes a direct event
// for back-fills. The configuration and clients are built at cold start
// and rebuilt when the configuration's source changes (appenv.Reloader).
package main

import (
	"context"
	"log/slog"
	"os"
	// provided.al2023 has shipped without zoneinfo (aws-lambda-dotnet#1620);
	// with it embedded, the configured timezones load whatever the image holds.
	_ "time/tzdata"

	"github.com/aws/aws-lambda-go/lambda"

	"reportmailer/internal/gctune"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/appenv/digestdeps"
	"reportmailer/pkg/digest"
)

func main() {
	gctune.Apply(gctune.For(os.Getenv))
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", "digest")
	apps := appenv.ReloadApp(appenv.Options{Logger: logger, NeedSender: true, Quota: appenv.DigestQuota(os.Getenv)})
	if _, err := apps.Current(context.Background()); err != nil {
		// Every invocation tries again and reports the error, so it reaches
		// the logs, the retry policy and the dead-letter queue.
		logger.Error("start-up failed", "error", err.Error())
	}
	lambda.Start(digest.Consume(func(ctx context.Context) (digest.Handle, error) {
		app, err := apps.Current(ctx)
		if err != nil {
			return nil, err
		}
		return digest.Handler(app.Config, digestdeps.New(app)), nil
	}, logger))
}
