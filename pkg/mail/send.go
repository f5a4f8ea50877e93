package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Envelope is what a sender needs besides the encoded message.
type Envelope struct {
	From       string
	Recipients []string // every To, Cc and Bcc address
	// ConfigurationSet and Tags are SES options; other senders ignore them.
	ConfigurationSet string
	Tags             map[string]string
}

// Sender delivers an encoded message and returns the provider's message id.
//
// A failed Send returns one of three kinds of error, which callers tell
// apart with Retry:
//   - *PermanentError: the provider rejected the message; retrying cannot help.
//   - *UnknownError: the request may have reached the provider and the
//     message may have gone out; retrying could send a second copy.
//   - anything else: the message was certainly not accepted; retry later.
type Sender interface {
	Send(ctx context.Context, env Envelope, raw []byte) (id string, err error)
}

// PermanentError is a failure that retrying cannot fix (a rejected address,
// an unverified sender). Callers must not retry it.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// UnknownError is a send whose outcome is unknown: the request may have
// reached the provider (a timeout or a dropped connection after the
// request was written). Callers must not retry it blindly.
type UnknownError struct{ Err error }

func (e *UnknownError) Error() string { return "outcome unknown: " + e.Err.Error() }
func (e *UnknownError) Unwrap() error { return e.Err }

// Retry says whether a failed Send may be tried again, the way
// Alertmanager's notifiers return (retry bool, err): only when the
// provider certainly did not accept the message and might later.
func Retry(err error) bool {
	var perm *PermanentError
	var unknown *UnknownError
	return err != nil && !errors.As(err, &perm) && !errors.As(err, &unknown)
}

// SESv2API is the part of the SES v2 client the sender uses.
type SESv2API interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// SES sends through Amazon SES v2 with raw content.
//
// SendEmail has no idempotency token, so the SDK's own retryer is turned
// off for it: a response lost on the wire would otherwise become a second
// mail. Send retries by itself only what SES certainly did not accept
// (throttling, 5xx, a connection that was never made), and only while the
// caller holds its claim (ctx). Rejections are *PermanentError; an
// ambiguous failure is *UnknownError and is never retried.
type SES struct {
	Client SESv2API
	// MaxAttempts bounds Send's own retries (default 3).
	MaxAttempts int
	// Backoff is the first retry's delay, doubled after each (default 500ms).
	Backoff time.Duration
}

// permanentCodes are SES errors that no retry can fix.
var permanentCodes = map[string]bool{
	"MessageRejected": true, "MailFromDomainNotVerifiedException": true, "AccountSuspendedException": true,
	"SendingPausedException": true, "BadRequestException": true, "NotFoundException": true,
	"InvalidParameterValue": true, "ValidationException": true,
}

// retryableCodes are SES errors that mean "not accepted, try later".
// Auth and clock errors are among them: credentials being rotated, a
// policy mid-deploy or a skewed clock pass, and SES accepted nothing.
// Classed permanent they would cancel a digest for good.
var retryableCodes = map[string]bool{
	"TooManyRequestsException": true, "ThrottlingException": true, "Throttling": true,
	"LimitExceededException": true, "InternalFailure": true, "ServiceUnavailable": true,
	"AccessDeniedException": true, "AccessDenied": true, "ExpiredTokenException": true, "ExpiredToken": true,
	"SignatureDoesNotMatch": true, "UnrecognizedClientException": true, "InvalidClientTokenId": true,
	"IncompleteSignature": true, "MissingAuthenticationToken": true, "RequestTimeTooSkewed": true,
	"RequestExpired": true,
}

