package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"reportmailer/pkg/config"
	"reportmailer/pkg/format"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/reports"
)

// Fetcher reads the real-time endpoints.
type Fetcher interface {
	RealtimeQueue(ctx context.Context, q reports.Query) ([]reports.RealtimeQueue, error)
	RealtimeRightNow(ctx context.Context, q reports.Query) (*reports.RightNow, error)
}

// Evaluator evaluates every rule once per call.
type Evaluator struct {
	Config  *config.Config
	Rules   []Rule
	Reports Fetcher
	Store   Store
	Sender  mail.Sender // nil: compose only (dry run)
	Logger  *slog.Logger
}

// NoDataRule is the id of the built-in "Comm100 data unavailable" alert.
const NoDataRule = "comm100-data-unavailable"

// Notification is one instance's transition worth a mail.
type Notification struct {
	Rule     *Rule // nil for the no-data alert
	RuleID   string
	Sample   Sample
	Kind     Kind
	State    State
	Version  int64
	Prev     State
	To       []string
	Severity string
}

// Email is a composed (and maybe sent) notification mail.
type Email struct {
	Subject       string
	To            []string
	Raw           []byte
	ID            string
	Notifications []*Notification
	Err           error
}

// Outcome is what one evaluation did.
type Outcome struct {
	FetchError    error
	Notifications []*Notification
	Emails        []*Email
}

func (e *Evaluator) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

func (e *Evaluator) needs() (queue, site bool) {
	for _, r := range e.Rules {
		if r.siteWide {
			site = true
		} else {
			queue = true
		}
	}
	return
}

// snapshot fetches the real-time data the rules need, concurrently.
func (e *Evaluator) snapshot(ctx context.Context) ([]reports.RealtimeQueue, *reports.RightNow, error) {
	needQueue, needSite := e.needs()
	var queues []reports.RealtimeQueue
	var now *reports.RightNow
	var qErr, sErr error
	var wg sync.WaitGroup
	if needQueue {
		wg.Add(1)
		go func() { defer wg.Done(); queues, qErr = e.Reports.RealtimeQueue(ctx, reports.Query{}) }()
	}
	if needSite {
		wg.Add(1)
		go func() { defer wg.Done(); now, sErr = e.Reports.RealtimeRightNow(ctx, reports.Query{}) }()
	}
	wg.Wait()
	return queues, now, errors.Join(qErr, sErr)
}

func names(cfg *config.Config) format.Names {
	return format.Names{reports.GroupAgent: cfg.Names.Agents, reports.GroupDepartment: cfg.Names.Departments}
}

// Evaluate runs one evaluation at now (the schedule's time).
func (e *Evaluator) Evaluate(ctx context.Context, now time.Time) (*Outcome, error) {
	out := &Outcome{}
	queues, rightNow, fetchErr := e.snapshot(ctx)
	out.FetchError = fetchErr
	if fetchErr != nil {
		// A single failed poll is logged, not mailed; the no-data alert counts them.
		e.logger().Warn("real-time fetch failed", "reason", reports.Reason(fetchErr), "error", fetchErr.Error())
	}
	if err := e.noData(ctx, fetchErr != nil, now, out); err != nil {
		return out, err
	}
	if fetchErr == nil {
		for i := range e.Rules {
			if err := e.evaluateRule(ctx, &e.Rules[i], queues, rightNow, now, out); err != nil {
				return out, err
			}
		}
	}
	e.compose(now, out)
	if e.Sender != nil {
		e.send(ctx, now, out)
	}
	return out, nil
}

