package reports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultBaseURL is the platform host the reference's paths live on.
// Customers on other platforms use apiNN.comm100.io, matching their
// dashNN.comm100.io control panel.
const DefaultBaseURL = "https://api1.comm100.io"

// basePath is where every report lives below the host.
const basePath = "/api/v3/livechat/reports/"

// maxErrorBody bounds how much of an error response is read and kept.
const maxErrorBody = 512

// maxBody bounds a successful response; the largest real report (hour
// buckets over a month, or per-agent logs) is far below this.
const maxBody = 32 << 20

// Authenticator adds credentials to a request. Implementations must never
// put secrets anywhere that is logged (the URL path or error text).
type Authenticator interface {
	Authenticate(req *http.Request)
}

// Secret is a credential that never prints itself: not through fmt's
// verbs, slog's handlers, nor encoding/json (slog's JSON handler marshals
// structs such as APIKey with it).
type Secret string

// MarshalJSON hides the value from encoding/json.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"[redacted]"`), nil }

// Format hides the value from every fmt verb, including %d and %x.
func (Secret) Format(f fmt.State, _ rune) { io.WriteString(f, "[redacted]") }

// String hides the value.
func (Secret) String() string { return "[redacted]" }

// LogValue hides the value from slog.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// GoString hides the value from %#v.
func (Secret) GoString() string { return "[redacted]" }

// APIKey authenticates as Comm100 documents for API keys: HTTP Basic with
// the agent's email and the key, plus the siteId query parameter.
type APIKey struct {
	SiteID string
	Email  string
	Key    Secret
}

// Authenticate implements Authenticator.
func (a APIKey) Authenticate(req *http.Request) {
	q := req.URL.Query()
	q.Set("siteId", a.SiteID)
	req.URL.RawQuery = q.Encode()
	req.SetBasicAuth(a.Email, string(a.Key))
}

// BearerToken authenticates with an OAuth2 access token (Comm100's
// recommended alternative); SiteID is still sent when set.
type BearerToken struct {
	SiteID string
	Token  Secret
}

// Authenticate implements Authenticator.
func (b BearerToken) Authenticate(req *http.Request) {
	if b.SiteID != "" {
		q := req.URL.Query()
		q.Set("siteId", b.SiteID)
		req.URL.RawQuery = q.Encode()
	}
	req.Header.Set("Authorization", "Bearer "+string(b.Token))
}

// RetryPolicy bounds retries of 429, 5xx and transport errors.
type RetryPolicy struct {
	MaxAttempts int           // total attempts, including the first
	BaseDelay   time.Duration // first backoff; doubles each attempt, with equal jitter
	MaxDelay    time.Duration // cap on one backoff, and on an honoured Retry-After
}

// DefaultRetry is four attempts over roughly 0.2 s, 0.4 s and 0.8 s.
var DefaultRetry = RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond, MaxDelay: 30 * time.Second}

// Client calls the Comm100 Report API. It is safe for concurrent use; all
// calls (retries included) share one limiter: a sliding window holding
// the process to its Quota in every window (see quota.go for how the
// processes' quotas add up to Comm100's).
type Client struct {
	http    *http.Client
	base    *url.URL
	baseErr error // from WithBaseURL: calls fail rather than go to the default host
	auth    Authenticator
	limiter waiter
	quota   Quota
	retry   RetryPolicy
	timeout time.Duration
	logger  *slog.Logger
	sleep   func(context.Context, time.Duration) error

	mu        sync.Mutex
	pathFound map[Name]string // which spelling of a path answered, per report
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL sets the API host, e.g. https://api15.comm100.io or a
// simulator's address. A value that is not an http(s) URL with a host, or
// that carries user:password, is never replaced by the default host: the
// client keeps the error (see Err) and every call returns it.
func WithBaseURL(u string) Option {
	return func(c *Client) {
		parsed, err := ParseBaseURL(u)
		if err != nil {
			c.baseErr = err
			return
		}
		c.base = parsed
	}
}

// ParseBaseURL checks an API base URL the way WithBaseURL uses it, for
// config validation: http or https, a host, no credentials, no query.
func ParseBaseURL(u string) (*url.URL, error) {
	parsed, err := url.Parse(strings.TrimRight(strings.TrimSpace(u), "/"))
	switch {
	case err != nil:
		return nil, fmt.Errorf("comm100 base URL %q: %w", clip(u), errors.Unwrap(err))
	case parsed.Scheme != "https" && parsed.Scheme != "http":
		return nil, fmt.Errorf("comm100 base URL %q: want https://host", clip(u))
	case parsed.Host == "":
		return nil, fmt.Errorf("comm100 base URL %q: no host", clip(u))
	case parsed.User != nil:
		// Credentials go in the secret; a URL's userinfo ends up in logs.
		return nil, fmt.Errorf("comm100 base URL: must not carry user:password (use the secret)")
	case parsed.RawQuery != "" || parsed.Fragment != "":
		return nil, fmt.Errorf("comm100 base URL %q: must not have a query or fragment", clip(u))
	}
	return parsed, nil
}

// Err reports a configuration error the options left (an invalid base
// URL); every call returns it too.
func (c *Client) Err() error { return c.baseErr }

// WithAuth sets the credentials.
func WithAuth(a Authenticator) Option { return func(c *Client) { c.auth = a } }

// WithHTTPClient replaces the HTTP client (its Timeout is left alone; per-request timeouts come from WithTimeout).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// waiter is what holds a call until the limit allows it.
type waiter interface {
	Wait(ctx context.Context) error
}

// WithQuota sets the process's sliding-window limit (default
// DigestShare(1)). Give each process its share: DigestShare(consumers) for
// a digest consumer, AlertQuota for the alert function.
func WithQuota(q Quota) Option { return func(c *Client) { c.quota, c.limiter = q, nil } }

// WithRateLimit replaces the quota with a token bucket: burst calls at
// once, refilled at perSecond. For tests only: a bucket allows its burst
// plus its refill in one window (300 + 300 in 5 minutes at 1/s), which is
// twice Comm100's limit; WithQuota holds in every window.
func WithRateLimit(burst int, perSecond float64) Option {
	return func(c *Client) { c.limiter = rate.NewLimiter(rate.Limit(perSecond), burst) }
}

// WithRetry sets the retry policy.
func WithRetry(p RetryPolicy) Option { return func(c *Client) { c.retry = p } }

// WithTimeout bounds each attempt.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithLogger sets where retries are logged (never with credentials).
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.logger = l } }

