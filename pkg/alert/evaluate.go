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
	"reportmailer/pkg/history"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/notify"
	"reportmailer/pkg/oncall"
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
	States  StateStore
	// Sender nil is a dry run: mails are composed, not sent, and recorded
	// as sent so the states move on as they would have.
	Sender mail.Sender
	Logger *slog.Logger
	// Reserve is the time kept before the context's deadline for recording
	// state and sending once the fetch is over, so that a hanging API still
	// counts as a failed poll. Zero: a third of the time left, at most 10 s.
	Reserve time.Duration
	// Receivers deliver to the rules' notify names. Nil is a dry run for
	// them: deliveries are recorded as done, nothing is posted.
	Receivers map[string]notify.Receiver
	// OnCall holds acknowledgements and silences (nil: none).
	OnCall oncall.Store
	// Links signs the acknowledge and silence links (nil: no such links).
	Links LinkIssuer
	// History, when set, keeps every poll's snapshot (both endpoints, or
	// the failure) for backtests and digests; nil keeps nothing.
	History history.Writer
	// Templates are the mail's templates (nil: the embedded ones).
	Templates *Templates
}

// New compiles the config's alert rules into an evaluator.
func New(cfg *config.Config, fetcher Fetcher, states StateStore, sender mail.Sender, logger *slog.Logger) (*Evaluator, error) {
	rules, err := Compile(cfg)
	if err != nil {
		return nil, err
	}
	return &Evaluator{Config: cfg, Rules: rules, Reports: fetcher, States: states, Sender: sender, Logger: logger}, nil
}

// NoDataRule is the id of the built-in "Comm100 data unavailable" alert.
const NoDataRule = config.NoDataRuleID

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
	// Notify names the receivers besides mail.
	Notify []string
}

// Email is a composed (and maybe sent) notification mail.
type Email struct {
	Subject       string
	To            []string
	Raw           []byte
	MessageID     string // the Message-ID header, without angle brackets
	ID            string // the mail service's id, once sent
	Notifications []*Notification
	// Err is why the mail was not sent; it is retried next evaluation
	// unless Permanent (the mail service rejected it for good).
	Err       error
	Permanent bool
}

// Outcome is what one evaluation did.
type Outcome struct {
	FetchError    error
	Notifications []*Notification
	Emails        []*Email
	// Deliveries are the receivers' deliveries attempted (or, in a dry
	// run, recorded) by this evaluation.
	Deliveries []*DeliveryResult
	// jobs are the instances with receiver deliveries due now.
	jobs []*job
	// unmailed are notifications for rules without mail recipients.
	unmailed []*Notification
	// control is the acknowledgements and silences read at the start.
	control oncall.State
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

// snapshot fetches the real-time data the rules need, concurrently; with
// History set, both endpoints, though only a needed one's failure fails
// the poll (the other is then stored as absent).
func (e *Evaluator) snapshot(ctx context.Context) ([]reports.RealtimeQueue, *reports.RightNow, error) {
	needQueue, needSite := e.needs()
	var queues []reports.RealtimeQueue
	var now *reports.RightNow
	var qErr, sErr error
	var wg sync.WaitGroup
	keep := e.History != nil
	if needQueue || keep {
		wg.Add(1)
		go func() { defer wg.Done(); queues, qErr = e.Reports.RealtimeQueue(ctx, reports.Query{}) }()
	}
	if needSite || keep {
		wg.Add(1)
		go func() { defer wg.Done(); now, sErr = e.Reports.RealtimeRightNow(ctx, reports.Query{}) }()
	}
	wg.Wait()
	if !needQueue && qErr != nil {
		queues, qErr = nil, nil
	}
	if !needSite && sErr != nil {
		now, sErr = nil, nil
	}
	return queues, now, errors.Join(qErr, sErr)
}

// reserve is the time kept after the fetch for state and mail.
func (e *Evaluator) reserve(ctx context.Context) (time.Duration, bool) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return 0, false
	}
	if e.Reserve > 0 {
		return e.Reserve, true
	}
	return min(10*time.Second, time.Until(deadline)/3), true
}

