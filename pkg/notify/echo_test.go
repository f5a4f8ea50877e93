package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"reportmailer/pkg/notify"
)

// TestEchoedURLNeverShowsItsSecret: receivers echo the request URL in
// their error bodies in other forms than the configured string: a query
// token (Teams Workflows' sig=, webhooks' ?token=) after the path, or
// the URL JSON-escaped (PHP's json_encode writes \/). None of them may
// reach the error (and so the log, the state and the CLI's output).
func TestEchoedURLNeverShowsItsSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, path string
		echo       func(u string) string
	}{
		{"query token after the path", "/alerts?token=SECRETQUERYTOKEN", func(string) string {
			return "Cannot POST /alerts?token=SECRETQUERYTOKEN"
		}},
		{"teams sig", "/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SECRETSIGNATURE", func(string) string {
			return `{"error":{"message":"bad request for sig=SECRETSIGNATURE"}}`
		}},
		{"cut inside the secret", "/services/T000/B000/SECRETSLACKTOKEN", func(u string) string {
			// 200 characters are kept: the cut falls after SECRETSL.
			return strings.Repeat("x", 200-(len(u)-8)) + u
		}},
		{"JSON-escaped URL", "/services/T000/B000/SECRETSLACKTOKEN", func(u string) string {
			return `{"error":"unknown hook","url":"` + strings.ReplaceAll(u, "/", `\/`) + `"}`
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var full string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(tc.echo(full)))
			}))
			defer srv.Close()
			full = srv.URL + tc.path
			err := build(t, "webhook", full).Send(context.Background(), message(notify.Firing))
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range []string{"SECRETQUERYTOKEN", "SECRETSIGNATURE", "SECRETSL"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("the error shows the secret %s: %v", s, err)
				}
			}
		})
	}
}
