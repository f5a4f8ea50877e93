package mail_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"reportmailer/pkg/mail"
)

// fakeSES answers SendEmail with the scripted responses in turn (a status
// and an SES error type; 0 closes the connection without an answer), then
// with success.
type fakeSES struct {
	script []answer
	calls  atomic.Int32
}

type answer struct {
	status int
	code   string
}

func (f *fakeSES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int(f.calls.Add(1)) - 1
	if i >= len(f.script) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"MessageId":"ses-1"}`))
		return
	}
	a := f.script[i]
	if a.status == 0 {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", a.code)
	w.WriteHeader(a.status)
	_, _ = w.Write([]byte(`{"message":"scripted ` + a.code + `"}`))
}

// client is a real SES v2 client, the SDK's default retryer included,
// pointed at url.
func client(url string) *sesv2.Client {
	return sesv2.New(sesv2.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

func TestSESErrorsSayWhetherToRetry(t *testing.T) {
	env := mail.Envelope{From: "reports@example.com", Recipients: []string{"a@example.com"}}
	for _, tc := range []struct {
		name      string
		script    []answer
		wantCalls int32
		wantID    bool
		kind      string // "permanent", "unknown", "retry"
	}{
		{"message rejected", []answer{{400, "MessageRejected"}}, 1, false, "permanent"},
		{"sender not verified", []answer{{400, "MailFromDomainNotVerifiedException"}}, 1, false, "permanent"},
		{"bad request", []answer{{400, "BadRequestException"}}, 1, false, "permanent"},
		{"sending paused", []answer{{400, "SendingPausedException"}}, 1, false, "permanent"},
		{"throttled once, then sent", []answer{{429, "TooManyRequestsException"}}, 2, true, ""},
		{"5xx once, then sent", []answer{{500, "InternalFailure"}}, 2, true, ""},
		{"throttled every time", []answer{{429, "TooManyRequestsException"}, {429, "TooManyRequestsException"}, {429, "TooManyRequestsException"}}, 3, false, "retry"},
		{"answer lost", []answer{{0, ""}}, 1, false, "unknown"},
		// Auth and clock errors pass: a role's credentials being rotated,
		// a policy being deployed, a skewed clock. SES accepted nothing.
		{"access denied once, then sent", []answer{{403, "AccessDeniedException"}}, 2, true, ""},
		{"expired token once, then sent", []answer{{403, "ExpiredTokenException"}}, 2, true, ""},
		{"bad signature once, then sent", []answer{{403, "SignatureDoesNotMatch"}}, 2, true, ""},
		{"unrecognized client once, then sent", []answer{{403, "UnrecognizedClientException"}}, 2, true, ""},
		{"clock skewed once, then sent", []answer{{403, "RequestTimeTooSkewed"}}, 2, true, ""},
		{"access denied every time", []answer{{403, "AccessDeniedException"}, {403, "AccessDeniedException"}, {403, "AccessDeniedException"}}, 3, false, "retry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeSES{script: tc.script}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			id, err := mail.SES{Client: client(srv.URL), Backoff: time.Millisecond}.Send(context.Background(), env, []byte("Subject: x\r\n\r\nx"))
			if n := fake.calls.Load(); n != tc.wantCalls {
				t.Errorf("%d SendEmail calls, want %d", n, tc.wantCalls)
			}
			if tc.wantID != (id != "" && err == nil) {
				t.Errorf("id %q, err %v", id, err)
			}
			var perm *mail.PermanentError
			var unknown *mail.UnknownError
			switch tc.kind {
			case "permanent":
				if !errors.As(err, &perm) || mail.Retry(err) {
					t.Errorf("err %v, want a PermanentError", err)
				}
			case "unknown":
				if !errors.As(err, &unknown) || mail.Retry(err) {
					t.Errorf("err %v, want an UnknownError", err)
				}
			case "retry":
				if !mail.Retry(err) {
					t.Errorf("err %v, want retryable", err)
				}
			}
		})
	}
}

// noCredentials fails the way the default chain does without a role or
// with the instance metadata service refusing.
type noCredentials struct{}

func (noCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, errors.New("no EC2 IMDS role found: connection refused")
}

// Credentials that cannot be obtained stop the request before it leaves
// the process: retryable, never an unknown outcome.
func TestSESWithoutCredentialsIsRetryable(t *testing.T) {
	fake := &fakeSES{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c := sesv2.New(sesv2.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: noCredentials{}})
	_, err := mail.SES{Client: c, MaxAttempts: 2, Backoff: time.Millisecond}.Send(context.Background(), mail.Envelope{From: "a@example.com"}, []byte("x"))
	var unknown *mail.UnknownError
	if err == nil || !mail.Retry(err) || errors.As(err, &unknown) {
		t.Errorf("err %v, want retryable", err)
	}
	if n := fake.calls.Load(); n != 0 {
		t.Errorf("%d requests reached SES, want 0", n)
	}
}

// A connection that was never made is retried: SES never saw the request.
func TestSESConnectionRefusedIsRetryable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	_, err = mail.SES{Client: client(url), MaxAttempts: 2, Backoff: time.Millisecond}.Send(context.Background(), mail.Envelope{From: "a@example.com"}, []byte("x"))
	if err == nil || !mail.Retry(err) || !strings.Contains(err.Error(), "could not connect") {
		t.Errorf("err %v, want a retryable connection error", err)
	}
}
