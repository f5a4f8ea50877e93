// Command links is the links Lambda behind a Function URL: wiring only. It
// loads the signing key, the suppression store and the archive bucket once
// per cold start and serves one-click unsubscribe (RFC 8058), its
// confirmation page, archive links, and the alerts' acknowledge and
// silence links through links.Server.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"reportmailer/pkg/appenv"
	"reportmailer/pkg/links"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", "links")
	l, err := appenv.LoadLinks(context.Background(), appenv.Options{Logger: logger})
	if err != nil {
		// Every request gets a 503 page, and the cause reaches the logs.
		logger.Error("start-up failed", "error", err.Error())
		lambda.Start(func(context.Context, events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
			return events.LambdaFunctionURLResponse{StatusCode: http.StatusServiceUnavailable, Body: "Service unavailable; please try again later.",
				Headers: map[string]string{"Content-Type": "text/plain; charset=utf-8", "Retry-After": "300"}}, nil
		})
		return
	}
	srv := &links.Server{Signer: l.Signer, Store: l.Store, Logger: logger, OnCall: l.OnCall}
	if l.Archive != nil {
		srv.Archive = l.Archive
	}
	lambda.Start(links.FunctionURL(srv))
}
