package reports_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"testing"
	"time"

	"reportmailer/pkg/reports"
)

const (
	testEmail = "ops@example.com"
	testKey   = "k3y-Hunter2-0123456789abcdef"
)

// leaks returns the first spelling of the test credentials found in s.
func leaks(s string) string {
	basic := base64.StdEncoding.EncodeToString([]byte(testEmail + ":" + testKey))
	for _, f := range []string{testKey, basic, testEmail + ":" + testKey, "Hunter2"} {
		if strings.Contains(s, f) {
			return f
		}
	}
	return ""
}

// echoServer answers every request with status and a body that repeats
// the request, shaped by echo, the way a misbehaving proxy or API does.
func echoServer(t *testing.T, status int, echo func(r *http.Request) string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		fmt.Fprint(w, echo(r))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestEchoingUpstreamLeaksNothing(t *testing.T) {
	t.Parallel()
	dump := func(r *http.Request) string {
		b, _ := httputil.DumpRequest(r, false)
		return "you sent:\n" + string(b)
	}
	cases := []struct {
		name   string
		status int
		echo   func(r *http.Request) string
	}{
		{"raw request dump", 400, dump},
		{"raw request dump, retried 5xx", 502, dump},
		{"JSON of the headers", 401, func(r *http.Request) string {
			b, _ := json.Marshal(map[string]any{"error": "denied", "headers": r.Header})
			return string(b)
		}},
		{"credential straddles the 512-byte cut", 400, func(r *http.Request) string {
			return strings.Repeat("x", 500) + " " + r.Header.Get("Authorization")
		}},
		{"decoded user and key", 400, func(r *http.Request) string {
			user, pass, _ := r.BasicAuth()
			return fmt.Sprintf(`{"message":"bad login for %s with %s"}`, user, pass)
		}},
		{"key JSON-escaped", 400, func(r *http.Request) string {
			_, pass, _ := r.BasicAuth()
			b, _ := json.Marshal(pass)
			return `{"key":` + string(b) + `}`
		}},
		{"header in lower case, another scheme word", 400, func(r *http.Request) string {
			return "authorization=" + strings.ToLower(r.Header.Get("Authorization"))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			c := reports.New(
				reports.WithBaseURL(echoServer(t, tc.status, tc.echo)),
				reports.WithAuth(reports.APIKey{SiteID: "10000", Email: testEmail, Key: testKey}),
				reports.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
				reports.WithSleeper(func(context.Context, time.Duration) error { return nil }),
			)
			_, err := c.Visits(context.Background(), week(reports.GroupDay))
			var apiErr *reports.APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tc.status {
				t.Fatalf("err = %v, want an APIError %d", err, tc.status)
			}
			if apiErr.Body == "" {
				t.Errorf("body dropped altogether; want it kept, redacted")
			}
			if len(apiErr.Body) > 520 {
				t.Errorf("body is %d bytes, want at most 512 and an ellipsis", len(apiErr.Body))
			}
			for where, text := range map[string]string{"error": err.Error(), "logs": logs.String()} {
				if f := leaks(text); f != "" {
					t.Errorf("%s leaks %q:\n%s", where, f, text)
				}
			}
		})
	}
	t.Run("bearer token", func(t *testing.T) {
		t.Parallel()
		token := "eyJhbGciOiJIUzI1NiJ9.payload.signature"
		c := reports.New(
			reports.WithBaseURL(echoServer(t, 400, dump)),
			reports.WithAuth(reports.BearerToken{SiteID: "10000", Token: reports.Secret(token)}),
		)
		_, err := c.Visits(context.Background(), week(reports.GroupDay))
		if err == nil || strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "payload.signature") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("an ordinary error body is kept", func(t *testing.T) {
		t.Parallel()
		c := reports.New(reports.WithBaseURL(echoServer(t, 400, func(*http.Request) string {
			return `{"message":"timeFrom must be before timeTo"}`
		})))
		_, err := c.Visits(context.Background(), week(reports.GroupDay))
		if err == nil || !strings.Contains(err.Error(), "timeFrom must be before timeTo") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestEchoedValuesAreCapped feeds megabyte values wherever an error
// repeats its input; every message must stay short.
func TestEchoedValuesAreCapped(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("9", 1<<20)
	const limit = 1024
	check := func(t *testing.T, err error) {
		t.Helper()
		if err == nil {
			t.Fatal("no error")
		}
		if n := len(err.Error()); n > limit {
			t.Errorf("error is %d bytes, want at most %d: %.200s…", n, limit, err)
		}
	}
	t.Run("filter value", func(t *testing.T) {
		q := week(reports.GroupDay)
		q.Filter = &reports.Filter{Name: "nope-" + huge, Value: huge}
		_, err := reports.New(reports.WithBaseURL("http://127.0.0.1:1")).Fetch(context.Background(), "visits", q)
		check(t, err)
	})
	t.Run("report name", func(t *testing.T) {
		_, err := reports.New().Fetch(context.Background(), reports.Name(huge), week(reports.GroupDay))
		check(t, err)
	})
	for _, body := range []struct{ name, json string }{
		{"id that is neither number nor string", `[{"agentId": {"x": "` + huge + `"}}]`},
		{"number too large", `[{"avgChatTime": ` + huge + `e99999}]`},
		{"time", `[{"time": {"from": "` + huge + `"}}]`},
		{"weekday time", `[{"time": {"from": "Mon. ` + huge + `"}}]`},
	} {
		t.Run(body.name, func(t *testing.T) {
			_, err := reports.Decode("agentPerformance", []byte(body.json))
			check(t, err)
		})
	}
	t.Run("timezone", func(t *testing.T) {
		_, err := reports.ParseOffset(huge)
		check(t, err)
	})
}

// TestSecretNeverPrints checks what fmt and slog actually print for the
// credential types, so it fails when any path stops redacting.
func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-s3cret"
	key := reports.APIKey{SiteID: "1", Email: "a@b", Key: secret}
	bearer := reports.BearerToken{SiteID: "1", Token: secret}
	values := map[string]any{
		"Secret": reports.Secret(secret), "*Secret": ptr(reports.Secret(secret)),
		"APIKey": key, "*APIKey": &key, "BearerToken": bearer, "*BearerToken": &bearer,
		"in a map": map[string]any{"auth": key}, "in a slice": []reports.Secret{secret},
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%s", "%+v", "%#v", "%q", "%x", "%d"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, secret) || strings.Contains(out, fmt.Sprintf("%x", secret)) {
				t.Errorf("fmt %s of %s prints the secret: %s", verb, name, out)
			}
		}
		if out := fmt.Sprint(v) + fmt.Sprintln(v); strings.Contains(out, secret) {
			t.Errorf("fmt.Sprint of %s prints the secret: %s", name, out)
		}
		for hname, mk := range map[string]func(*bytes.Buffer) slog.Handler{
			"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var buf bytes.Buffer
			l := slog.New(mk(&buf))
			l.Info("msg", "v", v)
			l.With("w", v).Info("msg", slog.Group("g", "v", v))
			if strings.Contains(buf.String(), secret) {
				t.Errorf("slog %s handler prints %s: %s", hname, name, buf.String())
			}
			if !strings.Contains(buf.String(), "[redacted]") {
				t.Errorf("slog %s handler: no [redacted] marker for %s: %s", hname, name, buf.String())
			}
		}
		if b, err := json.Marshal(v); err != nil || strings.Contains(string(b), secret) {
			t.Errorf("json of %s: %s, %v", name, b, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// An unusable base URL is an error on every call, never a silent switch
// to the default host (where the credentials would then go).
func TestBadBaseURLIsNotReplaced(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"api15.comm100.io", "ftp://api1.comm100.io", "https://", "https://user:s3cr3t@api1.comm100.io", "http://[::1", "https://api1.comm100.io/?x=1"} {
		t.Run(u, func(t *testing.T) {
			c := reports.New(reports.WithBaseURL(u))
			if c.Err() == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(c.Err().Error(), "s3cr3t") {
				t.Errorf("error echoes the credentials: %v", c.Err())
			}
			if _, err := c.Visits(context.Background(), week(reports.GroupDay)); err == nil || err.Error() != c.Err().Error() {
				t.Errorf("call: %v, want %v", err, c.Err())
			}
		})
	}
	for _, u := range []string{"https://api15.comm100.io", "http://127.0.0.1:8080/", "https://example.com/prefix"} {
		if err := reports.New(reports.WithBaseURL(u)).Err(); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}