// WithSleeper replaces how the client waits between attempts (tests record
// the delays instead of sleeping through them).
func WithSleeper(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) { c.sleep = sleep }
}

// New returns a client with sane defaults: api1.comm100.io, 4 attempts,
// 30 s per attempt, DigestShare(1) (270 calls in any 5 minutes, leaving
// the alert function its share).
func New(opts ...Option) *Client {
	base, _ := url.Parse(DefaultBaseURL)
	c := &Client{
		http:      &http.Client{},
		base:      base,
		quota:     DigestShare(1),
		retry:     DefaultRetry,
		timeout:   30 * time.Second,
		logger:    slog.New(slog.DiscardHandler),
		sleep:     sleepCtx,
		pathFound: map[Name]string{},
	}
	for _, o := range opts {
		o(c)
	}
	if c.limiter == nil {
		c.limiter = newWindowLimiter(c.quota, time.Now, sleepCtx)
	}
	if c.retry.MaxAttempts < 1 {
		c.retry.MaxAttempts = 1
	}
	return c
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Result is a fetched report: the spec, the query and the decoded rows.
type Result struct {
	Spec  *Spec
	Query Query
	// Data is a slice of the spec's row type (e.g. []ChatVolumeRow), or a
	// pointer to the object for single-object real-time reports.
	Data any
}

// Rows returns the result's rows as []any (pointers to typed rows).
func (r Result) Rows() []any {
	if r.Spec.IsObject() {
		return []any{r.Data}
	}
	return Rows(r.Data)
}

// Fetch validates and runs the query for any report by name.
func (c *Client) Fetch(ctx context.Context, name Name, q Query) (Result, error) {
	spec, ok := Lookup(name)
	if !ok {
		return Result{}, &UnknownReportError{Name: Name(clip(string(name)))}
	}
	if spec.FromHistory() {
		return Result{}, fmt.Errorf("%s: %w", name, ErrFromHistory)
	}
	if err := q.Validate(spec); err != nil {
		return Result{}, err
	}
	if c.baseErr != nil {
		return Result{}, c.baseErr
	}
	body, err := c.get(ctx, spec, q.values(spec))
	if err != nil {
		return Result{}, err
	}
	data, err := decode(spec, body)
	if err != nil {
		return Result{}, err
	}
	return Result{Spec: spec, Query: q, Data: data}, nil
}

// Decode parses a response body as the report's rows (exported for tests and fixtures).
func Decode(name Name, body []byte) (any, error) {
	spec, ok := Lookup(name)
	if !ok {
		return nil, &UnknownReportError{Name: Name(clip(string(name)))}
	}
	return decode(spec, body)
}

func decode(spec *Spec, body []byte) (any, error) {
	if spec.FromHistory() {
		return nil, fmt.Errorf("%s: %w", spec.Name, ErrFromHistory)
	}
	var target reflect.Value
	if spec.IsObject() {
		target = reflect.New(spec.RowType())
	} else {
		target = reflect.New(reflect.SliceOf(spec.RowType()))
	}
	if err := json.Unmarshal(body, target.Interface()); err != nil {
		// The decoder's message can quote the offending literal (a 1 MB
		// number, say): keep the error text bounded.
		return nil, fmt.Errorf("comm100 %s: %w: %s", spec.Name, ErrBadResponse, clipMessage(err.Error()))
	}
	if mayHoldBidi(body) {
		stripBidiIn(target)
	}
	if spec.IsObject() {
		return target.Interface(), nil
	}
	slice := target.Elem()
	if slice.IsNil() { // a JSON null list is an empty report
		slice = reflect.MakeSlice(slice.Type(), 0, 0)
	}
	return slice.Interface(), nil
}

func fetchList[T any](ctx context.Context, c *Client, name Name, q Query) ([]T, error) {
	r, err := c.Fetch(ctx, name, q)
	if err != nil {
		return nil, err
	}
	return r.Data.([]T), nil
}

func fetchObject[T any](ctx context.Context, c *Client, name Name, q Query) (*T, error) {
	r, err := c.Fetch(ctx, name, q)
	if err != nil {
		return nil, err
	}
	return r.Data.(*T), nil
}

// get performs the GET with rate limiting, retries and path fallback.
func (c *Client) get(ctx context.Context, spec *Spec, params url.Values) ([]byte, error) {
	paths := c.pathOrder(spec)
	var lastErr error
	for i, p := range paths {
		body, err := c.getPath(ctx, spec, p, params)
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound && i < len(paths)-1 {
			c.logger.DebugContext(ctx, "path not found, trying the other spelling",
				"report", spec.Name, "path", p, "next", paths[i+1])
			lastErr = err
			continue
		}
		if err == nil && len(paths) > 1 {
			c.mu.Lock()
			c.pathFound[spec.Name] = p
			c.mu.Unlock()
		}
		return body, err
	}
	return nil, lastErr
}

func (c *Client) pathOrder(spec *Spec) []string {
	c.mu.Lock()
	found := c.pathFound[spec.Name]
	c.mu.Unlock()
	if found == "" {
		return spec.Paths
	}
	out := []string{found}
	for _, p := range spec.Paths {
		if p != found {
			out = append(out, p)
		}
	}
	return out
}

func (c *Client) getPath(ctx context.Context, spec *Spec, path string, params url.Values) ([]byte, error) {
	var lastErr error
	for attempt := 1; attempt <= c.retry.MaxAttempts; attempt++ {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, fmt.Errorf("comm100 %s: waiting for the rate limit: %w", spec.Name, err)
		}
		body, retryAfter, err := c.attempt(ctx, spec, path, params)
		if err == nil {
			return body, nil
		}
		lastErr = err
		var apiErr *APIError
		isAPI := errors.As(err, &apiErr)
		if isAPI {
			apiErr.Attempts = attempt
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("comm100 %s: %w", spec.Name, ctx.Err())
		}
		if (isAPI && !Retryable(apiErr.Status)) || errors.Is(err, ErrBadResponse) || attempt == c.retry.MaxAttempts {
			break
		}
		delay := c.backoff(attempt)
		if retryAfter > 0 {
			delay = min(retryAfter, c.retry.MaxDelay)
		}
		c.logger.InfoContext(ctx, "retrying comm100 request", "report", spec.Name,
			"attempt", attempt, "delay", delay.String(), "error", err.Error())
		if err := c.sleep(ctx, delay); err != nil {
			return nil, fmt.Errorf("comm100 %s: %w", spec.Name, err)
		}
	}
	return nil, lastErr
}

