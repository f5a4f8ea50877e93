package digest

import (
	"context"
	"fmt"
	"time"

	"reportmailer/pkg/config"
)

// Cleared is one send-log record that ClearForResend deleted.
type Cleared struct {
	Key    string
	State  string    // what it said: sent, unknown, failed (or a lapsed in-progress claim)
	SentAt time.Time // when that was recorded (zero for a claim)
}

func (c Cleared) String() string { return c.Key + " (" + c.State + ")" }

// ClearForResend deletes the send-log records that stop req's period of
// the digest from being sent again (`digest --send --resend PERIOD`):
// every message of every copy, or, with to, only what stops that
// reader's copy: their personal message, or their group's record and
// their own (a group send then mails them alone, claimMembers leaving out
// the readers still recorded). Records of other periods and digests are
// never touched: the keys are the ones a run of this period plans. A
// claim being sent right now is refused. It returns what it deleted; the
// caller then runs the digest with Send.
func ClearForResend(ctx context.Context, cfg *config.Config, deps Deps, req Request, to string) ([]Cleared, error) {
	if deps.SendLog == nil {
		return nil, fmt.Errorf("no send log (TABLE_NAME): nothing to clear")
	}
	req.Send, req.TestTo, req.RetryFailed = true, "", false
	r, err := newRun(cfg, deps, req)
	if err != nil {
		return nil, err
	}
	p, err := resolvePeriod(r)
	if err != nil {
		return nil, err
	}
	if p, _, err = planRecipients(ctx, r, p); err != nil {
		return nil, err
	}
	var keys []string
	bare := ""
	if to != "" {
		bare = bareAddress(to)
	}
	for _, sc := range p.scopes {
		for _, dl := range sc.deliveries {
			keys = append(keys, resendKeys(dl, bare)...)
		}
	}
	if bare != "" && len(keys) == 0 {
		return nil, fmt.Errorf("%s does not receive %s for %s (not listed, or unsubscribed)", to, r.d.ID, p.period.Span())
	}
	var out []Cleared
	for _, k := range keys {
		rec, err := r.sendLog.Forget(ctx, k, r.now())
		if err != nil {
			return out, err
		}
		if rec != nil {
			out = append(out, Cleared{Key: k, State: rec.State, SentAt: rec.SentAt})
			r.logger.Warn("send-log record cleared for a re-send", "key", k, "state", rec.State)
		}
	}
	return out, nil
}

// resendKeys are the keys of dl to clear: all of them, or with bare only
// if bare is among its readers, and then only its group's and its own
// (not the group's old positional key, which other readers share).
func resendKeys(dl delivery, bare string) []string {
	if bare == "" {
		keys := []string{dl.key, dl.legacy}
		for _, m := range dl.members {
			keys = append(keys, m.key)
		}
		return keys
	}
	if dl.personal != "" {
		if dl.personal == bare {
			return []string{dl.key, dl.legacy}
		}
		return nil
	}
	for _, m := range dl.members {
		if m.bare == bare {
			return []string{dl.key, m.key}
		}
	}
	return nil
}
