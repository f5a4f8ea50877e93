package alert_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/internal/notifytest"
	"reportmailer/pkg/alert"
	"reportmailer/pkg/config"
	"reportmailer/pkg/links"
	"reportmailer/pkg/linktoken"
	"reportmailer/pkg/notify"
	"reportmailer/pkg/oncall"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/suppress"
)

// The secret parts of the stand-ins' URLs and the routing key: no log
// line may carry them.
var receiverSecrets = []string{"SECRETSLACK", "SECRETTEAMS", "SECRETROUTINGKEY", "SECRETHOOK"}

type standIns struct {
	slack, teams, pager, hook *notifytest.StandIn
}

func (s standIns) all() map[string]*notifytest.StandIn {
	return map[string]*notifytest.StandIn{"support-slack": s.slack, "support-teams": s.teams, "pager": s.pager, "ops-hook": s.hook}
}

func startStandIns(t *testing.T) standIns {
	t.Helper()
	s := standIns{notifytest.Start("slack"), notifytest.Start("teams"), notifytest.Start("pagerduty"), notifytest.Start("webhook")}
	for _, si := range s.all() {
		t.Cleanup(si.Close)
	}
	return s
}

// syncBuffer is the log's destination, shared by the receivers' goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type receiverRun struct {
	*run
	si     standIns
	log    *syncBuffer
	oncall *oncall.Memory
}

