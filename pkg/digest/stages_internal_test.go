package digest

import (
	"context"
	"errors"
	"testing"
	"time"

	"reportmailer/internal/testconfig"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/period"
	"reportmailer/pkg/sendlog"
)

func exampleRun(t *testing.T, deps Deps, req Request) *run {
	t.Helper()
	cfg := testconfig.Example(t)
	if req.DigestID == "" {
		req.DigestID = "weekly-managers"
	}
	r, err := newRun(cfg, deps, req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var wednesday = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// weekPlan is the plan of r's digest for the week starting start, with
// the comparison resolvePeriod would pick and no copies yet.
func weekPlan(t *testing.T, r *run, start string) plan {
	t.Helper()
	spec, err := r.d.Spec()
	if err != nil {
		t.Fatal(err)
	}
	p, err := spec.Starting(start)
	if err != nil {
		t.Fatal(err)
	}
	with := r.d.CompareWith
	if with == "" {
		with = period.DefaultCompare(spec.Kind)
	}
	return plan{period: p, previous: p.Compare(spec, with), loc: spec.Location}
}

// unscopedCopy is the digest's unfiltered copy under p, as makeCopy
// starts it.
func unscopedCopy(r *run, p plan) *copyRun {
	return &copyRun{run: r, plan: p, scope: &scope{}, started: time.Now()}
}

func TestResolvePeriod(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return wednesday }
	for _, tc := range []struct {
		name    string
		req     Request
		want    string
		wantErr error
	}{
		{"schedule time: the week before", Request{At: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), Send: true}, "2026-11-16", nil},
		{"explicit period", Request{PeriodStart: "2026-11-09", Send: true}, "2026-11-09", nil},
		{"send of the running week", Request{PeriodStart: "2026-11-23", Send: true}, "", ErrPeriodNotOver},
		{"preview of the running week", Request{PeriodStart: "2026-11-23"}, "2026-11-23", nil},
		{"test send of the running week", Request{PeriodStart: "2026-11-23", TestTo: "me@example.com"}, "2026-11-23", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := exampleRun(t, Deps{Now: now}, tc.req)
			p, err := resolvePeriod(r)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err == nil && p.period.Key() != tc.want {
				t.Errorf("period %s, want %s", p.period.Key(), tc.want)
			}
		})
	}
}

func TestSkipIfSent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		state string // of the one message's record; "" for none
		req   Request
		skip  bool
	}{
		{"nothing recorded", "", Request{Send: true}, false},
		{"sent", sendlog.StateSent, Request{Send: true}, true},
		{"outcome unknown", sendlog.StateUnknown, Request{Send: true}, true},
		{"rejected: retries do not try again", sendlog.StateFailed, Request{Send: true}, true},
		{"rejected: a person's --retry-failed does", sendlog.StateFailed, Request{Send: true, RetryFailed: true}, false},
		{"preview never skips", sendlog.StateSent, Request{}, false},
		{"test send never reads the log", sendlog.StateSent, Request{TestTo: "me@example.com"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sends := &sendlog.Memory{}
			tc.req.PeriodStart = "2026-11-16"
			r := exampleRun(t, Deps{SendLog: sends, Now: func() time.Time { return wednesday }}, tc.req)
			// One copy of one message, planned for the week.
			p := weekPlan(t, r, tc.req.PeriodStart)
			p.scopes = []*scope{{to: []string{"a@example.com"}, deliveries: []delivery{{key: sendKeyPrefix(r.d, p.period) + "1", to: []string{"a@example.com"}}}}}
			if tc.state != "" {
				c, _ := sends.Begin(ctx, p.scopes[0].deliveries[0].key, wednesday, lease)
				if tc.state == sendlog.StateSent {
					_ = sends.Done(ctx, c, "id", wednesday)
				} else {
					_ = sends.Settle(ctx, c, tc.state, "why", wednesday)
				}
			}
			skip, err := skipIfSent(ctx, r, p)
			if err != nil || skip != tc.skip {
				t.Errorf("skip = %v, %v; want %v", skip, err, tc.skip)
			}
		})
	}
}

// stubSender fails with err, or takes the message.
type stubSender struct {
	err   error
	calls int
}

func (s *stubSender) Send(context.Context, mail.Envelope, []byte) (string, error) {
	s.calls++
	if s.err != nil {
		return "", s.err
	}
	return "ses-1", nil
}

