package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"reportmailer/pkg/reports"
)

// secret is a URL or key that never prints (fmt, slog, JSON).
type secret = reports.Secret

var (
	errNoSecrets   = errors.New("no Secrets Manager access configured")
	errEmptySecret = errors.New("the secret is empty")
)

// BuildError is a receiver that could not be made: its secret could not
// be read. It names the secret, never its value.
type BuildError struct {
	Receiver, Secret string
	Err              error
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("receiver %s: secret %s: %v", e.Receiver, e.Secret, e.Err)
}

func (e *BuildError) Unwrap() error { return e.Err }

// checkSecretURL applies config's rule to a URL read from a secret: https,
// or http to this machine. The URL is never echoed.
func checkSecretURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return errors.New("the secret's string is not an absolute URL")
	}
	h := u.Hostname()
	ip := net.ParseIP(h)
	if u.Scheme == "https" || (u.Scheme == "http" && (strings.EqualFold(h, "localhost") || (ip != nil && ip.IsLoopback()))) {
		return nil
	}
	return errors.New("the secret's URL is not https:// (http only to 127.0.0.1 or localhost)")
}

// Error is a failed delivery. Permanent ones (a 4xx other than 408 and
// 429: a revoked webhook, a refused payload) are not retried; the rest
// (5xx, 408, 429, timeouts, connection failures) are, no sooner than
// RetryAfter when the receiver said so.
type Error struct {
	Receiver   string
	Kind       string
	Status     int // 0: no HTTP response
	Permanent  bool
	RetryAfter time.Duration
	// Reason is the receiver's answer (capped, with the secret removed)
	// or the transport's error (without the URL).
	Reason string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s receiver %s: ", e.Kind, e.Receiver)
	if e.Status != 0 {
		s += fmt.Sprintf("HTTP %d", e.Status)
		if e.Reason != "" {
			s += ": " + e.Reason
		}
	} else {
		s += e.Reason
	}
	if e.Permanent {
		s += " (permanent)"
	}
	return s
}

// Classify maps an HTTP status to permanent or not: 4xx but 408 and 429
// is permanent; 5xx, 408 and 429 are worth another try.
func Classify(status int) (permanent bool) {
	return status >= 400 && status < 500 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
}

func newClient(opts Options) *http.Client {
	t := opts.Timeout
	if t <= 0 {
		t = 10 * time.Second
	}
	// No redirects: a webhook that redirects is misconfigured, and
	// following it would post the alert somewhere nobody configured.
	return &http.Client{Timeout: t, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// hook is what every URL receiver shares.
type hook struct {
	name   string
	url    secret
	client *http.Client
}

// String keeps the URL out of printed values (fmt does not call the
// Secret's own methods for unexported fields).
func (h hook) String() string { return h.name + " [redacted URL]" }

// GoString implements fmt.GoStringer the same way.
func (h hook) GoString() string { return h.String() }

// maxReason is how much of an error body is kept.
const maxReason = 200

// post sends body as JSON to u and turns any failure into an *Error.
// Secrets (the URL, a routing key) are scrubbed from what it keeps.
func post(ctx context.Context, c *http.Client, u string, body any, name, kind string, secrets ...string) error {
	data, err := json.Marshal(body)
	if err != nil {
		return &Error{Receiver: name, Kind: kind, Permanent: true, Reason: "encode: " + err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(data))
	if err != nil {
		return &Error{Receiver: name, Kind: kind, Permanent: true, Reason: "bad URL"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "reportmailer-alerts")
	resp, err := c.Do(req)
	if err != nil {
		// *url.Error quotes the whole URL, which is the credential.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		reason := err.Error()
		if ue != nil && ue.Timeout() {
			reason = "timed out: " + reason
		}
		return &Error{Receiver: name, Kind: kind, Reason: scrub(reason, append(secrets, u)...)}
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 4*maxReason))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	e := &Error{Receiver: name, Kind: kind, Status: resp.StatusCode, Permanent: Classify(resp.StatusCode),
		Reason: scrub(oneLine(string(excerpt)), append(secrets, u)...)}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e.Permanent, e.Reason = true, "redirected (check the URL)"
	}
	e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	return e
}

// oneLine keeps the start of a body, on one line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxReason {
		s = s[:maxReason]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s
}

// scrub removes every secret (and, for URLs, their path, where webhook
// tokens live) from s.
func scrub(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) < 4 {
			continue
		}
		s = strings.ReplaceAll(s, sec, "[redacted]")
		if u, err := url.Parse(sec); err == nil && len(u.Path) > 1 {
			s = strings.ReplaceAll(s, u.Path, "[redacted]")
		}
	}
	return s
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