// newReceiverRun wires an evaluator to the four stand-ins, a JSON log
// and an in-memory acknowledgement and silence store. rule is spliced
// into the rule's flow map.
func newReceiverRun(t *testing.T, rule string, queue func(int) ([]reports.RealtimeQueue, error)) *receiverRun {
	t.Helper()
	si := startStandIns(t)
	c, err := config.Load([]byte(fmt.Sprintf(`
comm100: {siteID: "10000", siteName: Acme Support}
mail: {from: "On call <oncall@example.com>"}
names: {departments: {d-sales: Sales}}
alerts:
  timezone: America/New_York
  consoleURL: https://dash.comm100.com/
  noDataAfter: 3
  noDataTo: [oncall@example.com]
  receivers:
    - {name: support-slack, slack: {url: "%s/services/T000/B000/SECRETSLACK"}}
    - {name: support-teams, teams: {url: "%s/workflows/SECRETTEAMS"}}
    - {name: pager, pagerduty: {routingKey: SECRETROUTINGKEY, url: "%s/v2/enqueue"}}
    - {name: ops-hook, webhook: {url: "%s/alerts/SECRETHOOK"}}
  rules:
    - {id: queue-long, metric: queue.length, op: ">", threshold: 8, recovery: 4, severity: critical, to: [oncall@example.com],
       notify: [support-slack, support-teams, pager, ops-hook], runbookURL: "https://wiki.example.com/runbooks/queue"%s}
`, si.slack.URL, si.teams.URL, si.pager.URL, si.hook.URL, rule)))
	if err != nil {
		t.Fatal(err)
	}
	r := &receiverRun{run: newRunConfig(t, c, queue), si: si, log: &syncBuffer{}, oncall: &oncall.Memory{}}
	r.ev.Receivers, err = notify.Build(context.Background(), c.Alerts.Receivers, nil, notify.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r.ev.Logger = slog.New(slog.NewJSONHandler(r.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r.ev.OnCall = r.oncall
	r.ev.Links = fakeLinks{}
	t.Cleanup(func() {
		for _, s := range receiverSecrets {
			if strings.Contains(r.log.String(), s) {
				t.Errorf("the log carries the secret %s:\n%s", s, r.log.String())
			}
		}
	})
	return r
}

// fakeLinks stands in for links.Issuer (TestAcknowledgeByLink* in package
// links and functions test the real one).
type fakeLinks struct{}

func (fakeLinks) Acknowledge(rule, instance, _ string, episode, _ time.Time) string {
	return fmt.Sprintf("https://links.example.com/ack?rule=%s&i=%s&e=%d", rule, instance, episode.Unix())
}

func (fakeLinks) Silence(rule, instance, _ string, d time.Duration, until, _ time.Time) string {
	return fmt.Sprintf("https://links.example.com/silence?rule=%s&i=%s&d=%s&u=%d", rule, instance, d, until.Unix())
}

// evaluate runs minute i.
func (r *receiverRun) evaluate(t *testing.T, i int) *alert.Outcome {
	t.Helper()
	r.fetch.step = i
	out, err := r.ev.Evaluate(context.Background(), t0.Add(time.Duration(i)*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// events lists what a stand-in accepted, as "firing"/"resolved" (the
// payload's own word for it: Slack's and Teams' badge, PagerDuty's action,
// the webhook's status), validating each body against its schema.
func events(t *testing.T, si *notifytest.StandIn) []string {
	t.Helper()
	var out []string
	for _, b := range si.Bodies() {
		if err := notifytest.Validate(si.Kind, b); err != nil {
			t.Errorf("%s body does not match its documented shape: %v\n%s", si.Kind, err, b)
		}
		var v map[string]any
		_ = json.Unmarshal(b, &v)
		s := notifytest.Summary(si.Kind, b)
		switch si.Kind {
		case "pagerduty":
			out = append(out, fmt.Sprint(v["event_action"]))
		case "webhook":
			out = append(out, fmt.Sprint(v["status"]))
		default:
			out = append(out, strings.Trim(strings.Fields(s)[0], "[]"))
		}
	}
	return out
}

func surge(step int) ([]reports.RealtimeQueue, error) {
	steps := comm100sim.SurgeScript()
	return steps[min(step, len(steps)-1)].Queues, nil
}

// TestSurgeReachesEveryReceiverOnce: the simulator's scripted surge
// notifies each receiver exactly once FIRING and once RESOLVED (PagerDuty:
// one trigger and one resolve with the same dedup_key), each body in its
// documented shape, with local times, the site, the unnamed department
// and the links.
func TestSurgeReachesEveryReceiverOnce(t *testing.T) {
	r := newReceiverRun(t, ", for: 3m, repeat: 30m", surge)
	for i := range comm100sim.SurgeScript() {
		r.evaluate(t, i)
	}
	want := map[string]string{"support-slack": "FIRING RESOLVED", "support-teams": "FIRING RESOLVED", "pager": "trigger resolve", "ops-hook": "firing resolved"}
	for name, si := range r.si.all() {
		if got := strings.Join(events(t, si), " "); got != want[name] {
			t.Errorf("%s got %q, want %q", name, got, want[name])
		}
	}
	pd := r.si.pager.Bodies()
	var trig, res map[string]any
	_ = json.Unmarshal(pd[0], &trig)
	_ = json.Unmarshal(pd[1], &res)
	if trig["dedup_key"] == "" || trig["dedup_key"] != res["dedup_key"] {
		t.Errorf("dedup keys %v and %v", trig["dedup_key"], res["dedup_key"])
	}
	firing := string(r.si.slack.Bodies()[0])
	for _, want := range []string{"Acme Support", "(no name in config)", "for 3m", "EST", "Acknowledge", "Silence 1 h",
		"Silence until 08:00", "https://wiki.example.com/runbooks/queue", "https://dash.comm100.com/"} {
		if !strings.Contains(firing, want) {
			t.Errorf("the Slack FIRING lacks %q:\n%s", want, firing)
		}
	}
	if strings.Contains(firing, "UTC") || strings.Contains(firing, "for 1 checks") {
		t.Errorf("the Slack FIRING still reads in UTC or 'for 1 checks':\n%s", firing)
	}
	if resolved := string(r.si.teams.Bodies()[1]); strings.Contains(resolved, "Acknowledge") {
		t.Errorf("a RESOLVED card offers to acknowledge:\n%s", resolved)
	}
}

// TestFlapNotifiesNoReceiver: a value that never holds for 3m sends nothing anywhere.
func TestFlapNotifiesNoReceiver(t *testing.T) {
	r := newReceiverRun(t, `, queue: "department:d-sales", for: 3m`, sequence(9, 3, 9, 9, 3, 9, 9, 9, 2, 0))
	for i := range 10 {
		r.evaluate(t, i)
	}
	for name, si := range r.si.all() {
		if n := si.Attempts(); n != 0 {
			t.Errorf("%s got %d requests during a flap", name, n)
		}
	}
}

// TestReceiverDownThreePollsGetsFiringOnce: Slack answers 503 for three
// polls; it gets its FIRING once when back (backing off meanwhile), while
// the others get theirs at once.
func TestReceiverDownThreePollsGetsFiringOnce(t *testing.T) {
	r := newReceiverRun(t, `, queue: "department:d-sales"`, sequence(12))
	r.si.slack.Down(notifytest.Failure{Status: 503, Body: "service unavailable"})
	for i := range 3 {
		r.evaluate(t, i)
		if i == 0 {
			for _, si := range []*notifytest.StandIn{r.si.teams, r.si.pager, r.si.hook} {
				if len(si.Bodies()) != 1 {
					t.Errorf("%s not delivered while Slack is down", si.Kind)
				}
			}
		}
	}
	// Attempts at 0 and 1; after the second failure it waits two minutes.
	if n := r.si.slack.Attempts(); n != 2 {
		t.Errorf("%d attempts in three polls, want 2 (backoff 1 min, then 2)", n)
	}
	r.si.slack.Up()
	for i := 3; i < 8; i++ {
		r.evaluate(t, i)
	}
	if got := events(t, r.si.slack); strings.Join(got, " ") != "FIRING" {
		t.Errorf("Slack got %v, want its FIRING once", got)
	}
	if n := strings.Count(r.log.String(), `"alarm"`); n != 0 {
		t.Errorf("a passing outage raised the alarm %d times", n)
	}
}

// TestRetryAfterIsHonoured: PagerDuty's 429 with Retry-After: 180 is not
// retried before three minutes have passed.
func TestRetryAfterIsHonoured(t *testing.T) {
	r := newReceiverRun(t, `, queue: "department:d-sales"`, sequence(12))
	r.si.pager.Down(notifytest.Failure{Status: 429, Body: `{"status":"throttle event"}`, RetryAfter: "180"})
	var attempts []int
	for i := range 4 {
		if i == 3 {
			r.si.pager.Up()
		}
		r.evaluate(t, i)
		attempts = append(attempts, r.si.pager.Attempts())
	}
	if fmt.Sprint(attempts) != "[1 1 1 2]" {
		t.Errorf("attempts after each poll %v, want [1 1 1 2]", attempts)
	}
	if got := events(t, r.si.pager); strings.Join(got, " ") != "trigger" {
		t.Errorf("PagerDuty got %v", got)
	}
}

// TestSlackNoServiceIsPermanent: a revoked Slack webhook (404
// no_service) is tried once, recorded as failed and logged once at ERROR
// with the alarm field; the other receivers deliver as usual.
func TestSlackNoServiceIsPermanent(t *testing.T) {
	r := newReceiverRun(t, ", for: 3m", surge)
	r.si.slack.Down(notifytest.Failure{Status: 404, Body: "no_service /services/T000/B000/SECRETSLACK"})
	var failed []*alert.DeliveryResult
	for i := range comm100sim.SurgeScript() {
		for _, d := range r.evaluate(t, i).Deliveries {
			if d.Err != nil {
				failed = append(failed, d)
			}
		}
	}
	if len(failed) != 1 || !failed[0].Permanent || failed[0].Receiver != "support-slack" || failed[0].Event != notify.Firing {
		t.Fatalf("failed deliveries %+v, want Slack's FIRING, permanent", failed)
	}
	if n := r.si.slack.Attempts(); n != 1 {
		t.Errorf("Slack asked %d times, want once (a RESOLVED alone would puzzle)", n)
	}
	for _, si := range []*notifytest.StandIn{r.si.teams, r.si.pager, r.si.hook} {
		if len(si.Bodies()) != 2 {
			t.Errorf("%s got %d messages, want FIRING and RESOLVED", si.Kind, len(si.Bodies()))
		}
	}
	var errorLines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(r.log.String()), "\n") {
		var v map[string]any
		_ = json.Unmarshal([]byte(line), &v)
		if v["level"] == "ERROR" {
			errorLines = append(errorLines, v)
		}
	}
	if len(errorLines) != 1 || errorLines[0]["alarm"] != alert.AlarmReceiverRejected || errorLines[0]["receiver"] != "support-slack" {
		t.Errorf("ERROR lines %v, want one with alarm=%s", errorLines, alert.AlarmReceiverRejected)
	}
	st, _ := r.ev.States.Load(context.Background(), "queue-long")
	recorded := false
	for _, s := range st {
		for _, f := range s.ReceiverFailed {
			recorded = recorded || (f.Receiver == "support-slack" && strings.Contains(f.Error, "404"))
		}
	}
	if !recorded {
		t.Errorf("the refusal is not recorded in the alert state: %+v", st)
	}
}

// TestAcknowledgeStopsRemindersAndTellsPagerDuty: once acknowledged,
// reminders stop, PagerDuty gets acknowledge with the trigger's
// dedup_key, and the RESOLVED says when it was acknowledged.
func TestAcknowledgeStopsRemindersAndTellsPagerDuty(t *testing.T) {
	values := []int{12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 2}
	r := newReceiverRun(t, `, queue: "department:d-sales", repeat: 5m`, sequence(values...))
	for i := range 2 {
		r.evaluate(t, i)
	}
	// Someone clicks Acknowledge at 10:01:30 UTC (05:01 in New York).
	st, _ := r.ev.States.Load(context.Background(), "queue-long")
	episode := st["department:d-sales"].FiringSince
	if _, err := r.oncall.Acknowledge(context.Background(), oncall.Ack{Rule: "queue-long", Instance: "department:d-sales",
		Episode: episode.Unix(), At: t0.Add(90 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	for i := 2; i < len(values); i++ {
		r.evaluate(t, i)
	}
	if got := strings.Join(events(t, r.si.pager), " "); got != "trigger acknowledge resolve" {
		t.Errorf("PagerDuty got %q", got)
	}
	keys := map[string]bool{}
	for _, b := range r.si.pager.Bodies() {
		var v map[string]any
		_ = json.Unmarshal(b, &v)
		keys[fmt.Sprint(v["dedup_key"])] = true
	}
	if len(keys) != 1 {
		t.Errorf("dedup keys %v, want one", keys)
	}
	if got := strings.Join(events(t, r.si.slack), " "); got != "FIRING RESOLVED" {
		t.Errorf("Slack got %q: reminders after the acknowledgement?", got)
	}
	if subjects := compactSubjects(r); strings.Contains(subjects, "STILL FIRING") {
		t.Errorf("mail reminders after the acknowledgement: %s", subjects)
	}
	resolved := string(r.si.slack.Bodies()[1])
	if !strings.Contains(resolved, "Acknowledged at 05:01 EST") {
		t.Errorf("the RESOLVED does not say when it was acknowledged:\n%s", resolved)
	}
}

func compactSubjects(r *receiverRun) string {
	var s []string
	for _, m := range r.sender.Messages() {
		s = append(s, strings.SplitN(strings.SplitN(string(m.Raw), "Subject: ", 2)[1], "\r\n", 2)[0])
	}
	return strings.Join(s, " | ")
}

// TestSilenceStopsNotificationsUntilItEnds: a silence of the rule's scope
// sends nothing to anyone while it holds; when it ends on time, the alert
// still firing is notified at that minute.
func TestSilenceStopsNotificationsUntilItEnds(t *testing.T) {
	r := newReceiverRun(t, `, queue: "department:d-sales"`, sequence(12))
	if _, err := r.oncall.AddSilence(context.Background(), oncall.Silence{Rule: "queue-long", Scope: "department:d-sales",
		Start: t0, End: t0.Add(5 * time.Minute), Comment: "maintenance"}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		r.evaluate(t, i)
	}
	for name, si := range r.si.all() {
		if n := si.Attempts(); n != 0 {
			t.Errorf("%s got %d requests while silenced", name, n)
		}
	}
	if n := len(r.sender.Messages()); n != 0 {
		t.Errorf("%d mails while silenced", n)
	}
	r.evaluate(t, 5) // 10:05, the silence's end
	for name, si := range r.si.all() {
		if n := len(si.Bodies()); n != 1 {
			t.Errorf("%s got %d messages when the silence ended, want the FIRING", name, n)
		}
	}
	if n := len(r.sender.Messages()); n != 1 {
		t.Errorf("%d mails when the silence ended, want the FIRING", n)
	}
}

// TestNoDataAlertReachesReceivers: "Comm100 data unavailable" goes to
// every rule's receivers when alerts.noDataNotify is not set.
func TestNoDataAlertReachesReceivers(t *testing.T) {
	r := newReceiverRun(t, "", func(int) ([]reports.RealtimeQueue, error) {
		return nil, &reports.APIError{Status: 503}
	})
	for i := range 3 {
		out, _ := r.ev.Evaluate(context.Background(), t0.Add(time.Duration(i)*time.Minute))
		_ = out
	}
	for name, si := range r.si.all() {
		b := si.Bodies()
		if len(b) != 1 || !strings.Contains(string(b[0]), "Comm100 data unavailable") {
			t.Errorf("%s got %d bodies: %s", name, len(b), b)
		}
	}
}

// buttonURL finds a Slack button's URL by its text.
func buttonURL(t *testing.T, body []byte, text string) string {
	t.Helper()
	var msg struct {
		Blocks []struct {
			Type     string
			Elements []struct {
				Text json.RawMessage // a text object on buttons, a string on context elements
				URL  string
			}
		}
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatal(err)
	}
	for _, b := range msg.Blocks {
		for _, e := range b.Elements {
			var obj struct{ Text string }
			if json.Unmarshal(e.Text, &obj) == nil && obj.Text == text {
				return e.URL
			}
		}
	}
	t.Fatalf("no %q button in %s", text, body)
	return ""
}

// clickThrough opens link as a person would: GET (the confirmation page),
// then the page's POST, against the real links server on the same store.
func clickThrough(t *testing.T, srv http.Handler, link string, post bool) int {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	method := http.MethodGet
	if post {
		method = http.MethodPost
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(method, u.RequestURI(), nil))
	return rec.Code
}

// TestActingFromTheSlackMessage: the Acknowledge and Silence buttons of a
// real Slack message, signed by links.Issuer and served by links.Server:
// opening them (GET) changes nothing; confirming the acknowledgement stops
// reminders and tells PagerDuty; a silence confirmed from the next
// episode's message keeps everything quiet for its hour, then the alert
// notifies again.
func TestActingFromTheSlackMessage(t *testing.T) {
	values := []int{12, 12, 12, 12, 12, 12, 12, 2, 2, 12, 12, 12, 12, 12, 12, 12, 12, 12}
	r := newReceiverRun(t, `, queue: "department:d-sales", repeat: 3m`, sequence(values...))
	signer, err := linktoken.NewSigner([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	r.ev.Links = links.Issuer{Signer: signer, Base: "https://links.example.com/"}
	clock := t0
	srv := &links.Server{Signer: signer, Store: &suppress.Memory{}, OnCall: r.oncall, Now: func() time.Time { return clock }}

	r.evaluate(t, 0) // FIRING
	ack := buttonURL(t, r.si.slack.Bodies()[0], "Acknowledge")
	clock = t0.Add(30 * time.Second)
	if code := clickThrough(t, srv, ack, false); code != http.StatusOK {
		t.Fatalf("GET acknowledge: %d", code)
	}
	r.evaluate(t, 1)
	if got := strings.Join(events(t, r.si.pager), " "); got != "trigger" {
		t.Fatalf("after a GET of the link PagerDuty got %q: the GET acted", got)
	}
	if code := clickThrough(t, srv, ack, true); code != http.StatusOK {
		t.Fatalf("POST acknowledge: %d", code)
	}
	for i := 2; i < 8; i++ { // acknowledged at 10:01; no reminder at 10:03 or 10:06; resolved at 10:07
		r.evaluate(t, i)
	}
	if got := strings.Join(events(t, r.si.pager), " "); got != "trigger acknowledge resolve" {
		t.Errorf("PagerDuty got %q", got)
	}
	if got := strings.Join(events(t, r.si.slack), " "); got != "FIRING RESOLVED" {
		t.Errorf("Slack got %q, want no reminders after the acknowledgement", got)
	}

	// A new episode at 10:09: silence it for an hour from its message.
	r.evaluate(t, 8)
	r.evaluate(t, 9)
	bodies := r.si.slack.Bodies()
	silence := buttonURL(t, bodies[len(bodies)-1], "Silence 1 h")
	clock = t0.Add(9*time.Minute + 30*time.Second)
	if code := clickThrough(t, srv, silence, true); code != http.StatusOK {
		t.Fatalf("POST silence: %d", code)
	}
	before := r.si.slack.Attempts()
	for i := 10; i < len(values); i++ { // 10:10 … 10:17, all within the hour: reminders would be due at 10:12 and 10:15
		r.evaluate(t, i)
	}
	if n := r.si.slack.Attempts() - before; n != 0 {
		t.Errorf("%d Slack messages during the silence", n)
	}
	// The silence ends at 11:09:30; the 11:10 evaluation reminds.
	r.fetch.step = len(values) - 1
	if _, err := r.ev.Evaluate(context.Background(), t0.Add(70*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := events(t, r.si.slack); got[len(got)-1] != "STILL" {
		t.Errorf("after the silence ended Slack got %v, want a reminder", got)
	}
}

// TestStepTakesAckAndSilenceAsInputs: the state machine stays a pure
// function; a silence acts like inactive hours, an acknowledgement
// stops reminders, and neither is read from anywhere but its arguments.
func TestStepTakesAckAndSilenceAsInputs(t *testing.T) {
	p := alert.Policy{Breached: func(v float64) bool { return v > 8 }, Repeat: 5 * time.Minute, SendResolved: true}
	firing, kind := alert.Step(alert.State{}, alert.Observation{Present: true, Value: 12}, p, t0)
	if kind != alert.KindFiring {
		t.Fatalf("first breach: %q", kind)
	}
	if _, k := alert.Step(alert.State{}, alert.Observation{Present: true, Value: 12, Silenced: true}, p, t0); k != "" {
		t.Errorf("silenced breach notified %q", k)
	}
	firing.Outbox = nil
	later := t0.Add(6 * time.Minute)
	if _, k := alert.Step(firing, alert.Observation{Present: true, Value: 12}, p, later); k != alert.KindRepeat {
		t.Errorf("no reminder without an acknowledgement: %q", k)
	}
	acked, k := alert.Step(firing, alert.Observation{Present: true, Value: 12, Ack: t0.Add(time.Minute)}, p, later)
	if k != "" || !acked.AckedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("acknowledged: %q, AckedAt %v", k, acked.AckedAt)
	}
	resolved, k := alert.Step(acked, alert.Observation{Present: true, Value: 2}, p, later.Add(time.Minute))
	if k != alert.KindResolved || !resolved.AckedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("resolve after an acknowledgement: %q, AckedAt %v", k, resolved.AckedAt)
	}
}
