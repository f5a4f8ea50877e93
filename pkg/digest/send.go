package digest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"reportmailer/pkg/mail"
	"reportmailer/pkg/sendlog"
)

// Delivery guarantee. Each message has a send-log record; a run claims it
// (a lease), sends, and records the outcome. A message recorded sent or
// unknown is never sent again by any run, and neither is one whose claim
// lapsed without an outcome (the holder died or could not record it: it
// may have sent, so it is marked unknown). SES is never asked again after
// a request that may have reached it. So each message goes out at most
// once per send-log record; the price is that an ambiguous send is not
// retried: it is recorded unknown and logged as an error to alarm on.
// Every copy carries the same Message-ID, so even a copy made outside
// this guarantee (a deleted record, a test send) is collapsed by clients
// that de-duplicate by it.
//
// SendTimes bound sending one message. A claim blocks other runs for
// lease; every send ends (Send) and is recorded (Record) well inside it,
// whatever the caller's own deadline (the CLI has none), so a live sender
// is never overtaken by a run that thinks it crashed.
type SendTimes struct {
	Send    time.Duration // one SendEmail, SES retries included
	MinSend time.Duration // a send is never started with less left
	Record  time.Duration // writing the outcome, retries included
}

// defaultSendTimes are what a run uses when Deps.SendTimes is zero.
var defaultSendTimes = SendTimes{Send: 2 * time.Minute, MinSend: 15 * time.Second, Record: 30 * time.Second}

const (
	lease         = 10 * time.Minute
	recordBackoff = 200 * time.Millisecond
)

// outcomeKey is the log attribute that carries a message's send outcome
// (sendlog.StateSent, StateFailed, StateUnknown) on the line that settles
// it. template.yaml's DigestUndelivered metric filter counts the lines
// whose outcome is failed or unknown (docs/reliability.md); testdata/
// outcome-log.jsonl holds the real lines, which internal/deploytest runs
// the filter on.
const outcomeKey = "outcome"

// errNoTime means the caller's deadline leaves too little time to send
// and record one message; nothing was claimed, so a retry can send it.
var errNoTime = errors.New("not enough time left before the deadline to send and record it; left for a retry")

// sendMessages sends each composed message at most once; ended is when
// their period ended (legacyRecord). It stops at the first failure that a
// retry may fix (returned, so that Lambda retries the run, which skips
// what was sent); rejections and sends of unknown outcome are recorded
// and logged, and the run goes on. notMade, the copies that could not be
// made (makeCopies), fails the run once the others are sent.
func sendMessages(ctx context.Context, r *run, ended time.Time, msgs []*Message, notMade error) error {
	env := mail.Envelope{From: r.from(), ConfigurationSet: r.cfg.Mail.ConfigurationSet, Tags: r.cfg.Mail.Tags}
	for _, m := range msgs {
		if retry, err := r.sendOne(ctx, ended, env, m); err != nil && retry {
			return errors.Join(fmt.Errorf("send %s: %w", m.Key, err), notMade)
		}
	}
	return notMade
}

// sendOne claims, delivers and records one message. Like Alertmanager's
// notifiers it says whether a failure is worth retrying. ended is when
// the message's period ended.
func (r *run) sendOne(ctx context.Context, ended time.Time, env mail.Envelope, m *Message) (retry bool, err error) {
	sendCtx, cancel, err := sendWindow(ctx, r.times)
	if err != nil {
		r.logger.Warn("message not sent", "key", m.Key, "reason", err.Error())
		return true, err
	}
	defer cancel()
	if m.Raw == nil && m.build != nil {
		if m.Raw, err = m.build(); err != nil {
			m.Outcome, m.Reason = sendlog.StateFailed, err.Error()
			r.logger.Error("digest could not be encoded; not sent", outcomeKey, m.Outcome, "key", m.Key, "error", err.Error())
			return false, err
		}
		// Encoded for this send only: let it go once sent.
		defer func() { m.Raw = nil }()
	}
	claim, skip, err := r.claim(ctx, ended, m)
	if err != nil || skip {
		return err != nil, err // in progress elsewhere, or the log unreachable: retry later
	}
	env.Recipients = m.Recipients
	var members []sendlog.Claim
	if len(m.members) > 0 && r.sendLog != nil {
		if env.Recipients, members, err = r.claimMembers(ctx, m); err != nil {
			r.abandon(ctx, claim, m)
			return true, err
		}
		if len(env.Recipients) == 0 {
			m.Skipped, m.Outcome = "every reader of this group was mailed earlier", sendlog.StateSent
			r.logger.Info("every reader of the group mailed earlier; not sent", "key", m.Key)
			r.record(ctx, m, func(ctx context.Context) error { return r.sendLog.Done(ctx, claim, "", r.now()) })
			return false, nil
		}
	}
	id, err := r.sender.Send(sendCtx, env, m.Raw)
	defer r.settleMembers(ctx, m, members, id, err, sendCtx.Err())
	var perm *mail.PermanentError
	switch {
	case err == nil:
		m.ProviderID, m.Outcome = id, sendlog.StateSent
		r.logger.Info("digest sent", outcomeKey, m.Outcome, "key", m.Key, "messageId", id, "recipients", len(env.Recipients), "bytes", len(m.Raw))
		r.record(ctx, m, func(ctx context.Context) error { return r.sendLog.Done(ctx, claim, id, r.now()) })
		return false, nil
	case errors.As(err, &perm):
		m.Outcome, m.Reason = sendlog.StateFailed, err.Error()
		r.logger.Error("digest rejected for good; not retried", outcomeKey, m.Outcome, "key", m.Key, "recipients", len(m.Recipients), "error", err.Error())
	case mail.Retry(err) && sendCtx.Err() == nil:
		r.abandon(ctx, claim, m)
		return true, err
	default:
		// The request may have reached the provider: a second attempt could
		// deliver a second copy. Keep the record, never resend; alarm.
		m.Outcome, m.Reason = sendlog.StateUnknown, err.Error()
		r.logger.Error("digest send outcome unknown; not resent (check whether it arrived)", outcomeKey, m.Outcome, "key", m.Key,
			"messageIdHeader", m.MessageID, "recipients", len(m.Recipients), "error", err.Error())
	}
	r.record(ctx, m, func(ctx context.Context) error { return r.sendLog.Settle(ctx, claim, m.Outcome, m.Reason, r.now()) })
	return false, err
}

