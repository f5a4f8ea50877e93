// Package backtest replays the queue history (package history) through
// the alert evaluation the live poller runs — the same alert.Evaluator,
// its Step, `for`, recovery, active hours and no-data rule — with a
// fetcher that answers from the stored snapshots, states in memory and no
// sender. It reports, per rule and scope, the episodes, the minutes
// firing and the mails that would have gone out; run again with --set
// overrides, side by side.
package backtest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"reportmailer/pkg/alert"
	"reportmailer/pkg/config"
	"reportmailer/pkg/history"
	"reportmailer/pkg/reports"
)

// Episode is one stretch of an instance firing.
type Episode struct {
	Start time.Time `json:"start"`
	// End is the evaluation that resolved it; zero while still firing at
	// the end of the backtest (Open).
	End       time.Time `json:"end,omitzero"`
	Open      bool      `json:"open,omitempty"`
	Peak      float64   `json:"peak"`
	PeakText  string    `json:"peakText"`
	AcrossGap bool      `json:"acrossGap,omitempty"` // history has a gap inside it
}

// Mails counts the notifications that would have been sent, by kind.
type Mails struct {
	Firing   int `json:"firing"`
	Repeat   int `json:"reminders"`
	Resolved int `json:"resolved"`
}

// Total is every notification.
func (m Mails) Total() int { return m.Firing + m.Repeat + m.Resolved }

// Scope is one rule's instance (a queue, or the site).
type Scope struct {
	Rule          string    `json:"rule"`
	Instance      string    `json:"instance"`
	Label         string    `json:"label"`
	Episodes      []Episode `json:"episodes"`
	MinutesFiring int       `json:"minutesFiring"`
	Mails         Mails     `json:"mails"`
}

// Result is one replay of the history through one set of rules.
type Result struct {
	Scopes []*Scope `json:"scopes"`
	// Emails is the mails composed (notifications to the same recipients
	// in one evaluation go out as one mail, as live).
	Emails int `json:"emails"`
}

// Scope returns a rule's scope, or nil.
func (r *Result) Scope(rule, instance string) *Scope {
	for _, s := range r.Scopes {
		if s.Rule == rule && s.Instance == instance {
			return s
		}
	}
	return nil
}

// replay answers the real-time endpoints from one stored snapshot.
type replay struct{ cur history.Snapshot }

func (r *replay) RealtimeQueue(context.Context, reports.Query) ([]reports.RealtimeQueue, error) {
	if !r.cur.OK() {
		return nil, errors.New(r.cur.Err)
	}
	return r.cur.RealtimeQueues(), nil
}

func (r *replay) RealtimeRightNow(context.Context, reports.Query) (*reports.RightNow, error) {
	if !r.cur.OK() {
		return nil, errors.New(r.cur.Err)
	}
	if r.cur.RightNow == nil {
		return nil, nil
	}
	rn := *r.cur.RightNow
	return &rn, nil
}

// Replay runs the snapshots (oldest first) through the live evaluation
// with cfg's rules (only ruleID's, plus the no-data rule, when set).
func Replay(ctx context.Context, cfg *config.Config, ruleID string, snaps []history.Snapshot, gaps []history.Gap) (*Result, error) {
	rules, err := alert.Compile(cfg)
	if err != nil {
		return nil, err
	}
	if ruleID != "" {
		var keep []alert.Rule
		for _, r := range rules {
			if r.ID == ruleID {
				keep = append(keep, r)
			}
		}
		if len(keep) == 0 && ruleID != alert.NoDataRule {
			return nil, fmt.Errorf("no alert rule %q", ruleID)
		}
		rules = keep
	}
	src := &replay{}
	states := &alert.MemoryStates{}
	// Sender nil: the mails are composed and recorded as sent, so the
	// states move on exactly as they do live after a send.
	ev := &alert.Evaluator{Config: cfg, Rules: rules, Reports: src, States: states}
	tr := NewTracker(states, rules)
	for _, s := range snaps {
		src.cur = s
		out, err := ev.Evaluate(ctx, s.At)
		if err != nil {
			return nil, fmt.Errorf("backtest at %s: %w", s.At.Format(time.RFC3339), err)
		}
		if err := tr.Observe(ctx, s.At, out); err != nil {
			return nil, err
		}
	}
	res := tr.Result(gaps)
	if ruleID != "" && ruleID != alert.NoDataRule {
		// Asked about one rule: the no-data alert is evaluated (it is part
		// of the evaluation) but not reported.
		var keep []*Scope
		for _, s := range res.Scopes {
			if s.Rule == ruleID {
				keep = append(keep, s)
			}
		}
		res.Scopes = keep
	}
	return res, nil
}