// sendOne's outcome for each kind of send result: what it records, and
// whether the run should be retried.
func TestSendOneOutcomes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		err       error
		retry     bool
		state     string // recorded; "" for no record (claim released)
		wantCalls int    // after a second attempt at the same message
	}{
		{"sent", nil, false, sendlog.StateSent, 1},
		// Rejected for good: a retry does not try again (only --retry-failed does).
		{"rejected", &mail.PermanentError{Err: errors.New("ses: MessageRejected: address suppressed")}, false, sendlog.StateFailed, 1},
		{"answer lost", &mail.UnknownError{Err: errors.New("ses: EOF")}, false, sendlog.StateUnknown, 1},
		{"throttled", errors.New("ses: TooManyRequestsException (retryable)"), true, "", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sends, sender := &sendlog.Memory{}, &stubSender{err: tc.err}
			r := exampleRun(t, Deps{SendLog: sends, Sender: sender, Now: func() time.Time { return wednesday }}, Request{PeriodStart: "2026-11-16", Send: true})
			p := weekPlan(t, r, "2026-11-16")
			m := &Message{Key: sendKeyPrefix(r.d, p.period) + "1", Raw: []byte("x"), Recipients: []string{"a@example.com"}}
			retry, err := r.sendOne(ctx, p.period.End, mail.Envelope{}, m)
			if retry != tc.retry || (err == nil) != (tc.err == nil) {
				t.Errorf("sendOne = %v, %v; want retry %v", retry, err, tc.retry)
			}
			rec, _ := sends.Get(ctx, m.Key)
			if got := ""; rec != nil {
				got = rec.State
				if got != tc.state {
					t.Errorf("recorded %q, want %q", got, tc.state)
				}
			} else if tc.state != "" {
				t.Errorf("nothing recorded, want %q", tc.state)
			}
			// A second attempt sends again only if nothing went out.
			_, _ = r.sendOne(ctx, p.period.End, mail.Envelope{}, m)
			if sender.calls != tc.wantCalls {
				t.Errorf("%d sends after a second attempt, want %d", sender.calls, tc.wantCalls)
			}
		})
	}
}

// A send and the write of its outcome end well inside the claim's lease,
// so a live holder is never taken for a crashed one.
func TestSendEndsInsideTheLease(t *testing.T) {
	t.Parallel()
	if defaultSendTimes.Send+defaultSendTimes.Record >= lease/2 {
		t.Errorf("send %v + record %v must stay well inside the lease %v", defaultSendTimes.Send, defaultSendTimes.Record, lease)
	}
	if defaultSendTimes.MinSend >= defaultSendTimes.Send {
		t.Errorf("minSendTime %v must be below sendTimeout %v, or nothing is ever sent", defaultSendTimes.MinSend, defaultSendTimes.Send)
	}
}

// A permanently rejected message is sent again only when a person asks,
// after fixing the cause: digest --send --retry-failed reopens it.
func TestRetryFailedReopensARejectedMessage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sends, sender := &sendlog.Memory{}, &stubSender{err: &mail.PermanentError{Err: errors.New("ses: MessageRejected")}}
	r := exampleRun(t, Deps{SendLog: sends, Sender: sender, Now: func() time.Time { return wednesday }}, Request{PeriodStart: "2026-11-16", Send: true})
	p := weekPlan(t, r, "2026-11-16")
	m := &Message{Key: sendKeyPrefix(r.d, p.period) + "1", Raw: []byte("x"), Recipients: []string{"a@example.com"}}
	_, _ = r.sendOne(ctx, p.period.End, mail.Envelope{}, m)
	_, _ = r.sendOne(ctx, p.period.End, mail.Envelope{}, m) // a retry: refused by the log
	sender.err = nil                                        // the address was fixed
	r.req.RetryFailed = true
	if _, err := r.sendOne(ctx, p.period.End, mail.Envelope{}, m); err != nil {
		t.Fatal(err)
	}
	if rec, _ := sends.Get(ctx, m.Key); sender.calls != 2 || rec == nil || rec.State != sendlog.StateSent {
		t.Errorf("%d sends, record %+v; want 2 sends (the first and the asked-for one), sent", sender.calls, rec)
	}
}
