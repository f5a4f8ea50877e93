// Package alert evaluates real-time threshold rules against Comm100's
// queue and right-now data, keeps each (rule, queue) instance's state, and
// decides notifications from state transitions, the way Grafana and
// Alertmanager do: OK → PENDING → FIRING → OK, a reminder every `repeat`
// while firing, and one RESOLVED when it is over.
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
	// Notified is true once a FIRING mail for this episode went out.
	Notified     bool      `json:"notified"`
	LastNotified time.Time `json:"lastNotified"`
	// Unsent is a notification that could not be delivered and is retried next time.
	Unsent Kind    `json:"unsent,omitempty"`
	Value  float64 `json:"value"`
	// Peak is the worst value of the episode.
	Peak float64 `json:"peak"`
	// ThreadID is the FIRING mail's Message-ID; reminders and RESOLVED reply to it.
	ThreadID string `json:"threadId,omitempty"`
	// Label is the instance's readable name, kept for when the queue vanishes.
	Label string `json:"label,omitempty"`
}

// Observation is one evaluation's view of an instance.
type Observation struct {
	Present bool    // the queue exists in the response
	Value   float64 // the metric's value
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
	active := p.Active == nil || p.Active(now)

	switch prev.Status {
	case "", OK:
		if prev.Unsent == KindResolved && active {
			next.Unsent = ""
			return next, KindResolved
		}
		if !obs.Present || !p.Breached(obs.Value) {
			next = State{Status: OK, Value: obs.Value}
			return next, ""
		}
		next = State{Status: Pending, Since: now, Breaches: 1, Value: obs.Value, Peak: obs.Value}
		if held(next, p, now) {
			return fire(next, now, active)
		}
		return next, ""

	case Pending:
		if !obs.Present || !p.Breached(obs.Value) {
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
			resolved := State{Status: OK, Value: obs.Value, FiringSince: prev.FiringSince, Peak: prev.Peak, ThreadID: prev.ThreadID, Label: prev.Label}
			if prev.Notified && p.SendResolved {
				if !active {
					resolved.Unsent = KindResolved
					return resolved, ""
				}
				resolved.LastNotified = now
				return resolved, KindResolved
			}
			return resolved, ""
		}
		if obs.Present && p.Breached(obs.Value) {
			next.Breaches++
		}
		next.Peak = worst(p, next.Peak, obs.Value)
		if !active {
			return next, ""
		}
		if !prev.Notified || prev.Unsent == KindFiring {
			// Held while outside active hours, or the first mail failed: send it now.
			next.Notified, next.Unsent, next.LastNotified = true, "", now
			return next, KindFiring
		}
		if p.Repeat > 0 && now.Sub(prev.LastNotified) >= p.Repeat {
			next.LastNotified, next.Unsent = now, ""
			return next, KindRepeat
		}
		return next, ""
	}
	return next, ""
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
	return s, KindFiring
}
