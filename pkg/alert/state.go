// Package alert evaluates real-time threshold rules against Comm100's
// queue and right-now data, keeps each (rule, queue) instance's state, and
// decides notifications from state transitions, the way Grafana and
// Alertmanager do: OK → PENDING → FIRING → OK, a reminder every `repeat`
// while firing, and one RESOLVED when it is over.
//
// Delivery is at least once: a notification is saved in its instance's
// outbox together with the transition that decided it, sent, then cleared;
// whatever an evaluation leaves in an outbox (a failed send, a crash, a
// mail that could not be built) the next one sends, under the same
// Message-ID. A permanent rejection is recorded and not retried.
package alert

import (
	"time"
)

// Status is an instance's state.
type Status string

// Statuses.
const (
	OK      Status = "ok"
	Pending Status = "pending"
	Firing  Status = "firing"
)

// Kind is what a notification says.
type Kind string

// Notification kinds.
const (
	KindFiring   Kind = "firing"
	KindRepeat   Kind = "repeat"
	KindResolved Kind = "resolved"
)

// State is what is remembered about one instance between evaluations.
type State struct {
	Status Status `json:"status"`
	// Since is when the current status began (pending or firing).
	Since time.Time `json:"since"`
	// FiringSince is when it started firing; kept for the resolved mail.
	FiringSince time.Time `json:"firingSince"`
	// Breaches counts consecutive evaluations with the condition true.
	Breaches int `json:"breaches"`
	// Notified is true once a FIRING mail for this episode was decided
	// (put in the outbox); a RESOLVED follows only such an episode.
	Notified     bool      `json:"notified"`
	LastNotified time.Time `json:"lastNotified"`
	// Outbox is the notification decided and not yet known to be sent.
	Outbox *Outbox `json:"outbox,omitempty"`
	// Failed is the last notification the mail service rejected for good;
	// it is kept for the record and never retried.
	Failed *Outbox `json:"failed,omitempty"`
	Value  float64 `json:"value"`
	// Peak is the worst value of the episode.
	Peak float64 `json:"peak"`
	// ThreadID is the Message-ID of the mail that carried FIRING (a grouped
	// mail's id when it went out in one); reminders and RESOLVED reply to it.
	ThreadID string `json:"threadId,omitempty"`
	// Label is the instance's readable name, kept for when the queue vanishes.
	Label string `json:"label,omitempty"`
	// AckedAt is when someone acknowledged this episode (zero: not yet):
	// reminders stop, and the RESOLVED says when.
	AckedAt time.Time `json:"ackedAt,omitzero"`
	// Deliveries are the receivers' notifications decided and not yet
	// delivered (deliver.go): each receiver's own outbox.
	Deliveries []Delivery `json:"deliveries,omitempty"`
	// ReceiverFailed keeps the latest deliveries a receiver refused for good.
	ReceiverFailed []Delivery `json:"receiverFailed,omitempty"`
}

// Outbox is a notification saved with the transition that decided it,
// before it is sent: an evaluation saves the state with the notification
// "to send", sends, then clears it. One still present at a later
// evaluation was left unsent (a failed send, a crash, a mail that could
// not be built, quiet hours) and is sent then.
type Outbox struct {
	Kind Kind `json:"kind"`
	// Decided is when the notification was first decided. It names the
	// mail (Message-ID), so a resend carries the id of the first attempt
	// and clients that drop duplicate ids collapse the copies.
	Decided time.Time `json:"decided"`
	// Claimed is the time of the evaluation sending it. An evaluation of
	// the same time (a duplicate delivery of the schedule) leaves it to
	// that one; a later evaluation takes it over.
	Claimed  time.Time `json:"claimed,omitzero"`
	Attempts int       `json:"attempts,omitempty"`
	// Error is why the last attempt failed.
	Error string `json:"error,omitempty"`
	// Fanned is true once the receivers' deliveries of this notification
	// were decided, so that a resent mail does not notify them again.
	Fanned bool `json:"fanned,omitempty"`
}

func (o *Outbox) is(k Kind) bool { return o != nil && o.Kind == k }

// Observation is one evaluation's view of an instance.
type Observation struct {
	Present bool    // the queue exists in the response
	Value   float64 // the metric's value
	// Silenced is true while a silence covers the instance: nothing is
	// notified, as outside active hours, until it ends.
	Silenced bool
	// Ack is when the current episode was acknowledged (zero: not).
	Ack time.Time
}

