package digest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"reportmailer/pkg/digest"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/sendlog"
)

// sesProxy stands between the SES client and moto. Requests reach moto
// unchanged; the answers to the first drop SendEmail calls are lost: the
// connection is closed (the message went out, the client cannot know), or,
// with stall, held open until the client gives up.
type sesProxy struct {
	target string
	drop   atomic.Int32
	stall  bool
	deny   string       // with drop: answer 403 with this SES error code instead
	sends  atomic.Int32 // SendEmail requests seen
}

func (p *sesProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.deny != "" && strings.HasSuffix(r.URL.Path, "/outbound-emails") && p.drop.Add(-1) >= 0 {
		// Denied before SES takes it: nothing reaches moto.
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", p.deny)
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"message":"denied"}`))
		return
	}
	body, _ := io.ReadAll(r.Body)
	req, err := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if strings.HasSuffix(r.URL.Path, "/outbound-emails") {
		p.sends.Add(1)
		if p.deny == "" && p.drop.Add(-1) >= 0 {
			if p.stall {
				<-r.Context().Done()
				return
			}
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(data)
}

// proxiedSES is an SES sender whose calls go through a sesProxy, built the
// way appenv builds the real one (the SDK's default retryer included).
func (e *env) proxiedSES(t *testing.T, drop int32, stall bool) (*sesProxy, mail.Sender) {
	t.Helper()
	p := &sesProxy{target: e.moto.Endpoint, stall: stall}
	p.drop.Store(drop)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	client := sesv2.NewFromConfig(e.moto.Config(t), func(o *sesv2.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	return p, mail.SES{Client: client, Backoff: time.Millisecond}
}

func (e *env) deps() digest.Deps {
	return digest.Deps{Reports: e.app.Reports, Sender: e.app.Sender, SendLog: e.app.Log, Archive: e.app.Archive}
}

func (e *env) invokeWith(t *testing.T, ctx context.Context, deps digest.Deps, event string) (*digest.Response, error) {
	t.Helper()
	return digest.Handler(e.app.Config, deps)(ctx, json.RawMessage(event))
}

func (e *env) record(t *testing.T, key string) *sendlog.Record {
	t.Helper()
	rec, err := e.app.Log.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// weeklyKey is the weekly digest's one (group) message: to and bcc.
var weeklyKey = digest.GroupKey("weekly", "2026-11-16_2026-11-22", "managers@example.com", "audit@example.com")

func (e *env) wantEmails(t *testing.T, want int, when string) {
	t.Helper()
	if n := len(e.moto.SentEmails(t)); n != want {
		t.Errorf("%s: %d emails in SES, want %d", when, n, want)
	}
}

// The SES answer is lost after SES took the message. Neither the SDK nor
// a later run may send it again: the send is recorded as unknown.
func TestLostSESResponseIsNotResent(t *testing.T) {
	e := setup(t, "10485760")
	proxy, sender := e.proxiedSES(t, 1, false)
	deps := e.deps()
	deps.Sender = sender
	resp, err := e.invokeWith(t, context.Background(), deps, weekly)
	if err != nil {
		t.Fatalf("an unknown outcome must not fail the run (Lambda would retry it): %v", err)
	}
	if n := proxy.sends.Load(); n != 1 {
		t.Errorf("SendEmail called %d times, want 1 (no SDK retry)", n)
	}
	e.wantEmails(t, 1, "after the lost answer")
	if m := resp.Messages[0]; m.Outcome != sendlog.StateUnknown || m.Reason == "" {
		t.Errorf("message %+v, want outcome unknown with a reason", m)
	}
	if rec := e.record(t, weeklyKey); rec == nil || rec.State != sendlog.StateUnknown {
		t.Fatalf("send log %+v, want unknown", rec)
	}
	// Lambda's retry, or the next duplicate delivery, sends nothing.
	resp, err = e.invokeWith(t, context.Background(), deps, weekly)
	if err != nil || !resp.AlreadySent {
		t.Errorf("second run: %+v, %v", resp, err)
	}
	e.wantEmails(t, 1, "after a second run")
}

// The run's deadline arrives while SES holds the request: the send ends in
// time to record it as unknown, and the retry does not send it again.
func TestDeadlineDuringSendIsRecordedNotResent(t *testing.T) {
	e := setup(t, "10485760")
	_, sender := e.proxiedSES(t, 1, true)
	deps := e.deps()
	deps.SendTimes = digest.SendTimes{Send: time.Second, MinSend: 100 * time.Millisecond, Record: 5 * time.Second}
	deps.Sender = sender
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	resp, err := e.invokeWith(t, ctx, deps, weekly)
	if err != nil {
		t.Fatal(err)
	}
	if m := resp.Messages[0]; m.Outcome != sendlog.StateUnknown {
		t.Errorf("message %+v, want outcome unknown", m)
	}
	if rec := e.record(t, weeklyKey); rec == nil || rec.State != sendlog.StateUnknown {
		t.Fatalf("send log %+v, want unknown", rec)
	}
	if _, err := e.invokeWith(t, context.Background(), deps, weekly); err != nil {
		t.Fatal(err)
	}
	e.wantEmails(t, 1, "after the retry")
}

// With too little time left before the deadline, nothing is claimed or
// sent; the retry sends once.
func TestNoSendWithoutTimeLeft(t *testing.T) {
	e := setup(t, "10485760")
	deps := e.deps()
	deps.SendTimes = digest.SendTimes{Send: time.Minute, MinSend: 10 * time.Second, Record: time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := e.invokeWith(t, ctx, deps, weekly); err == nil || !strings.Contains(err.Error(), "not enough time left") {
		t.Fatalf("err = %v, want not enough time left", err)
	}
	e.wantEmails(t, 0, "without time left")
	if rec := e.record(t, weeklyKey); rec != nil {
		t.Errorf("send log %+v, want no claim left", rec)
	}
	if _, err := e.invokeWith(t, context.Background(), deps, weekly); err != nil {
		t.Fatal(err)
	}
	e.wantEmails(t, 1, "after the retry")
}

// flakyDynamoDB fails the first n UpdateItem calls (the "sent" write).
type flakyDynamoDB struct {
	*dynamodb.Client
	n atomic.Int32
}

func (f *flakyDynamoDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if f.n.Add(-1) >= 0 {
		return nil, errors.New("injected: DynamoDB unavailable")
	}
	return f.Client.UpdateItem(ctx, in, opts...)
}

// Recording "sent" fails twice: the write is retried, the message ends
// recorded as sent, and a run after the lease does not resend it.
func TestFailedSentRecordIsRetried(t *testing.T) {
	e := setup(t, "10485760")
	flaky := &flakyDynamoDB{Client: e.app.DynamoDB}
	flaky.n.Store(2)
	deps := e.deps()
	deps.SendLog = sendlog.DynamoDB{Client: flaky, Table: "reportmailer"}
	if _, err := e.invokeWith(t, context.Background(), deps, weekly); err != nil {
		t.Fatal(err)
	}
	if rec := e.record(t, weeklyKey); rec == nil || rec.State != sendlog.StateSent {
		t.Fatalf("send log %+v, want sent", rec)
	}
	later := digest.Lease + time.Minute
	deps.Now = func() time.Time { return time.Now().Add(later) }
	if _, err := e.invokeWith(t, context.Background(), deps, weekly); err != nil {
		t.Fatal(err)
	}
	e.wantEmails(t, 1, "after a run past the lease")
}

// Recording "sent" fails for good: the claim lapses in progress, and the
// run after the lease marks it unknown instead of sending it again.
func TestUnrecordedSendIsNotResentAfterTheLease(t *testing.T) {
	e := setup(t, "10485760")
	flaky := &flakyDynamoDB{Client: e.app.DynamoDB}
	flaky.n.Store(1 << 20)
	deps := e.deps()
	deps.SendTimes = digest.SendTimes{Send: time.Minute, MinSend: time.Second, Record: time.Second}
	deps.SendLog = sendlog.DynamoDB{Client: flaky, Table: "reportmailer"}
	if _, err := e.invokeWith(t, context.Background(), deps, weekly); err != nil {
		t.Fatalf("sent but unrecorded must not fail the run (a retry could resend): %v", err)
	}
	if rec := e.record(t, weeklyKey); rec == nil || rec.State != sendlog.StateInProgress {
		t.Fatalf("send log %+v, want still in progress", rec)
	}
	deps.SendLog = e.app.Log
	deps.Now = func() time.Time { return time.Now().Add(digest.Lease + time.Minute) }
	resp, err := e.invokeWith(t, context.Background(), deps, weekly)
	if err != nil {
		t.Fatal(err)
	}
	if m := resp.Messages[0]; m.Outcome != sendlog.StateUnknown || m.ProviderID != "" {
		t.Errorf("run after the lease: %+v, want marked unknown, not sent", m)
	}
	if rec := e.record(t, weeklyKey); rec == nil || rec.State != sendlog.StateUnknown {
		t.Errorf("send log %+v, want unknown", rec)
	}
	e.wantEmails(t, 1, "after the run past the lease")
}

// deadlineSpy records the deadline each send ran under.
type deadlineSpy struct {
	mail.Sender
	mu        sync.Mutex
	deadlines []time.Time
}

func (s *deadlineSpy) Send(ctx context.Context, env mail.Envelope, raw []byte) (string, error) {
	dl, ok := ctx.Deadline()
	s.mu.Lock()
	if ok {
		s.deadlines = append(s.deadlines, dl)
	} else {
		s.deadlines = append(s.deadlines, time.Time{})
	}
	s.mu.Unlock()
	return s.Sender.Send(ctx, env, raw)
}

// A holder whose send stalls, called without any deadline (the CLI): its
// send still ends before its lease, recorded, so the run that comes after
// the lease finds a record and does not send a second copy.
func TestStalledHolderIsNotOvertaken(t *testing.T) {
	e := setup(t, "10485760")
	_, sender := e.proxiedSES(t, 1, true)
	spy := &deadlineSpy{Sender: sender}
	deps := e.deps()
	deps.SendTimes = digest.SendTimes{Send: time.Second, MinSend: 100 * time.Millisecond, Record: 5 * time.Second}
	deps.Sender = spy
	started := time.Now()
	if _, err := e.invokeWith(t, context.Background(), deps, weekly); err != nil {
		t.Fatal(err)
	}
	if len(spy.deadlines) != 1 || spy.deadlines[0].IsZero() || spy.deadlines[0].Sub(started) >= digest.Lease {
		t.Fatalf("send deadlines %v, want one, inside the lease from %v", spy.deadlines, started)
	}
	// The next run comes after the lease would have expired.
	deps.Now = func() time.Time { return time.Now().Add(digest.Lease + time.Minute) }
	deps.Sender = e.app.Sender
	resp, err := e.invokeWith(t, context.Background(), deps, weekly)
	if err != nil || !resp.AlreadySent {
		t.Fatalf("run after the lease: %+v, %v", resp, err)
	}
	e.wantEmails(t, 1, "after the run past the lease")
}

// A sender that answers with given errors before delegating.
type scriptedSender struct {
	mail.Sender
	errs  []error
	calls atomic.Int32
}

func (s *scriptedSender) Send(ctx context.Context, env mail.Envelope, raw []byte) (string, error) {
	i := int(s.calls.Add(1)) - 1
	if i < len(s.errs) && s.errs[i] != nil {
		return "", s.errs[i]
	}
	return s.Sender.Send(ctx, env, raw)
}

// SES rejects the message for good: recorded as failed with the reason,
// not retried, and the run (so Lambda) succeeds with it in the response.
func TestPermanentRejectionIsRecordedNotRetried(t *testing.T) {
	e := setup(t, "10485760")
	if _, err := sesv2.NewFromConfig(e.moto.Config(t)).DeleteEmailIdentity(context.Background(),
		&sesv2.DeleteEmailIdentityInput{EmailIdentity: aws.String("reports@example.com")}); err != nil {
		t.Fatal(err)
	}
	resp, err := e.invoke(t, weekly)
	if err != nil {
		t.Fatalf("a permanent rejection must not fail the run (Lambda would retry it): %v", err)
	}
	m := resp.Messages[0]
	if m.Outcome != sendlog.StateFailed || !strings.Contains(m.Reason, "MessageRejected") {
		t.Errorf("message %+v, want failed: MessageRejected", m)
	}
	if rec := e.record(t, weeklyKey); rec == nil || rec.State != sendlog.StateFailed || !strings.Contains(rec.Reason, "MessageRejected") {
		t.Errorf("send log %+v, want failed with the reason", rec)
	}
	e.wantEmails(t, 0, "after the rejection")
}

// Throttling is retried: the run fails (Lambda retries it) without
// leaving a claim, and the retry sends once.
func TestThrottlingIsRetried(t *testing.T) {
	e := setup(t, "10485760")
	throttled := errors.New("ses: TooManyRequestsException (retryable): rate exceeded")
	sender := &scriptedSender{Sender: e.app.Sender, errs: []error{throttled}}
	deps := e.deps()
	deps.Sender = sender
	if _, err := e.invokeWith(t, context.Background(), deps, weekly); err == nil || !mail.Retry(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	if rec := e.record(t, weeklyKey); rec != nil {
		t.Errorf("send log %+v, want the claim released", rec)
	}
	if _, err := e.invokeWith(t, context.Background(), deps, weekly); err != nil {
		t.Fatal(err)
	}
	e.wantEmails(t, 1, "after the retry")
}

// flakyCredentials fails its first `fail` retrievals, as the default chain
// does while the instance metadata service refuses.
type flakyCredentials struct {
	fail  atomic.Int32
	inner aws.CredentialsProvider
}

func (f *flakyCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if f.fail.Add(-1) >= 0 {
		return aws.Credentials{}, errors.New("no EC2 IMDS role found")
	}
	return f.inner.Retrieve(ctx)
}

// A passing auth or clock error, or credentials that cannot be had, sent
// nothing: the run fails so that Lambda retries it, nothing is recorded
// (neither failed, which would cancel the digest for good, nor unknown,
// which is never resent), and the retry sends once.
func TestAuthAndCredentialFailuresAreRetried(t *testing.T) {
	for _, tc := range []struct{ name, deny string }{
		{"access denied", "AccessDeniedException"},
		{"expired token", "ExpiredTokenException"},
		{"clock skewed", "RequestTimeTooSkewed"},
		{"no credentials", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, "10485760")
			p := &sesProxy{target: e.moto.Endpoint, deny: tc.deny}
			srv := httptest.NewServer(p)
			t.Cleanup(srv.Close)
			cfg := e.moto.Config(t)
			creds := &flakyCredentials{inner: cfg.Credentials}
			if tc.deny != "" {
				p.drop.Store(3) // every attempt of the first run
			} else {
				creds.fail.Store(3)
			}
			cfg.Credentials = creds
			client := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.BaseEndpoint = aws.String(srv.URL) })
			deps := e.deps()
			deps.Sender = mail.SES{Client: client, Backoff: time.Millisecond}
			if _, err := e.invokeWith(t, context.Background(), deps, weekly); err == nil || !mail.Retry(err) {
				t.Fatalf("err = %v, want a retryable error", err)
			}
			if rec := e.record(t, weeklyKey); rec != nil {
				t.Errorf("send log %+v, want nothing recorded", rec)
			}
			e.wantEmails(t, 0, "after the failure")
			if _, err := e.invokeWith(t, context.Background(), deps, weekly); err != nil {
				t.Fatal(err)
			}
			if rec := e.record(t, weeklyKey); rec == nil || rec.State != sendlog.StateSent {
				t.Errorf("send log %+v, want sent", rec)
			}
			e.wantEmails(t, 1, "after the retry")
		})
	}
}

// A test send goes to one address, says [TEST], leaves the send log
// untouched, and the real send afterwards still goes out once.
func TestTestSendLeavesTheSendLogAlone(t *testing.T) {
	e := setup(t, "10485760")
	req := digest.Request{DigestID: "weekly", At: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), TestTo: "me@example.com"}
	res, err := digest.Run(context.Background(), e.app.Config, e.deps(), req)
	if err != nil {
		t.Fatal(err)
	}
	sent := e.moto.SentEmails(t)
	if len(sent) != 1 || len(res.Messages) != 1 {
		t.Fatalf("%d emails, %d messages; want 1", len(sent), len(res.Messages))
	}
	m := parse(t, sent[0].RawData)
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.header.Get("Subject"))
	if !strings.HasPrefix(subject, "[TEST] ") || !strings.Contains(m.header.Get("To"), "me@example.com") ||
		strings.Contains(sent[0].RawData, "managers@example.com") || strings.Contains(sent[0].RawData, "audit@example.com") {
		t.Errorf("test mail: subject %q, To %q", subject, m.header.Get("To"))
	}
	if m.header.Get("Message-Id") == digest.GroupMessageID("weekly", "2026-11-16_2026-11-22", "managers@example.com", "audit@example.com") {
		t.Error("the test mail reuses the real message's Message-ID")
	}
	if rec := e.record(t, weeklyKey); rec != nil {
		t.Errorf("send log written by a test send: %+v", rec)
	}
	if _, err := e.invoke(t, weekly); err != nil {
		t.Fatal(err)
	}
	if _, err := e.invoke(t, weekly); err != nil {
		t.Fatal(err)
	}
	e.wantEmails(t, 2, "test + real + retry")
}

// --send refuses a period that has not ended; a preview of it renders.
func TestSendRefusesAPeriodNotOver(t *testing.T) {
	e := setup(t, "10485760")
	deps := e.deps()
	deps.Now = func() time.Time { return time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC) }
	req := digest.Request{DigestID: "weekly", PeriodStart: "2026-11-16", Send: true}
	if _, err := digest.Run(context.Background(), e.app.Config, deps, req); !errors.Is(err, digest.ErrPeriodNotOver) {
		t.Fatalf("err = %v, want ErrPeriodNotOver", err)
	}
	e.wantEmails(t, 0, "after a refused send")
	if rec := e.record(t, weeklyKey); rec != nil {
		t.Errorf("send log %+v, want untouched", rec)
	}
	req.Send = false
	if res, err := digest.Run(context.Background(), e.app.Config, deps, req); err != nil || res.Output == nil {
		t.Fatalf("preview: %v", err)
	}
}

// panicky panics while fetching one report.
type panicky struct {
	digest.Fetcher
	report reports.Name
}

func (p panicky) Fetch(ctx context.Context, name reports.Name, q reports.Query) (reports.Result, error) {
	if name == p.report {
		panic("injected: decoder bug")
	}
	return p.Fetcher.Fetch(ctx, name, q)
}

// A panic while fetching one section becomes that section's note; the
// rest of the digest is sent.
func TestPanicInOneSectionBecomesItsNote(t *testing.T) {
	e := setup(t, "10485760")
	deps := e.deps()
	deps.Reports = panicky{Fetcher: e.app.Reports, report: "rating"}
	resp, err := e.invokeWith(t, context.Background(), deps, weekly)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(resp.FailedReports, ",") != "rating" {
		t.Errorf("failed %v", resp.FailedReports)
	}
	sent := e.moto.SentEmails(t)
	if len(sent) != 1 {
		t.Fatalf("%d emails", len(sent))
	}
	if m := parse(t, sent[0].RawData); !strings.Contains(m.text, "This report's data could not be read") {
		t.Error("no note for the panicking section")
	}
}