// fetchContext ends the fetch early enough to record its failure: the
// Comm100 client's per-attempt timeout may be as long as the whole
// invocation.
func (e *Evaluator) fetchContext(ctx context.Context) (context.Context, context.CancelFunc) {
	r, ok := e.reserve(ctx)
	if !ok {
		return context.WithCancel(ctx)
	}
	deadline, _ := ctx.Deadline()
	return context.WithDeadline(ctx, deadline.Add(-r))
}

// Evaluate runs one evaluation at now (the schedule's time). When ctx has
// a deadline (the Lambda's), the fetch ends Reserve before it.
func (e *Evaluator) Evaluate(ctx context.Context, now time.Time) (*Outcome, error) {
	out := &Outcome{}
	fetchCtx, cancel := e.fetchContext(ctx)
	queues, rightNow, fetchErr := e.snapshot(fetchCtx)
	cancel()
	out.FetchError = fetchErr
	e.keep(ctx, now, queues, rightNow, fetchErr)
	if fetchErr != nil {
		// A single failed poll is logged, not mailed; the no-data alert counts them.
		e.logger().Warn("real-time fetch failed", "reason", reports.Reason(fetchErr), "error", fetchErr.Error())
	}
	if e.OnCall != nil {
		ctl, err := e.OnCall.Load(ctx)
		if err != nil {
			// Alerts go on without them rather than not at all.
			e.logger().Warn("acknowledgements and silences could not be read; evaluating without them", "error", err.Error())
		}
		out.control = ctl
	}
	// A state that cannot be read or written fails its own instances only:
	// what was decided (and saved in the outbox) elsewhere still goes out.
	errs := []error{e.noData(ctx, fetchErr != nil, now, out)}
	if fetchErr == nil {
		for i := range e.Rules {
			errs = append(errs, e.evaluateRule(ctx, &e.Rules[i], queues, rightNow, now, out))
		}
	}
	e.compose(now, out)
	e.send(ctx, now, out)
	e.deliver(ctx, now, out)
	return out, errors.Join(errs...)
}

// keep stores the poll's snapshot. A history that cannot be written is
// logged, never a reason to fail (and so retry) the alert evaluation.
func (e *Evaluator) keep(ctx context.Context, now time.Time, queues []reports.RealtimeQueue, rn *reports.RightNow, fetchErr error) {
	if e.History == nil {
		return
	}
	if err := e.History.Put(ctx, history.FromPoll(now, queues, rn, fetchErr)); err != nil {
		e.logger().Error("could not keep the poll in the queue history", "error", err.Error())
	}
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
	receivers := e.Config.Alerts.NoDataNotify
	if len(receivers) == 0 {
		for _, r := range e.Rules {
			receivers = append(receivers, r.Notify...)
		}
	}
	sample := Sample{Instance: "comm100", Label: "Comm100 Report API", Obs: Observation{Present: true, Value: v}}
	return e.apply(ctx, nil, NoDataRule, p, []Sample{sample}, target{to: dedupe(to), notify: dedupe(receivers), severity: "critical"}, now, out)
}

// target is where a rule's notifications go.
type target struct {
	to, notify []string
	severity   string
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
	samples := r.Observe(queues, rn, e.Config.DisplayNames())
	return e.apply(ctx, r, r.ID, r.Policy, samples, target{to: r.To, notify: r.Notify, severity: r.Severity}, now, out)
}