// claimMembers claims each reader's own record of a group message and
// returns the recipients still to be mailed, with their claims. A reader
// already mailed (in another group, before the list changed), of unknown
// outcome, rejected for good or being mailed by another run is left out
// of the envelope; the message's headers still list the group.
func (r *run) claimMembers(ctx context.Context, m *Message) ([]string, []sendlog.Claim, error) {
	var claims []sendlog.Claim
	keep := map[string]bool{}
	for _, mb := range m.members {
		if r.req.RetryFailed {
			if err := r.sendLog.Reopen(ctx, mb.key); err != nil {
				r.releaseMembers(ctx, claims)
				return nil, nil, err
			}
		}
		c, err := r.sendLog.Begin(ctx, mb.key, r.now(), lease)
		switch {
		case err == nil && c.TakenOver:
			// An earlier send to them was never recorded: it may have gone out.
			if err := r.sendLog.Settle(context.WithoutCancel(ctx), c, sendlog.StateUnknown, "claimed by an earlier run whose outcome was never recorded", r.now()); err != nil {
				r.logger.Error("could not record a reader's unknown outcome", "key", mb.key, "error", err.Error())
			}
		case err == nil:
			claims = append(claims, c)
			keep[mb.bare] = true
		case errors.Is(err, sendlog.ErrAlreadySent), errors.Is(err, sendlog.ErrOutcomeUnknown), errors.Is(err, sendlog.ErrFailed),
			errors.Is(err, sendlog.ErrInProgress):
			r.logger.Info("reader settled or being mailed elsewhere; left out of the group", "key", m.Key, "readerKey", mb.key, "reason", err.Error())
		default:
			r.releaseMembers(ctx, claims)
			return nil, nil, err
		}
	}
	var rcpts []string
	for _, rc := range m.Recipients {
		if keep[bareAddress(rc)] {
			rcpts = append(rcpts, rc)
		}
	}
	return rcpts, claims, nil
}

// settleMembers records a group send's outcome on each reader's claim, as
// sendOne does on the group's: sent, failed, unknown, or released when
// the send certainly did not go out.
func (r *run) settleMembers(ctx context.Context, m *Message, claims []sendlog.Claim, id string, err error, windowErr error) {
	if len(claims) == 0 {
		return
	}
	var perm *mail.PermanentError
	for _, c := range claims {
		var write func(context.Context) error
		switch {
		case err == nil:
			write = func(ctx context.Context) error { return r.sendLog.Done(ctx, c, id, r.now()) }
		case errors.As(err, &perm):
			write = func(ctx context.Context) error {
				return r.sendLog.Settle(ctx, c, sendlog.StateFailed, err.Error(), r.now())
			}
		case mail.Retry(err) && windowErr == nil:
			r.releaseMembers(ctx, []sendlog.Claim{c})
			continue
		default:
			write = func(ctx context.Context) error {
				return r.sendLog.Settle(ctx, c, sendlog.StateUnknown, err.Error(), r.now())
			}
		}
		r.record(ctx, m, write)
	}
}

