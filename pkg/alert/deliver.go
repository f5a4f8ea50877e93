package alert

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"reportmailer/pkg/notify"
)

// Delivery is one receiver's notification, decided with the transition
// and saved in the instance's state until it is delivered: each receiver
// has its own outbox, so one failing receiver never holds back another,
// and each gets its notification at least once.
type Delivery struct {
	Receiver string       `json:"receiver"`
	Event    notify.Event `json:"event"`
	Decided  time.Time    `json:"decided"`
	// Claimed is the evaluation attempting it (as Outbox.Claimed).
	Claimed  time.Time `json:"claimed,omitzero"`
	Attempts int       `json:"attempts,omitempty"`
	// Next is the earliest time of the next attempt (backoff, Retry-After).
	Next  time.Time `json:"next,omitzero"`
	Error string    `json:"error,omitempty"`
}

func (d Delivery) same(o Delivery) bool {
	return d.Receiver == o.Receiver && d.Event == o.Event && d.Decided.Equal(o.Decided)
}

// Retry policy of receiver deliveries.
const (
	firstRetry     = time.Minute
	maxRetryWait   = 15 * time.Minute
	maxDeliveryAge = 24 * time.Hour // then a delivery is given up, as permanent
	keepFailed     = 5
)

// AlarmReceiverRejected is the value of the "alarm" field of the one log
// line written when a receiver refuses a notification for good (or it is
// given up); the template's metric filter and alarm match it.
const AlarmReceiverRejected = "AlertReceiverRejected"

// backoff is the wait after the n-th failed attempt: 1, 2, 4 … 15 minutes.
func backoff(n int) time.Duration {
	d := firstRetry << max(0, n-1)
	if d <= 0 || d > maxRetryWait {
		return maxRetryWait
	}
	return d
}

// kindOf is the kind of a named receiver, from the configuration.
func (e *Evaluator) kindOf(name string) string {
	if r, ok := e.Config.Alerts.Receiver(name); ok {
		return r.Kind()
	}
	return ""
}

// fanOut queues the receivers' deliveries for what this step decided: the
// mail's notification (once per decision, however often the mail is
// retried), and PagerDuty's acknowledge when the episode was just
// acknowledged.
func fanOut(prev, next *State, kind Kind, receivers []string, kindOf func(string) string, now time.Time) {
	if kind != "" && next.Outbox != nil && !next.Outbox.Fanned {
		o := *next.Outbox
		o.Fanned = true
		next.Outbox = &o
		ev := eventOf(kind)
		for _, name := range receivers {
			if notify.Wants(kindOf(name), ev) {
				queue(next, name, ev, now)
			}
		}
	}
	if prev.Status == Firing && prev.AckedAt.IsZero() && !next.AckedAt.IsZero() {
		for _, name := range receivers {
			if notify.Wants(kindOf(name), notify.Acknowledged) {
				queue(next, name, notify.Acknowledged, now)
			}
		}
	}
}

// queue adds a delivery to a receiver's outbox. A RESOLVED for a receiver
// that never got the FIRING replaces everything it has pending for the
// episode with nothing: it never heard of it. A reminder waits behind a
// FIRING or reminder still pending.
func queue(s *State, receiver string, ev notify.Event, now time.Time) {
	pending := func(e notify.Event) bool {
		for _, d := range s.Deliveries {
			if d.Receiver == receiver && d.Event == e {
				return true
			}
		}
		return false
	}
	switch ev {
	case notify.Resolved:
		for _, f := range s.ReceiverFailed {
			if f.Receiver == receiver && f.Event == notify.Firing && !f.Decided.Before(s.FiringSince) {
				return // it refused this episode's FIRING: a RESOLVED alone would puzzle
			}
		}
		if pending(notify.Firing) {
			kept := s.Deliveries[:0:0]
			for _, d := range s.Deliveries {
				if d.Receiver != receiver {
					kept = append(kept, d)
				}
			}
			s.Deliveries = kept
			return
		}
	case notify.Reminder:
		if pending(notify.Firing) || pending(notify.Reminder) {
			return
		}
	}
	s.Deliveries = append(s.Deliveries, Delivery{Receiver: receiver, Event: ev, Decided: now})
}