// apply steps every instance of a rule: those observed now, and stored
// ones that vanished (a vanished queue counts as resolved).
func (e *Evaluator) apply(ctx context.Context, r *Rule, ruleID string, p Policy, samples []Sample, tg target, now time.Time, out *Outcome) error {
	stored, err := e.States.Load(ctx, ruleID)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, s := range samples {
		seen[s.Instance] = true
	}
	var vanished []string
	for inst, st := range stored {
		if !seen[inst] && (st.Status != OK || st.Outbox != nil || len(st.Deliveries) > 0) {
			vanished = append(vanished, inst)
		}
	}
	sort.Strings(vanished)
	var errs []error
	for _, inst := range vanished {
		label := stored[inst].Label
		if label == "" {
			label = inst
		}
		samples = append(samples, Sample{Instance: inst, Label: label, Obs: Observation{Present: false}})
	}
	for _, s := range samples {
		prev := stored[s.Instance]
		if o := prev.Outbox; o != nil && !o.Claimed.IsZero() && !o.Claimed.Before(now) {
			// An evaluation of this same time is sending it (a duplicate
			// delivery of the schedule); a later one retries it if it was not.
			e.logger().Info("alert notification claimed by another evaluation", "rule", ruleID, "instance", s.Instance)
			continue
		}
		obs := s.Obs
		obs.Silenced = out.control.Silenced(ruleID, s.Instance, now)
		if prev.Status == Firing {
			obs.Ack = out.control.Acked(ruleID, s.Instance, prev.FiringSince.Unix())
		}
		next, kind := Step(prev.State, obs, p, now)
		if next.Status != OK || next.Outbox != nil {
			next.Label = s.Label
		}
		if kind == KindFiring {
			next.ThreadID = threadID(ruleID, s.Instance, next.FiringSince)
		}
		// The receivers' outboxes travel beside the state machine's.
		next.Deliveries, next.ReceiverFailed = prev.Deliveries, prev.ReceiverFailed
		fanOut(&prev.State, &next, kind, tg.notify, e.kindOf, now)
		due := claimDue(&next, now)
		if kind != "" {
			// The outbox: saved as "to send" with the transition, claimed by
			// this evaluation; the version check makes the claim exclusive.
			o := *next.Outbox
			o.Claimed = now
			next.Outbox = &o
		}
		if next.Status == OK && prev.Status == OK && prev.Outbox == nil && kind == "" && len(prev.Deliveries) == 0 {
			continue // nothing to remember: no write every minute for quiet queues
		}
		ver, err := e.States.Save(ctx, ruleID, s.Instance, next, prev.Version, now)
		if errors.Is(err, ErrConflict) {
			// Another evaluation got here first and owns this transition.
			e.logger().Info("alert state changed concurrently; leaving it to the other evaluation", "rule", ruleID, "instance", s.Instance)
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		e.logger().Debug("alert evaluated", "rule", ruleID, "instance", s.Instance, "status", string(next.Status), "value", s.Obs.Value)
		n := &Notification{Rule: r, RuleID: ruleID, Sample: s, Kind: kind, State: next,
			Version: ver, Prev: prev.State, To: tg.to, Severity: tg.severity, Notify: tg.notify}
		if kind != "" {
			out.Notifications = append(out.Notifications, n)
		}
		if len(due) > 0 {
			out.jobs = append(out.jobs, &job{n: n, due: due})
		}
	}
	return errors.Join(errs...)
}

func threadID(rule, instance string, since time.Time) string {
	clean := strings.NewReplacer(":", ".", "#", ".", " ", "").Replace(instance)
	return fmt.Sprintf("alert.%s.%s.%d@reportmailer", rule, clean, since.Unix())
}

// sendMargin is the least time left before the deadline for starting a
// send; with less, the mail stays in the outbox for the next evaluation
// rather than risk an ambiguous send cut off by the deadline.
func (e *Evaluator) sendMargin(ctx context.Context) (time.Duration, bool) {
	r, ok := e.reserve(ctx)
	return min(3*time.Second, r/2), ok
}

// errNoTime is a send not started for lack of time before the deadline.
var errNoTime = errors.New("too little time left before the deadline to send; left for the next evaluation")

// send sends each email and settles its notifications' outboxes: sent,
// failed for good, or left to retry at the next evaluation.
func (e *Evaluator) send(ctx context.Context, now time.Time, out *Outcome) {
	from := e.Config.Alerts.From
	if from == "" {
		from = e.Config.Mail.From
	}
	margin, hasDeadline := e.sendMargin(ctx)
	for _, em := range out.Emails {
		if em.Err == nil && e.Sender != nil {
			if deadline, _ := ctx.Deadline(); hasDeadline && time.Until(deadline) < margin {
				em.Err = errNoTime
			} else {
				env := mail.Envelope{From: from, Recipients: em.To, ConfigurationSet: e.Config.Mail.ConfigurationSet, Tags: e.Config.Mail.Tags}
				em.ID, em.Err = e.Sender.Send(ctx, env, em.Raw)
			}
		}
		e.settle(ctx, now, em, e.outcome(em))
	}
	// A rule without mail recipients notifies its receivers only: its
	// outbox is settled as if the mail had gone.
	if len(out.unmailed) > 0 {
		e.settle(ctx, now, &Email{Notifications: out.unmailed}, func(s *State, _ *Notification) { s.Outbox = nil })
	}
}

// outcome logs what became of an email and returns how to record it in
// each of its notifications' states.
func (e *Evaluator) outcome(em *Email) func(*State, *Notification) {
	var perm *mail.PermanentError
	switch {
	case em.Err == nil:
		if e.Sender == nil {
			e.logger().Info("alert mail composed (dry run)", "subject", em.Subject, "alerts", len(em.Notifications))
		} else {
			e.logger().Info("alert mail sent", "subject", em.Subject, "messageId", em.ID, "alerts", len(em.Notifications))
		}
		return func(s *State, n *Notification) {
			s.Outbox = nil
			if n.Kind == KindFiring {
				s.ThreadID = em.MessageID // a grouped mail's id becomes each alert's thread
			}
		}
	case errors.As(em.Err, &perm):
		em.Permanent = true
		// "outcome": "failed" is what the stack's Undelivered metric filter
		// counts (as for digests): nothing else says on-call was not mailed.
		e.logger().Error("alert mail rejected for good; recorded as failed, not retried", "subject", em.Subject,
			"alerts", len(em.Notifications), "outcome", "failed", "error", em.Err.Error())
		return func(s *State, _ *Notification) {
			failed := *s.Outbox
			failed.Attempts++
			failed.Error = em.Err.Error()
			s.Failed, s.Outbox = &failed, nil
		}
	}
	attempt := 1
	if o := em.Notifications[0].State.Outbox; o != nil {
		attempt += o.Attempts
	}
	level := slog.LevelError
	if attempt > 1 {
		level = slog.LevelWarn // said once as an error; the outbox counts the rest
	}
	e.logger().Log(context.Background(), level, "alert mail not sent; will retry next evaluation", "subject", em.Subject,
		"attempt", attempt, "error", em.Err.Error())
	return func(s *State, _ *Notification) {
		o := *s.Outbox
		o.Attempts++
		o.Error = em.Err.Error()
		s.Outbox = &o
	}
}

// settleTries bounds the writes that settle one outbox: a "sent" that is
// not recorded means the mail goes again at the next evaluation.
const settleTries = 4

// settle writes the outcome of an email into each notification's state.
func (e *Evaluator) settle(ctx context.Context, now time.Time, em *Email, update func(*State, *Notification)) {
	for _, n := range em.Notifications {
		e.record(ctx, now, n, func(s *State) bool {
			if s.Outbox == nil || s.Outbox.Kind != n.Kind || !s.Outbox.Claimed.Equal(now) {
				return false
			}
			update(s, n)
			return true
		})
	}
}

// record writes an outcome into a notification's state. It retries a
// failed write with backoff, and after a version conflict re-reads the
// state and applies the outcome again if update finds there what this
// evaluation claimed (update returns false when it does not).
func (e *Evaluator) record(ctx context.Context, now time.Time, n *Notification, update func(*State) bool) {
	// Recording must outlive a cancelled send context: the mail is out.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	s, version := n.State, n.Version
	if !update(&s) {
		return
	}
	var err error
	for try := 1; try <= settleTries; try++ {
		var ver int64
		ver, err = e.States.Save(ctx, n.RuleID, n.Sample.Instance, s, version, now)
		if err == nil {
			n.State, n.Version = s, ver
			break
		}
		if errors.Is(err, ErrConflict) {
			cur, ok := e.current(ctx, n)
			s, version = cur.State, cur.Version
			if !ok || !update(&s) {
				e.logger().Warn("alert state moved on while the notification was out; outcome not recorded", "rule", n.RuleID, "instance", n.Sample.Instance)
				err = nil
				break
			}
			continue
		}
		if try < settleTries {
			select {
			case <-time.After(time.Duration(50<<try) * time.Millisecond):
			case <-ctx.Done():
			}
		}
	}
	if err != nil {
		e.logger().Error("could not record the alert notification's outcome", "rule", n.RuleID, "instance", n.Sample.Instance, "error", err.Error())
	}
}

// current re-reads one notification's stored state.
func (e *Evaluator) current(ctx context.Context, n *Notification) (Stored, bool) {
	all, err := e.States.Load(ctx, n.RuleID)
	if err != nil {
		return Stored{}, false
	}
	cur, ok := all[n.Sample.Instance]
	return cur, ok
}