// backoff is exponential with equal jitter: uniform in [d/2, d] where d
// doubles per attempt, so no retry comes sooner than half its step.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.retry.BaseDelay << (attempt - 1)
	if d > c.retry.MaxDelay || d <= 0 {
		d = c.retry.MaxDelay
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

func (c *Client) attempt(ctx context.Context, spec *Spec, path string, params url.Values) ([]byte, time.Duration, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + basePath + path
	u.RawQuery = params.Encode()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, fmt.Errorf("comm100 %s: %w", spec.Name, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "reportmailer")
	if c.auth != nil {
		c.auth.Authenticate(req)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// url.Error includes the URL; ours carries siteId but never the key.
		return nil, 0, fmt.Errorf("comm100 %s: %w", spec.Name, redactURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// An upstream (or a proxy) that echoes the request would put the
		// credentials into the error text, and from there into logs and
		// the alert Lambda's response: redact before keeping anything.
		forms := credentialForms(req)
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, readLimit(forms)))
		wait := retryAfter(resp.Header.Get("Retry-After"))
		return nil, wait, &APIError{Report: spec.Name, Status: resp.StatusCode, Body: excerpt(raw, forms), RetryAfter: wait}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, 0, fmt.Errorf("comm100 %s: reading response: %w", spec.Name, err)
	}
	return body, 0, nil
}

// redactURLError drops the query string from a *url.Error, so nothing
// that a custom Authenticator might put there reaches logs.
func redactURLError(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		if u, perr := url.Parse(uerr.URL); perr == nil {
			u.RawQuery = ""
			u.User = nil
			return &url.Error{Op: uerr.Op, URL: u.String(), Err: uerr.Err}
		}
	}
	return err
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