func (e *Evaluator) noData(ctx context.Context, failed bool, now time.Time, out *Outcome) error {
	v := 0.0
	if failed {
		v = 1
	}
	p := Policy{Breached: func(x float64) bool { return x >= 1 }, ForCount: max(1, e.Config.Alerts.NoDataAfter), SendResolved: true}
	to := e.Config.Alerts.NoDataTo
	if len(to) == 0 {
		for _, r := range e.Rules {
			to = append(to, r.To...)
		}
	}
	sample := Sample{Instance: "comm100", Label: "Comm100 Report API", Obs: Observation{Present: true, Value: v}}
	return e.apply(ctx, nil, NoDataRule, p, []Sample{sample}, dedupe(to), "critical", now, out)
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func (e *Evaluator) evaluateRule(ctx context.Context, r *Rule, queues []reports.RealtimeQueue, rn *reports.RightNow, now time.Time, out *Outcome) error {
	samples := r.Observe(queues, rn, names(e.Config))
	return e.apply(ctx, r, r.ID, r.Policy, samples, r.To, r.Severity, now, out)
}

// apply steps every instance of a rule: those observed now, and stored
// ones that vanished (a vanished queue counts as resolved).
func (e *Evaluator) apply(ctx context.Context, r *Rule, ruleID string, p Policy, samples []Sample, to []string, severity string, now time.Time, out *Outcome) error {
	stored, err := e.Store.Load(ctx, ruleID)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, s := range samples {
		seen[s.Instance] = true
	}
	var vanished []string
	for inst, st := range stored {
		if !seen[inst] && (st.Status != OK || st.Unsent != "") {
			vanished = append(vanished, inst)
		}
	}
	sort.Strings(vanished)
	for _, inst := range vanished {
		label := stored[inst].Label
		if label == "" {
			label = inst
		}
		samples = append(samples, Sample{Instance: inst, Label: label, Obs: Observation{Present: false}})
	}
	for _, s := range samples {
		prev := stored[s.Instance]
		next, kind := Step(prev.State, s.Obs, p, now)
		if next.Status != OK || next.Unsent != "" {
			next.Label = s.Label
		}
		if kind == KindFiring {
			next.ThreadID = threadID(ruleID, s.Instance, next.FiringSince)
		}
		if next.Status == OK && prev.Status == OK && prev.Unsent == "" && kind == "" {
			continue // nothing to remember: no write every minute for quiet queues
		}
		ver, err := e.Store.Save(ctx, ruleID, s.Instance, next, prev.Version, now)
		if errors.Is(err, ErrConflict) {
			// Another evaluation got here first and owns this transition.
			e.logger().Info("alert state changed concurrently; leaving it to the other evaluation", "rule", ruleID, "instance", s.Instance)
			continue
		}
		if err != nil {
			return err
		}
		e.logger().Debug("alert evaluated", "rule", ruleID, "instance", s.Instance, "status", string(next.Status), "value", s.Obs.Value)
		if kind != "" {
			out.Notifications = append(out.Notifications, &Notification{Rule: r, RuleID: ruleID, Sample: s, Kind: kind, State: next,
				Version: ver, Prev: prev.State, To: to, Severity: severity})
		}
	}
	return nil
}

func threadID(rule, instance string, since time.Time) string {
	clean := strings.NewReplacer(":", ".", "#", ".", " ", "").Replace(instance)
	return fmt.Sprintf("alert.%s.%s.%d@reportmailer", rule, clean, since.Unix())
}

// send sends each email; a failure marks its notifications unsent so the
// next evaluation tries again.
func (e *Evaluator) send(ctx context.Context, now time.Time, out *Outcome) {
	from := e.Config.Alerts.From
	if from == "" {
		from = e.Config.Mail.From
	}
	for _, em := range out.Emails {
		if em.Err != nil { // could not be composed; logged by compose
			continue
		}
		env := mail.Envelope{From: from, Recipients: em.To, ConfigurationSet: e.Config.Mail.ConfigurationSet, Tags: e.Config.Mail.Tags}
		em.ID, em.Err = e.Sender.Send(ctx, env, em.Raw)
		if em.Err == nil {
			e.logger().Info("alert mail sent", "subject", em.Subject, "messageId", em.ID, "alerts", len(em.Notifications))
			continue
		}
		e.logger().Error("alert mail failed; will retry next evaluation", "subject", em.Subject, "error", em.Err.Error())
		for _, n := range em.Notifications {
			s := n.State
			switch n.Kind {
			case KindFiring:
				s.Notified, s.Unsent = false, KindFiring
			case KindRepeat:
				s.LastNotified = n.Prev.LastNotified
			case KindResolved:
				s.Unsent = KindResolved
			}
			if _, err := e.Store.Save(context.WithoutCancel(ctx), n.RuleID, n.Sample.Instance, s, n.Version, now); err != nil {
				e.logger().Error("could not record the failed alert mail", "rule", n.RuleID, "error", err.Error())
			}
		}
	}
}
