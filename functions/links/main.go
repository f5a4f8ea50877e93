// Command links is the links Lambda behind a Function URL: wiring only. It
// loads the signing key, the suppression store, the on-call store and the
// archive bucket at cold start and serves one-click unsubscribe (RFC 8058),
// its confirmation page, archive links, and the alerts' acknowledge and
// silence links through links.Server. If loading fails (the key's secret
// missing, say), each request tries again (links.Lazy), so the container
// recovers without a restart.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"reportmailer/pkg/appenv"
	"reportmailer/pkg/links"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", "links")
	lazy := &links.Lazy{Logger: logger, Load: func(ctx context.Context) (http.Handler, error) {
		l, err := appenv.LoadLinks(ctx, appenv.Options{Logger: logger})
		if err != nil {
			return nil, err
		}
		srv := &links.Server{Signer: l.Signer, Store: l.Store, Logger: logger, OnCall: l.OnCall}
		if l.Archive != nil {
			srv.Archive = l.Archive
		}
		return srv, nil
	}}
	if _, err := lazy.Ready(context.Background()); err != nil {
		// Requests get a 503 page and try again; the cause reaches the logs.
		logger.Error("start-up failed", "error", err.Error())
	}
	lambda.Start(links.FunctionURL(lazy))
}
