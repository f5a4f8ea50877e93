package alert_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"reportmailer/pkg/alert"
	"reportmailer/pkg/config"
	gomail "reportmailer/pkg/mail"
	"reportmailer/pkg/reports"
)

const sales = "d-sales"

// script is a fake Fetcher: one snapshot per evaluation.
type script struct {
	step  int
	queue func(step int) ([]reports.RealtimeQueue, error)
}

func (s *script) RealtimeQueue(context.Context, reports.Query) ([]reports.RealtimeQueue, error) {
	return s.queue(s.step)
}

func (s *script) RealtimeRightNow(context.Context, reports.Query) (*reports.RightNow, error) {
	n := 3.0
	return &reports.RightNow{LoggedInAgents: 2, CurrentQueueLength: &n}, nil
}

func queueOf(route reports.RouteTo, n int) reports.RealtimeQueue {
	q := reports.RealtimeQueue{RouteTo: route, OngoingChats: 4, AvgWaitTimeInLast30Mins: 40}
	for i := 0; i < n; i++ {
		q.Queue = append(q.Queue, reports.QueuedVisitor{VisitorID: fmt.Sprint(i), WaitTime: float64(30 * (n - i))})
	}
	return q
}

func salesQueue(n int) []reports.RealtimeQueue {
	return []reports.RealtimeQueue{queueOf(reports.RouteTo{Type: reports.RouteSite}, 0), queueOf(reports.RouteTo{Type: reports.RouteDepartment, ID: sales}, n)}
}