// Policy is the part of a rule the state machine needs.
type Policy struct {
	Breached     func(v float64) bool // the firing condition
	Recovered    func(v float64) bool // the resolving condition (hysteresis)
	ForCount     int                  // consecutive evaluations required, or
	ForDuration  time.Duration        // how long the condition must hold
	Repeat       time.Duration        // reminder interval while firing (0: never)
	SendResolved bool
	Active       func(now time.Time) bool // notification window; nil means always
	Worse        func(a, b float64) bool  // a is worse than b
}

// Step moves an instance one evaluation forward and says what to notify.
// It is a pure function: everything it needs is passed in, including now.
func Step(prev State, obs Observation, p Policy, now time.Time) (State, Kind) {
	next := prev
	next.Value = obs.Value
	active := (p.Active == nil || p.Active(now)) && !obs.Silenced
	breached := obs.Present && p.Breached(obs.Value)

	switch prev.Status {
	case "", OK:
		if prev.Outbox.is(KindResolved) {
			if active {
				return toOutbox(next, KindResolved, now, true)
			}
			if !breached {
				return next, "" // the RESOLVED waits for active hours
			}
		}
		if !breached {
			return State{Status: OK, Value: obs.Value}, ""
		}
		next = State{Status: Pending, Since: now, Breaches: 1, Value: obs.Value, Peak: obs.Value}
		if held(next, p, now) {
			return fire(next, now, active)
		}
		return next, ""

	case Pending:
		if !breached {
			return State{Status: OK, Value: obs.Value}, "" // flapped back: no mail
		}
		next.Breaches++
		next.Peak = worst(p, next.Peak, obs.Value)
		if held(next, p, now) {
			return fire(next, now, active)
		}
		return next, ""

	case Firing:
		recovered := !obs.Present || (p.Recovered != nil && p.Recovered(obs.Value)) || (p.Recovered == nil && !p.Breached(obs.Value))
		if recovered {
			resolved := State{Status: OK, Value: obs.Value, FiringSince: prev.FiringSince, Peak: prev.Peak, ThreadID: prev.ThreadID,
				Label: prev.Label, Failed: prev.Failed, AckedAt: prev.AckedAt}
			if prev.Notified && p.SendResolved {
				if active {
					resolved.LastNotified = now
				}
				return toOutbox(resolved, KindResolved, now, active)
			}
			return resolved, ""
		}
		if breached {
			next.Breaches++
		}
		next.Peak = worst(p, next.Peak, obs.Value)
		if next.AckedAt.IsZero() && !obs.Ack.IsZero() {
			next.AckedAt = obs.Ack // acknowledged: no more reminders this episode
		}
		acked := !next.AckedAt.IsZero()
		if acked && prev.Outbox.is(KindRepeat) {
			next.Outbox = nil
		}
		if !active {
			return next, "" // an unsent notification stays in the outbox
		}
		switch {
		case !prev.Notified || prev.Outbox.is(KindFiring):
			// Held while outside active hours, or the first mail was left unsent: send it now.
			next.Notified, next.LastNotified = true, now
			return toOutbox(next, KindFiring, now, true)
		case acked:
		case prev.Outbox.is(KindRepeat),
			p.Repeat > 0 && now.Sub(prev.LastNotified) >= p.Repeat:
			next.LastNotified = now
			return toOutbox(next, KindRepeat, now, true)
		}
		return next, ""
	}
	return next, ""
}

// toOutbox puts a notification in the state's outbox, and returns its kind
// when it may be sent now. A resend of the outbox's notification keeps
// its decision time and attempt count.
func toOutbox(s State, k Kind, now time.Time, active bool) (State, Kind) {
	o := Outbox{Kind: k, Decided: now}
	if s.Outbox.is(k) {
		o = *s.Outbox
		o.Claimed = time.Time{}
	}
	s.Outbox = &o
	if !active {
		return s, ""
	}
	return s, k
}

func worst(p Policy, a, b float64) float64 {
	if p.Worse != nil && p.Worse(b, a) {
		return b
	}
	return a
}

// held reports whether a pending condition has lasted long enough.
func held(s State, p Policy, now time.Time) bool {
	switch {
	case p.ForCount > 0:
		return s.Breaches >= p.ForCount
	case p.ForDuration > 0:
		return now.Sub(s.Since) >= p.ForDuration
	}
	return true
}

func fire(s State, now time.Time, active bool) (State, Kind) {
	s.Status, s.Since, s.FiringSince = Firing, now, now
	if !active {
		return s, "" // firing, but the mail waits for active hours
	}
	s.Notified, s.LastNotified = true, now
	return toOutbox(s, KindFiring, now, true)
}
