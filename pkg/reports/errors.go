package reports

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrNotInEdition means the site's Comm100 edition does not include the report (HTTP 403).
	ErrNotInEdition = errors.New("report not available in this Comm100 edition")
	// ErrUnauthorized means Comm100 rejected the credentials (HTTP 401).
	ErrUnauthorized = errors.New("comm100 rejected the credentials")
	// ErrBadResponse means the body could not be decoded as the report's rows.
	ErrBadResponse = errors.New("comm100 sent a response that does not decode")
)

// APIError is a non-2xx answer from the API, after any retries.
type APIError struct {
	Report   Name
	Status   int
	Body     string // at most maxErrorBody bytes of the response body
	Attempts int
	// RetryAfter is what the server asked for on 429/503, if anything.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("comm100 %s: HTTP %d %s", e.Report, e.Status, http.StatusText(e.Status))
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Is maps statuses onto the sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotInEdition:
		return e.Status == http.StatusForbidden
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	}
	return false
}

// Retryable reports whether a status is worth retrying: 429, 5xx and
// 408. Other 4xx are the caller's mistake and fail at once.
func Retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500
}

// Reason is a short, stable word for an error, for logs and digest notes.
func Reason(err error) string {
	var apiErr *APIError
	var verr *ValidationError
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrNotInEdition):
		return "not-in-edition"
	case errors.Is(err, ErrUnauthorized):
		return "unauthorized"
	case errors.As(err, &verr):
		return "invalid-query"
	case errors.Is(err, ErrBadResponse):
		return "bad-response"
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusTooManyRequests:
		return "rate-limited"
	case errors.As(err, &apiErr) && apiErr.Status >= 500:
		return "server-error"
	case errors.As(err, &apiErr):
		return "client-error"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "cancelled"
	}
	return "transport"
}