// Send implements Sender.
func (s SES) Send(ctx context.Context, env Envelope, raw []byte) (string, error) {
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(env.From),
		Destination:      &types.Destination{ToAddresses: env.Recipients},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
	}
	if env.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(env.ConfigurationSet)
	}
	for k, v := range env.Tags {
		in.EmailTags = append(in.EmailTags, types.MessageTag{Name: aws.String(k), Value: aws.String(v)})
	}
	attempts, delay := s.MaxAttempts, s.Backoff
	if attempts <= 0 {
		attempts = 3
	}
	if delay <= 0 {
		delay = 500 * time.Millisecond
	}
	var err error
	for attempt := 1; ; attempt++ {
		if cerr := ctx.Err(); cerr != nil {
			// Not started: nothing went out.
			return "", fmt.Errorf("ses: not sent: %w", errors.Join(cerr, err))
		}
		var out *sesv2.SendEmailOutput
		var sent atomic.Bool
		out, err = s.Client.SendEmail(ctx, in, func(o *sesv2.Options) {
			o.Retryer = aws.NopRetryer{}
			o.HTTPClient = watchedClient{inner: o.HTTPClient, sent: &sent}
		})
		if err == nil {
			return aws.ToString(out.MessageId), nil
		}
		if !sent.Load() {
			// Credentials, signing or the endpoint failed before any
			// request was made: SES never saw it.
			err = fmt.Errorf("ses: not sent (retryable): %w", err)
		} else {
			err = classify(ctx, err)
		}
		if !Retry(err) || attempt >= attempts {
			return "", err
		}
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay *= 2
	}
}

// watchedClient notes that a request was handed to the HTTP client, the
// last point before it may leave the process.
type watchedClient struct {
	inner sesv2.HTTPClient
	sent  *atomic.Bool
}

func (c watchedClient) Do(r *http.Request) (*http.Response, error) {
	c.sent.Store(true)
	if c.inner == nil {
		return http.DefaultClient.Do(r)
	}
	return c.inner.Do(r)
}

// classify turns an SDK error into a PermanentError, an UnknownError or a
// retryable error.
func classify(ctx context.Context, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		switch {
		case permanentCodes[code]:
			return &PermanentError{Err: fmt.Errorf("ses: %s: %s", code, api.ErrorMessage())}
		case retryableCodes[code]:
			return fmt.Errorf("ses: %s (retryable): %s", code, api.ErrorMessage())
		}
	}
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) && resp.HTTPStatusCode() != 0 {
		// SES answered: its status says what happened.
		switch st := resp.HTTPStatusCode(); {
		case st == http.StatusTooManyRequests || st >= 500:
			return fmt.Errorf("ses: HTTP %d (retryable): %w", st, err)
		case st == http.StatusUnauthorized || st == http.StatusForbidden:
			// Authentication or authorization, whatever the code: it passes.
			return fmt.Errorf("ses: HTTP %d (retryable, auth): %w", st, err)
		case st >= 400:
			return &PermanentError{Err: fmt.Errorf("ses: HTTP %d: %w", st, err)}
		}
		return &UnknownError{Err: fmt.Errorf("ses: %w", err)}
	}
	var sendErr *smithyhttp.RequestSendError
	var opErr *net.OpError
	if errors.As(err, &sendErr) && errors.As(err, &opErr) && opErr.Op == "dial" && ctx.Err() == nil {
		// The connection was never made: SES never saw the request.
		return fmt.Errorf("ses: could not connect (retryable): %w", err)
	}
	// No answer: a timeout, a reset or a closed connection after the
	// request may have been written. SES may have sent the message.
	return &UnknownError{Err: fmt.Errorf("ses: %w", err)}
}

// Sent is a message a Memory sender took.
type Sent struct {
	Envelope Envelope
	Raw      []byte
	ID       string
}

// Memory keeps messages instead of sending them: dry runs and tests.
type Memory struct {
	mu   sync.Mutex
	sent []Sent
}

// Send implements Sender.
func (m *Memory) Send(_ context.Context, env Envelope, raw []byte) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := fmt.Sprintf("memory-%d", len(m.sent)+1)
	m.sent = append(m.sent, Sent{Envelope: env, Raw: raw, ID: id})
	return id, nil
}

// Messages returns what was sent so far.
func (m *Memory) Messages() []Sent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Sent{}, m.sent...)
}