func cfg(t *testing.T, rules string) *config.Config {
	t.Helper()
	c, err := config.Load([]byte(`
mail: {from: "On call <oncall@example.com>"}
names: {departments: {d-sales: Sales}}
alerts:
  noDataAfter: 3
  noDataTo: [oncall@example.com]
  rules:
` + rules))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const queueRule = `
    - {id: queue-long, metric: queue.length, queue: "department:d-sales", op: ">", threshold: 8, for: 3m, repeat: 5m, to: [oncall@example.com], severity: critical}
`

type run struct {
	ev     *alert.Evaluator
	sender *gomail.Memory
	fetch  *script
}

func newRun(t *testing.T, rules string, queue func(int) ([]reports.RealtimeQueue, error)) *run {
	t.Helper()
	return newRunConfig(t, cfg(t, rules), queue)
}

func newRunConfig(t *testing.T, c *config.Config, queue func(int) ([]reports.RealtimeQueue, error)) *run {
	t.Helper()
	compiled, err := alert.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	r := &run{sender: &gomail.Memory{}, fetch: &script{queue: queue}}
	r.ev = &alert.Evaluator{Config: c, Rules: compiled, Reports: r.fetch, States: &alert.MemoryStates{}, Sender: r.sender}
	return r
}

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // a Monday

// subjects evaluates once a minute for n minutes and returns, per minute,
// the subjects mailed ("" when none).
func (r *run) subjects(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		r.fetch.step = i
		before := len(r.sender.Messages())
		if _, err := r.ev.Evaluate(context.Background(), t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range r.sender.Messages()[before:] {
			msg, err := mail.ReadMessage(strings.NewReader(string(m.Raw)))
			if err != nil {
				t.Fatal(err)
			}
			s, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			got = append(got, s)
		}
		out = append(out, strings.Join(got, " | "))
	}
	return out
}

func compact(subjects []string) []string {
	var out []string
	for i, s := range subjects {
		if s != "" {
			out = append(out, fmt.Sprintf("t%d %s", i, s))
		}
	}
	return out
}

func sequence(values ...int) func(int) ([]reports.RealtimeQueue, error) {
	return func(step int) ([]reports.RealtimeQueue, error) {
		v := values[min(step, len(values)-1)]
		if v < 0 {
			return salesQueue(0)[:1], nil // the Sales queue is gone
		}
		return salesQueue(v), nil
	}
}

func TestStateMachineScenarios(t *testing.T) {
	tests := []struct {
		name   string
		rules  string
		values []int
		want   []string
	}{
		{"flapping value never holds for 3m", queueRule, []int{9, 3, 9, 9, 3, 9, 9, 9, 2, 0}, nil},
		{"steady breach: one FIRING, reminders at the repeat interval only", queueRule, []int{9, 9, 9, 9, 9, 10, 10, 10, 10, 10, 10, 10, 10},
			[]string{"t3 [FIRING] Queue length 9 > 8 for 3m — Department: Sales", "t8 [STILL FIRING] Queue length 10 > 8 — Department: Sales"}},
		{"recovery: one RESOLVED", queueRule, []int{12, 12, 12, 12, 5, 5},
			[]string{"t3 [FIRING] Queue length 12 > 8 for 3m — Department: Sales", "t4 [RESOLVED] Queue length back to 5 — Department: Sales"}},
		{"hysteresis: no resolve until back below recovery", `
    - {id: queue-long, metric: queue.length, queue: "department:d-sales", op: ">", threshold: 8, recovery: 4, for: "2", repeat: 1h, to: [oncall@example.com]}
`, []int{9, 9, 7, 9, 7, 8, 4},
			[]string{"t1 [FIRING] Queue length 9 > 8 for 2 checks — Department: Sales", "t6 [RESOLVED] Queue length back to 4 — Department: Sales"}},
		{"queue vanishing counts as resolved", queueRule, []int{9, 9, 9, 9, -1, -1},
			[]string{"t3 [FIRING] Queue length 9 > 8 for 3m — Department: Sales", "t4 [RESOLVED] Queue length: queue gone — Department: Sales"}},
		{"resolved not sent when sendResolved is false", `
    - {id: queue-long, metric: queue.length, queue: "department:d-sales", op: ">", threshold: 8, sendResolved: false, to: [oncall@example.com]}
`, []int{9, 2}, []string{"t0 [FIRING] Queue length 9 > 8 — Department: Sales"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRun(t, tc.rules, sequence(tc.values...))
			got := compact(r.subjects(t, len(tc.values)))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("emails\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestQuietHours(t *testing.T) {
	// Active 10:03-18:00 UTC on weekdays: the breach starts at 10:00, the first mail waits for 10:03.
	rules := `
    - {id: queue-long, metric: queue.length, op: ">", threshold: 8, to: [oncall@example.com], activeHours: {timezone: UTC, days: [mon, tue, wed, thu, fri], from: "10:03", to: "18:00"}}
`
	r := newRun(t, rules, sequence(9, 9, 9, 9, 9, 2))
	got := compact(r.subjects(t, 6))
	want := []string{"t3 [FIRING] Queue length 9 > 8 — Department: Sales", "t5 [RESOLVED] Queue length back to 2 — Department: Sales"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("emails\n got %q\nwant %q", got, want)
	}
	// A breach that starts and ends outside the hours mails nothing.
	r = newRun(t, strings.Replace(rules, `"10:03"`, `"12:00"`, 1), sequence(9, 9, 2))
	if got := compact(r.subjects(t, 3)); len(got) != 0 {
		t.Errorf("outside active hours: %q", got)
	}
}

func TestNoDataThenRecovery(t *testing.T) {
	failing := errors.New("boom")
	r := newRun(t, queueRule, func(step int) ([]reports.RealtimeQueue, error) {
		if step >= 1 && step <= 5 {
			return nil, &reports.APIError{Report: "realtimeQueue", Status: 503, Attempts: 4}
		}
		_ = failing
		return salesQueue(1), nil
	})
	got := compact(r.subjects(t, 8))
	want := []string{"t3 [FIRING] Comm100 data unavailable — Comm100 Report API", "t6 [RESOLVED] Comm100 data is available again — Comm100 Report API"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("emails\n got %q\nwant %q", got, want)
	}
}

func TestSimultaneousAlertsAreGrouped(t *testing.T) {
	rules := `
    - {id: queue-long, metric: queue.length, op: ">", threshold: 8, to: [oncall@example.com]}
    - {id: wait-long, metric: queue.longestWait, op: ">=", threshold: 180, to: [oncall@example.com]}
    - {id: low-agents, metric: site.loggedInAgents, op: "<", threshold: 3, to: [manager@example.com]}
`
	r := newRun(t, rules, sequence(9))
	got := r.subjects(t, 1)
	if len(r.sender.Messages()) != 2 {
		t.Fatalf("%d emails, want 2 (one per recipient group): %q", len(r.sender.Messages()), got)
	}
	if !strings.Contains(got[0], "(+1 more)") {
		t.Errorf("grouped subject %q", got[0])
	}
}

func TestThreading(t *testing.T) {
	r := newRun(t, queueRule, sequence(9, 9, 9, 9, 2))
	r.subjects(t, 5)
	msgs := r.sender.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails", len(msgs))
	}
	first, _ := mail.ReadMessage(strings.NewReader(string(msgs[0].Raw)))
	second, _ := mail.ReadMessage(strings.NewReader(string(msgs[1].Raw)))
	if id := first.Header.Get("Message-Id"); id == "" || second.Header.Get("In-Reply-To") != id {
		t.Errorf("RESOLVED does not reply to FIRING: %q vs %q", second.Header.Get("In-Reply-To"), id)
	}
}

// flaky fails the first send, and keeps every message it was given.
type flaky struct {
	gomail.Memory
	failed bool
	tried  [][]byte
}

func (f *flaky) Send(ctx context.Context, env gomail.Envelope, raw []byte) (string, error) {
	f.tried = append(f.tried, raw)
	if !f.failed {
		f.failed = true
		return "", errors.New("throttled")
	}
	return f.Memory.Send(ctx, env, raw)
}

// TestResendKeepsTheMessageID: a mail retried after a failure (which may
// have reached the mail service) carries the first attempt's Message-ID,
// so clients that drop duplicate ids show one.
func TestResendKeepsTheMessageID(t *testing.T) {
	// Fires at t0, reminds at t2, resolves at t4.
	for _, tc := range []struct {
		kind   string
		failAt int
	}{{"FIRING", 0}, {"STILL FIRING", 2}, {"RESOLVED", 4}} {
		kind := tc.kind
		t.Run(kind, func(t *testing.T) {
			r := newRun(t, `
    - {id: queue-long, metric: queue.length, op: ">", threshold: 8, repeat: 2m, to: [oncall@example.com]}
`, sequence(9, 9, 9, 9, 2, 2))
			f := &flaky{failed: true}
			r.ev.Sender = f
			for i := 0; i < 6; i++ {
				f.failed = i != tc.failAt // this minute's mail fails once

				r.fetch.step = i
				if _, err := r.ev.Evaluate(context.Background(), t0.Add(time.Duration(i)*time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			var ids []string
			for _, raw := range f.tried {
				msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
				if err != nil {
					t.Fatal(err)
				}
				subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
				if strings.HasPrefix(subj, "["+kind+"]") {
					ids = append(ids, msg.Header.Get("Message-Id"))
				}
			}
			if len(ids) != 2 || ids[0] != ids[1] {
				t.Errorf("%s attempts carried ids %q, want two attempts with one id", kind, ids)
			}
		})
	}
}

func TestFailedSendIsRetriedNextEvaluation(t *testing.T) {
	r := newRun(t, `
    - {id: queue-long, metric: queue.length, op: ">", threshold: 8, repeat: 1h, to: [oncall@example.com]}
`, sequence(9, 9, 9))
	f := &flaky{}
	r.ev.Sender = f
	for i := 0; i < 3; i++ {
		if _, err := r.ev.Evaluate(context.Background(), t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.Messages()); n != 1 {
		t.Errorf("%d FIRING mails delivered, want exactly 1 (retried once)", n)
	}
}

func TestMetricsMatchConfig(t *testing.T) {
	for name := range reports.AlertMetrics {
		rule := fmt.Sprintf("    - {id: r, metric: %s, op: \">\", threshold: 1, to: [a@example.com]}\n", name)
		if _, err := alert.Compile(cfg(t, rule)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func BenchmarkEvaluate100Rules50Queues(b *testing.B) {
	var rules strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&rules, "    - {id: r%d, metric: queue.length, op: \">\", threshold: %d, for: \"3\", to: [oncall@example.com]}\n", i, 5+i%10)
	}
	c, err := config.Load([]byte("mail: {from: a@example.com}\nalerts:\n  rules:\n" + rules.String()))
	if err != nil {
		b.Fatal(err)
	}
	compiled, _ := alert.Compile(c)
	queues := make([]reports.RealtimeQueue, 50)
	for i := range queues {
		queues[i] = queueOf(reports.RouteTo{Type: reports.RouteDepartment, ID: reports.ID(fmt.Sprint("d", i))}, i%15)
	}
	ev := &alert.Evaluator{Config: c, Rules: compiled, Reports: &script{queue: func(int) ([]reports.RealtimeQueue, error) { return queues, nil }},
		States: &alert.MemoryStates{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ev.Evaluate(context.Background(), t0.Add(time.Duration(i)*time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMailThatCannotBeBuiltIsIsolatedAndRetried feeds header-breaking
// values that validation should reject but the alert code must survive.
func TestMailThatCannotBeBuiltIsIsolatedAndRetried(t *testing.T) {
	const rules = `
    - {id: queue-long, metric: queue.length, queue: "department:d-sales", op: ">", threshold: 8, to: [oncall@example.com], severity: critical}
    - {id: few-agents, metric: site.loggedInAgents, op: "<", threshold: 3, to: [oncall@example.com], severity: warning}
`
	tests := []struct {
		name  string
		spoil func(*config.Config)
		fix   func(*config.Config) // nil: cannot be fixed without a new rule id
	}{
		{"CR/LF in a rule id", func(c *config.Config) { c.Alerts.Rules[0].ID = "queue\r\nlong" }, nil},
		{"CR/LF in a department name",
			func(c *config.Config) { c.Names.Departments["d-sales"] = "Sales\r\nBcc: evil@example.com" },
			func(c *config.Config) { c.Names.Departments["d-sales"] = "Sales" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg(t, rules)
			tc.spoil(c)
			r := newRunConfig(t, c, sequence(12))
			badRule := c.Alerts.Rules[0].ID
			for i := 0; i < 2; i++ {
				out, err := r.ev.Evaluate(context.Background(), t0.Add(time.Duration(i)*time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				var failed int
				for _, em := range out.Emails {
					if em.Err != nil {
						failed++
						if em.Permanent || len(em.Notifications) != 1 || em.Notifications[0].RuleID != badRule {
							t.Errorf("minute %d: failed mail %q carries %d alerts (permanent %v), want only the bad one, retryable",
								i, em.Subject, len(em.Notifications), em.Permanent)
						}
					}
				}
				if failed != 1 {
					t.Errorf("minute %d: %d mails failed to build, want 1 (the bad alert, retried)", i, failed)
				}
			}
			got := r.sender.Messages()
			if len(got) != 1 || !strings.Contains(string(got[0].Raw), "Logged-in agents") {
				t.Fatalf("%d mails delivered, want the good alert once", len(got))
			}
			states, _ := r.ev.States.Load(context.Background(), badRule)
			o := states["department:d-sales"].Outbox
			if o == nil || o.Kind != alert.KindFiring || o.Attempts != 2 || !strings.Contains(o.Error, "line break") {
				t.Fatalf("bad alert's outbox %+v, want its FIRING kept with 2 failed attempts", o)
			}
			if tc.fix == nil {
				return
			}
			tc.fix(c)
			if _, err := r.ev.Evaluate(context.Background(), t0.Add(2*time.Minute)); err != nil {
				t.Fatal(err)
			}
			got = r.sender.Messages()
			if len(got) != 2 || !strings.Contains(string(got[1].Raw), "FIRING") {
				t.Fatalf("after the fix: %d mails, want the held FIRING delivered", len(got))
			}
		})
	}
}

// failing counts sends and fails every one with err.
type failing struct {
	calls int
	err   error
}

func (f *failing) Send(context.Context, gomail.Envelope, []byte) (string, error) {
	f.calls++
	return "", f.err
}

func TestPermanentRejectionIsRecordedNotRetried(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantCalls int // over 4 evaluations
	}{
		{"rejected address", &gomail.PermanentError{Err: errors.New("ses: MessageRejected: Email address is not verified")}, 1},
		{"wrapped rejection", fmt.Errorf("send: %w", &gomail.PermanentError{Err: errors.New("ses: AccountSuspendedException")}), 1},
		{"throttling", errors.New("ses: TooManyRequestsException: Maximum sending rate exceeded"), 4},
		{"5xx", errors.New("ses: InternalFailure: 503 Service Unavailable"), 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRun(t, `
    - {id: queue-long, metric: queue.length, op: ">", threshold: 8, repeat: 1h, to: [oncall@example.com]}
`, sequence(9))
			var logs bytes.Buffer
			r.ev.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
			sender := &failing{err: tc.err}
			r.ev.Sender = sender
			for i := 0; i < 4; i++ {
				out, err := r.ev.Evaluate(context.Background(), t0.Add(time.Duration(i)*time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				for _, em := range out.Emails {
					if em.Permanent != (tc.wantCalls == 1) {
						t.Errorf("minute %d: Permanent = %v", i, em.Permanent)
					}
				}
			}
			if sender.calls != tc.wantCalls {
				t.Errorf("%d sends, want %d", sender.calls, tc.wantCalls)
			}
			states, _ := r.ev.States.Load(context.Background(), "queue-long")
			st := states["department:d-sales"]
			if tc.wantCalls == 1 {
				if st.Outbox != nil || st.Failed == nil || st.Failed.Kind != alert.KindFiring || !strings.Contains(st.Failed.Error, tc.err.Error()) {
					t.Errorf("state outbox %+v failed %+v, want the FIRING recorded as failed with the reason", st.Outbox, st.Failed)
				}
				if n := strings.Count(logs.String(), `"level":"ERROR"`); n != 1 {
					t.Errorf("%d error lines, want one:\n%s", n, logs.String())
				}
				return
			}
			if st.Outbox == nil || st.Outbox.Attempts != 4 || st.Failed != nil {
				t.Errorf("state outbox %+v failed %+v, want the FIRING still to send after 4 attempts", st.Outbox, st.Failed)
			}
		})
	}
}

// TestGroupedAlertsShareOneThread: a grouped FIRING mail starts a thread
// with a stable id; its reminders and RESOLVED mails, grouped or alone,
// reply to it.
func TestGroupedAlertsShareOneThread(t *testing.T) {
	const rules = `
    - {id: queue-long, metric: queue.length, op: ">", threshold: 8, repeat: 2m, to: [oncall@example.com]}
    - {id: wait-long, metric: queue.longestWait, op: ">=", threshold: 120, repeat: 2m, to: [oncall@example.com]}
`
	// 9 waiting (longest 4m30s): both fire; 5 waiting (2m30s): only the wait is still long.
	values := []int{9, 9, 9, 5, 2}
	play := func() []*mail.Message {
		r := newRun(t, rules, sequence(values...))
		r.subjects(t, len(values))
		var out []*mail.Message
		for _, m := range r.sender.Messages() {
			msg, err := mail.ReadMessage(strings.NewReader(string(m.Raw)))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, msg)
		}
		return out
	}
	msgs := play()
	want := []string{"FIRING", "STILL FIRING", "RESOLVED", "RESOLVED"}
	if len(msgs) != len(want) {
		t.Fatalf("%d mails, want %d (%v)", len(msgs), len(want), want)
	}
	root := msgs[0].Header.Get("Message-Id")
	if !strings.HasPrefix(root, "<alert-group.") || msgs[0].Header.Get("In-Reply-To") != "" || msgs[0].Header.Get("References") != "" {
		t.Fatalf("grouped FIRING: Message-Id %q In-Reply-To %q References %q, want a group id starting a thread",
			root, msgs[0].Header.Get("In-Reply-To"), msgs[0].Header.Get("References"))
	}
	ids := map[string]bool{}
	for i, m := range msgs {
		s, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if !strings.HasPrefix(s, "["+want[i]+"]") {
			t.Errorf("mail %d: %q, want %s", i, s, want[i])
		}
		id := m.Header.Get("Message-Id")
		if ids[id] {
			t.Errorf("mail %d reuses Message-Id %s", i, id)
		}
		ids[id] = true
		if i == 0 {
			continue
		}
		if got := m.Header.Get("In-Reply-To"); got != root {
			t.Errorf("mail %d (%s): In-Reply-To %q, want the grouped FIRING %q", i, want[i], got, root)
		}
		if refs := strings.Fields(m.Header.Get("References")); len(refs) == 0 || refs[0] != root {
			t.Errorf("mail %d (%s): References %q, want it to start at %q", i, want[i], refs, root)
		}
	}
	// Stable: the same group firing at the same time gets the same id.
	if again := play()[0].Header.Get("Message-Id"); again != root {
		t.Errorf("grouped FIRING id %q, then %q for the same group", root, again)
	}
}

func TestResolvedInQuietHoursWaitsForActiveHours(t *testing.T) {
	// Active 10:00-10:02 UTC: it fires at 10:00, recovers at 10:02 (quiet);
	// the RESOLVED waits through the quiet minutes for the next day's window.
	r := newRun(t, `
    - {id: queue-long, metric: queue.length, op: ">", threshold: 8, to: [oncall@example.com], activeHours: {timezone: UTC, from: "10:00", to: "10:02"}}
`, sequence(9, 9, 2, 2, 2, 2))
	at := []time.Duration{0, time.Minute, 2 * time.Minute, 3 * time.Minute, 4 * time.Hour, 24 * time.Hour}
	for i, d := range at {
		r.fetch.step = i
		if _, err := r.ev.Evaluate(context.Background(), t0.Add(d)); err != nil {
			t.Fatal(err)
		}
	}
	msgs := r.sender.Messages()
	if len(msgs) != 2 || !strings.Contains(string(msgs[1].Raw), "RESOLVED") {
		t.Fatalf("%d mails, want FIRING then, in the next active window, RESOLVED", len(msgs))
	}
}

// brokenStates fails every write of one rule's states.
type brokenStates struct {
	alert.MemoryStates
	rule string
}

func (b *brokenStates) Save(ctx context.Context, rule, inst string, s alert.State, expect int64, now time.Time) (int64, error) {
	if rule == b.rule {
		return 0, errors.New("dynamodb: throttled")
	}
	return b.MemoryStates.Save(ctx, rule, inst, s, expect, now)
}

func TestStateWriteFailureHoldsBackOnlyItsRule(t *testing.T) {
	r := newRun(t, `
    - {id: queue-long, metric: queue.length, op: ">", threshold: 8, to: [oncall@example.com]}
    - {id: few-agents, metric: site.loggedInAgents, op: "<", threshold: 3, to: [manager@example.com]}
`, sequence(9))
	r.ev.States = &brokenStates{rule: "queue-long"}
	if _, err := r.ev.Evaluate(context.Background(), t0); err == nil {
		t.Error("a failed state write was not reported")
	}
	msgs := r.sender.Messages()
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Raw), "Logged-in agents") {
		t.Fatalf("%d mails, want the other rule's alert", len(msgs))
	}
}
