package mail

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
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
type Sender interface {
	Send(ctx context.Context, env Envelope, raw []byte) (id string, err error)
}

// PermanentError is a failure that retrying cannot fix (a rejected address,
// an unverified sender). Callers must not retry it.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// SESv2API is the part of the SES v2 client the sender uses.
type SESv2API interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// SES sends through Amazon SES v2 with raw content. Throttling is retried
// by the SDK's standard retryer; rejections are returned as PermanentError.
type SES struct{ Client SESv2API }

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
	out, err := s.Client.SendEmail(ctx, in)
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) {
			switch api.ErrorCode() {
			case "MessageRejected", "MailFromDomainNotVerifiedException", "AccountSuspendedException",
				"SendingPausedException", "BadRequestException", "NotFoundException":
				return "", &PermanentError{Err: fmt.Errorf("ses: %s: %s", api.ErrorCode(), api.ErrorMessage())}
			}
		}
		return "", fmt.Errorf("ses: %w", err)
	}
	return aws.ToString(out.MessageId), nil
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