// claimDue marks the deliveries due now as claimed by this evaluation and
// returns them. Each receiver's deliveries go in order: one not yet due
// holds back the later ones of the same receiver (a resolve never
// overtakes its trigger).
func claimDue(s *State, now time.Time) []Delivery {
	if len(s.Deliveries) == 0 {
		return nil
	}
	ds := append([]Delivery(nil), s.Deliveries...)
	var due []Delivery
	blocked := map[string]bool{}
	for i := range ds {
		d := &ds[i]
		if blocked[d.Receiver] {
			continue
		}
		if !d.Claimed.Before(now) || d.Next.After(now) {
			blocked[d.Receiver] = true
			continue
		}
		d.Claimed = now
		due = append(due, *d)
	}
	s.Deliveries = ds
	return due
}

// job is one instance's deliveries due at this evaluation.
type job struct {
	n   *Notification
	due []Delivery
}

// DeliveryResult is what became of one delivery.
type DeliveryResult struct {
	Receiver string
	Kind     string // slack, teams, pagerduty, webhook
	Event    notify.Event
	RuleID   string
	Instance string
	Title    string
	// Err is nil when delivered; Permanent when it will not be retried.
	Err       error
	Permanent bool
	// Skipped is a delivery not attempted: an earlier one to the same
	// receiver failed, or there was no time left.
	Skipped bool
	Dry     bool

	d    Delivery
	send func(context.Context, notify.Receiver) error
}

// String says what became of it, without secrets: "pager resolved: delivered".
func (r *DeliveryResult) String() string {
	s := r.Receiver + " " + string(r.Event) + ": "
	switch {
	case r.Dry:
		return s + "recorded (dry run)"
	case r.Skipped && r.Err == nil:
		return s + "waiting behind an earlier delivery"
	case r.Err == nil:
		return s + "delivered"
	case r.Permanent:
		return s + "refused for good: " + r.Err.Error()
	}
	return s + "will retry: " + r.Err.Error()
}

// deliver sends every due delivery: receivers concurrently (a slow or
// failing one holds back no other), each receiver's in order; then
// records each outcome in its instance's state.
func (e *Evaluator) deliver(ctx context.Context, now time.Time, out *Outcome) {
	if len(out.jobs) == 0 {
		return
	}
	margin, hasDeadline := e.sendMargin(ctx)
	perReceiver := map[string][]*DeliveryResult{}
	var order []string
	byJob := make([][]*DeliveryResult, len(out.jobs))
	for i, j := range out.jobs {
		for _, d := range j.due {
			m := e.message(j.n, d.Event, now)
			r := &DeliveryResult{Receiver: d.Receiver, Kind: e.kindOf(d.Receiver), Event: d.Event, RuleID: j.n.RuleID,
				Instance: j.n.Sample.Instance, Title: m.Title, d: d}
			byJob[i] = append(byJob[i], r)
			if _, ok := perReceiver[d.Receiver]; !ok {
				order = append(order, d.Receiver)
			}
			perReceiver[d.Receiver] = append(perReceiver[d.Receiver], r)
			msg := m
			r.send = func(ctx context.Context, rc notify.Receiver) error { return rc.Send(ctx, msg) }
		}
	}
	var wg sync.WaitGroup
	for _, name := range order {
		wg.Add(1)
		go func(rs []*DeliveryResult) {
			defer wg.Done()
			failed := map[string]bool{} // instance → an earlier delivery failed
			for _, r := range rs {
				switch {
				case failed[r.Instance]:
					r.Skipped = true
				case e.Receivers == nil:
					r.Dry = true
				case hasDeadline && timeLeft(ctx) < margin:
					r.Skipped, r.Err = true, errNoTime
				default:
					rc, ok := e.Receivers[r.Receiver]
					if !ok {
						r.Err, r.Permanent = errors.New("no such receiver in the configuration"), true
						break
					}
					r.Err = r.send(ctx, rc)
					var ne *notify.Error
					r.Permanent = errors.As(r.Err, &ne) && ne.Permanent
					if r.Err != nil {
						failed[r.Instance] = true
					}
				}
			}
		}(perReceiver[name])
	}
	wg.Wait()
	for i, j := range out.jobs {
		e.recordDeliveries(ctx, now, j, byJob[i])
		out.Deliveries = append(out.Deliveries, byJob[i]...)
	}
}