// Tracker follows the states of an evaluator's instances after each
// evaluation and counts its notifications. The backtest uses it on the
// replay; the proving test uses it on the live poller too.
type Tracker struct {
	states alert.StateStore
	rules  map[string]*alert.Rule
	ids    []string
	scopes map[[2]string]*Scope
	open   map[[2]string]*Episode
	emails int
}

// NewTracker tracks the given rules (and the no-data rule) in states.
func NewTracker(states alert.StateStore, rules []alert.Rule) *Tracker {
	t := &Tracker{states: states, rules: map[string]*alert.Rule{}, scopes: map[[2]string]*Scope{}, open: map[[2]string]*Episode{}}
	for i := range rules {
		t.rules[rules[i].ID] = &rules[i]
		t.ids = append(t.ids, rules[i].ID)
	}
	t.ids = append(t.ids, alert.NoDataRule)
	return t
}

func (t *Tracker) scope(rule, instance, label string) *Scope {
	k := [2]string{rule, instance}
	s := t.scopes[k]
	if s == nil {
		s = &Scope{Rule: rule, Instance: instance, Label: label, Episodes: []Episode{}}
		t.scopes[k] = s
	}
	if label != "" {
		s.Label = label
	}
	return s
}

// Observe records one evaluation at `at`: its notifications, then every
// instance's state.
func (t *Tracker) Observe(ctx context.Context, at time.Time, out *alert.Outcome) error {
	t.emails += len(out.Emails)
	for _, n := range out.Notifications {
		s := t.scope(n.RuleID, n.Sample.Instance, n.Sample.Label)
		switch n.Kind {
		case alert.KindFiring:
			s.Mails.Firing++
		case alert.KindRepeat:
			s.Mails.Repeat++
		case alert.KindResolved:
			s.Mails.Resolved++
		}
	}
	for _, id := range t.ids {
		stored, err := t.states.Load(ctx, id)
		if err != nil {
			return err
		}
		for inst, st := range stored {
			k := [2]string{id, inst}
			ep := t.open[k]
			if st.Status != alert.Firing {
				if ep != nil {
					ep.End = at
					t.close(k, ep)
				}
				continue
			}
			s := t.scope(id, inst, st.Label)
			s.MinutesFiring++
			if ep == nil {
				ep = &Episode{Start: st.FiringSince}
				t.open[k] = ep
			}
			ep.Peak = st.Peak
		}
		// An open episode whose instance is no longer stored ended here.
		for k, ep := range t.open {
			if _, ok := stored[k[1]]; k[0] == id && !ok {
				ep.End = at
				t.close(k, ep)
			}
		}
	}
	return nil
}

func (t *Tracker) close(k [2]string, ep *Episode) {
	s := t.scope(k[0], k[1], "")
	s.Episodes = append(s.Episodes, *ep)
	delete(t.open, k)
}

// Result is what was tracked; episodes still firing are marked Open and
// those with a gap of the history inside them AcrossGap.
func (t *Tracker) Result(gaps []history.Gap) *Result {
	for k, ep := range t.open {
		ep.Open = true
		t.close(k, ep)
	}
	res := &Result{Emails: t.emails}
	for _, s := range t.scopes {
		r := t.rules[s.Rule]
		for i := range s.Episodes {
			ep := &s.Episodes[i]
			ep.PeakText = fmt.Sprint(ep.Peak)
			if r != nil {
				ep.PeakText = r.Format(ep.Peak)
			}
			for _, g := range gaps {
				if g.To.After(ep.Start) && (ep.Open || g.From.Before(ep.End)) && s.Rule != alert.NoDataRule {
					ep.AcrossGap = true
				}
			}
		}
		sort.Slice(s.Episodes, func(i, j int) bool { return s.Episodes[i].Start.Before(s.Episodes[j].Start) })
		res.Scopes = append(res.Scopes, s)
	}
	sort.Slice(res.Scopes, func(i, j int) bool {
		a, b := res.Scopes[i], res.Scopes[j]
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Instance < b.Instance
	})
	return res
}