func (r *run) releaseMembers(ctx context.Context, claims []sendlog.Claim) {
	for _, c := range claims {
		if err := r.sendLog.Abandon(context.WithoutCancel(ctx), c); err != nil {
			r.logger.Error("could not release a reader's send claim", "key", c.Key, "error", err.Error())
		}
	}
}

// sendWindow is the context one send runs under: it ends after
// times.Send, and early enough before the caller's deadline to record the
// outcome. With less than times.MinSend left, nothing is started.
func sendWindow(ctx context.Context, times SendTimes) (context.Context, context.CancelFunc, error) {
	end := time.Now().Add(times.Send)
	if dl, ok := ctx.Deadline(); ok && dl.Add(-times.Record).Before(end) {
		end = dl.Add(-times.Record)
	}
	if time.Until(end) < times.MinSend {
		return nil, nil, errNoTime
	}
	sendCtx, cancel := context.WithDeadline(ctx, end)
	return sendCtx, cancel, nil
}

// claim takes the message's send-log claim. skip reports a message that
// needs no send (sent, or of unknown outcome, earlier). ended is when the
// message's period ended (legacyRecord).
func (r *run) claim(ctx context.Context, ended time.Time, m *Message) (c sendlog.Claim, skip bool, err error) {
	if r.sendLog == nil {
		return c, false, nil
	}
	if r.req.RetryFailed {
		if err := r.sendLog.Reopen(ctx, m.Key); err != nil {
			return c, false, err
		}
	}
	if old, err := legacyRecord(ctx, r.sendLog, m.legacyKey, ended); err != nil {
		return c, false, err
	} else if old != nil && !(old.State == sendlog.StateFailed && r.req.RetryFailed) {
		m.Skipped = "recorded " + old.State + " under its old send-log key " + m.legacyKey + "; not resent"
		r.logger.Info("message recorded under its old send-log key; not resending", "key", m.Key, "oldKey", m.legacyKey, "state", old.State)
		return c, true, nil
	}
	c, err = r.sendLog.Begin(ctx, m.Key, r.now(), lease)
	switch {
	case errors.Is(err, sendlog.ErrFailed):
		m.Skipped = "rejected permanently by an earlier run; not retried (digest --send --retry-failed after fixing the cause)"
		r.logger.Info("message rejected permanently earlier; not retrying", "key", m.Key)
		return c, true, nil
	case errors.Is(err, sendlog.ErrAlreadySent):
		m.Skipped = "already sent"
		r.logger.Info("message already sent; skipping", "key", m.Key)
		return c, true, nil
	case errors.Is(err, sendlog.ErrOutcomeUnknown):
		m.Skipped = "outcome of an earlier send unknown; not resent"
		r.logger.Warn("earlier send's outcome unknown; not resending", "key", m.Key)
		return c, true, nil
	case err == nil && c.TakenOver:
		// An earlier run claimed it and never recorded an outcome: it died
		// during the send or could not write the record. Nothing but the
		// send happens under a claim, so the message may have gone out.
		m.Skipped, m.Outcome = "an earlier run's send was never recorded; not resent", sendlog.StateUnknown
		m.Reason = "claimed by an earlier run whose outcome was never recorded"
		r.logger.Error("earlier send never recorded; marked unknown, not resent (check whether it arrived)", outcomeKey, m.Outcome, "key", m.Key,
			"messageIdHeader", m.MessageID)
		r.record(ctx, m, func(ctx context.Context) error { return r.sendLog.Settle(ctx, c, m.Outcome, m.Reason, r.now()) })
		return c, true, nil
	}
	return c, false, err
}

// abandon drops the claim after a send that certainly did not go out.
func (r *run) abandon(ctx context.Context, c sendlog.Claim, m *Message) {
	if r.sendLog == nil {
		return
	}
	if err := r.sendLog.Abandon(context.WithoutCancel(ctx), c); err != nil {
		r.logger.Error("could not release the send claim", "key", m.Key, "error", err.Error())
	}
}

// record writes a message's outcome, retrying with backoff for up to
// times.Record even when the run's own context has ended: an outcome left
// unrecorded leaves the claim in progress until its lease ends, and the
// run after that marks it unknown (it may have been sent) and never sends
// it; a failed send would then read as unknown, and a sent one alarm.
func (r *run) record(ctx context.Context, m *Message, write func(context.Context) error) {
	if r.sendLog == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.times.Record)
	defer cancel()
	delay := recordBackoff
	for attempt := 1; ; attempt++ {
		err := write(ctx)
		if err == nil {
			if attempt > 1 {
				r.logger.Warn("send recorded after retries", "key", m.Key, "attempts", attempt)
			}
			return
		}
		if errors.Is(err, sendlog.ErrClaimLost) || ctx.Err() != nil {
			r.logger.Error("could not record the send outcome; a run after the lease will mark it unknown, not send it", "key", m.Key,
				"state", m.Outcome, "attempts", attempt, "error", err.Error())
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}