func timeLeft(ctx context.Context) time.Duration {
	d, _ := ctx.Deadline()
	return time.Until(d)
}

// recordDeliveries logs each outcome once and writes them into the
// instance's state: delivered ones leave the outbox, refused ones move to
// ReceiverFailed, the rest wait for their next attempt.
func (e *Evaluator) recordDeliveries(ctx context.Context, now time.Time, j *job, rs []*DeliveryResult) {
	for _, r := range rs {
		e.logDelivery(now, r)
	}
	update := func(s *State) bool {
		ours := false
		var kept []Delivery
		for _, d := range s.Deliveries {
			var r *DeliveryResult
			for _, x := range rs {
				if x.d.same(d) && d.Claimed.Equal(now) {
					r = x
				}
			}
			if r == nil {
				kept = append(kept, d)
				continue
			}
			ours = true
			switch {
			case r.Skipped && r.Err == nil:
				kept = append(kept, d)
			case r.Err == nil:
				// delivered (or recorded as such in a dry run)
			case r.Permanent || now.Sub(d.Decided) >= maxDeliveryAge:
				d.Attempts++
				d.Error = r.Err.Error()
				s.ReceiverFailed = append(s.ReceiverFailed, d)
				if len(s.ReceiverFailed) > keepFailed {
					s.ReceiverFailed = s.ReceiverFailed[len(s.ReceiverFailed)-keepFailed:]
				}
			default:
				d.Attempts++
				d.Error = r.Err.Error()
				wait := backoff(d.Attempts)
				var ne *notify.Error
				if errors.As(r.Err, &ne) && ne.RetryAfter > wait {
					wait = ne.RetryAfter
				}
				if !errors.Is(r.Err, errNoTime) {
					d.Next = now.Add(wait)
				}
				kept = append(kept, d)
			}
		}
		s.Deliveries = kept
		return ours
	}
	e.record(ctx, now, j.n, update)
}

// logDelivery writes one line per outcome: delivered at INFO; a refusal
// (or a delivery given up) once at ERROR with the alarm field; a first
// retryable failure at WARN and later ones at INFO (the outbox counts them).
func (e *Evaluator) logDelivery(now time.Time, r *DeliveryResult) {
	attrs := []any{"receiver", r.Receiver, "receiverKind", r.Kind, "event", string(r.Event), "rule", r.RuleID, "instance", r.Instance}
	switch {
	case r.Dry:
		e.logger().Info("alert delivery recorded (dry run: receivers not contacted)", attrs...)
	case r.Skipped && r.Err == nil:
		e.logger().Info("alert delivery waits for an earlier one to the same receiver", attrs...)
	case r.Err == nil:
		e.logger().Info("alert delivered", attrs...)
	case r.Permanent || now.Sub(r.d.Decided) >= maxDeliveryAge:
		r.Permanent = true
		e.logger().Error("alert receiver refused the notification for good; recorded as failed, not retried",
			append(attrs, "alarm", AlarmReceiverRejected, "attempt", r.d.Attempts+1, "error", r.Err.Error())...)
	default:
		level := slog.LevelWarn
		if r.d.Attempts > 0 {
			level = slog.LevelInfo
		}
		e.logger().Log(context.Background(), level, "alert delivery failed; will retry", append(attrs, "attempt", r.d.Attempts+1, "error", r.Err.Error())...)
	}
}
