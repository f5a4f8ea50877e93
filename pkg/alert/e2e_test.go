package alert_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"reportmailer/internal/awstest"
	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/alert"
	"reportmailer/pkg/config"
	gomail "reportmailer/pkg/mail"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/sendlog"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// awsRun wires an evaluator to the simulator and to moto's DynamoDB and SES,
// the way the Lambda does. Each call is a new "process" with fresh clients.
func awsRun(t *testing.T, moto *awstest.Moto, simURL string) *alert.Evaluator {
	t.Helper()
	c := cfg(t, `
    - {id: queue-long, metric: queue.length, op: ">", threshold: 8, to: [oncall@example.com]}
`)
	rules, err := alert.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	awsCfg := moto.Config(t)
	client := reports.New(reports.WithBaseURL(simURL), reports.WithAuth(reports.APIKey{SiteID: "10000", Email: "demo@example.com", Key: "demo-key"}))
	return &alert.Evaluator{Config: c, Rules: rules, Reports: client,
		States: alert.DynamoStates{Client: dynamodb.NewFromConfig(awsCfg), Table: "reportmailer"},
		Sender: gomail.SES{Client: sesv2.NewFromConfig(awsCfg)}}
}

func setupAWS(t *testing.T) (*awstest.Moto, *comm100sim.Server, string) {
	t.Helper()
	moto := awstest.Fresh(t)
	ctx := context.Background()
	awsCfg := moto.Config(t)
	if err := sendlog.CreateTable(ctx, dynamodb.NewFromConfig(awsCfg), "reportmailer"); err != nil {
		t.Fatal(err)
	}
	if _, err := sesv2.NewFromConfig(awsCfg).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("oncall@example.com")}); err != nil {
		t.Fatal(err)
	}
	sim := comm100sim.New(comm100sim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return moto, sim, srv.URL
}

func TestConcurrentEvaluationsSendOneEmail(t *testing.T) {
	moto, sim, url := setupAWS(t)
	// The Sales queue already holds 12 visitors.
	sim.SetScript(comm100sim.NewScript(comm100sim.SurgeScript()[5:6], false))
	// Built here: awsRun may call t.Fatal, which must not run on another goroutine.
	evaluators := make([]*alert.Evaluator, 4)
	for i := range evaluators {
		evaluators[i] = awsRun(t, moto, url)
	}
	errs := make([]error, len(evaluators))
	var wg sync.WaitGroup
	for i, ev := range evaluators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = alert.Handler(ev)(context.Background(), json.RawMessage(`{"scheduledTime":"2026-11-23T10:00:00Z"}`))
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	sent := moto.SentEmails(t)
	if len(sent) != 1 {
		t.Fatalf("%d emails for one breach evaluated 4 times at once, want 1", len(sent))
	}
	if !strings.Contains(sent[0].RawData, "FIRING") {
		t.Errorf("not a FIRING mail:\n%.400s", sent[0].RawData)
	}
}

func TestStateSurvivesBetweenProcesses(t *testing.T) {
	moto, sim, url := setupAWS(t)
	script := comm100sim.NewScript(comm100sim.SurgeScript(), false)
	sim.SetScript(script)
	times := []string{"2026-11-23T10:00:00Z", "2026-11-23T10:01:00Z", "2026-11-23T10:02:00Z"}
	steps := []int{5, 6, 13} // 12 waiting, 15 waiting, 1 waiting
	for i, at := range times {
		script.Step(steps[i])
		// A new evaluator each time: only DynamoDB connects the runs.
		resp, err := alert.Handler(awsRun(t, moto, url))(context.Background(), json.RawMessage(`{"scheduledTime":"`+at+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %v", at, resp.Emails)
	}
	sent := moto.SentEmails(t)
	if len(sent) != 2 {
		t.Fatalf("%d emails, want FIRING then RESOLVED", len(sent))
	}
	if !strings.Contains(sent[0].RawData, "FIRING") || !strings.Contains(sent[1].RawData, "RESOLVED") {
		t.Errorf("unexpected order")
	}
}

// dying is a sender whose process dies as it is about to send: the state
// (with the notification in its outbox) is saved, the mail never leaves.
type dying struct{}

func (dying) Send(context.Context, gomail.Envelope, []byte) (string, error) { panic("process died") }

// evaluateDying runs one evaluation whose process dies at the send.
func evaluateDying(t *testing.T, ev *alert.Evaluator, at time.Time) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Fatal("the evaluation did not reach the send")
		}
	}()
	ev.Sender = dying{}
	_, _ = ev.Evaluate(context.Background(), at)
}

func TestCrashBetweenSaveAndSendIsDeliveredByTheNextEvaluation(t *testing.T) {
	moto, sim, url := setupAWS(t)
	sim.SetScript(comm100sim.NewScript(comm100sim.SurgeScript()[5:6], false)) // 12 waiting, every minute
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

	evaluateDying(t, awsRun(t, moto, url), at)
	if n := len(moto.SentEmails(t)); n != 0 {
		t.Fatalf("%d mails before the crash was recovered", n)
	}
	// A fresh process for each evaluation: only DynamoDB connects them.
	// The same schedule delivered again leaves the claimed mail alone...
	mustEvaluate(t, awsRun(t, moto, url), at)
	if n := len(moto.SentEmails(t)); n != 0 {
		t.Fatalf("a duplicate delivery of the same minute sent %d mails", n)
	}
	// ...the next minute sends it, and later minutes do not send it again.
	for i := 1; i <= 3; i++ {
		mustEvaluate(t, awsRun(t, moto, url), at.Add(time.Duration(i)*time.Minute))
	}
	sent := moto.SentEmails(t)
	if len(sent) != 1 {
		t.Fatalf("%d mails after the crash, want the FIRING exactly once", len(sent))
	}
	msg, err := mail.ReadMessage(strings.NewReader(sent[0].RawData))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.Header.Get("Subject"), "FIRING") {
		t.Errorf("delivered %q, want the FIRING mail", msg.Header.Get("Subject"))
	}
	// It is the same mail the crashed evaluation was sending: same id, same episode.
	if id := msg.Header.Get("Message-Id"); !strings.HasPrefix(id, "<alert.queue-long.department.") || !strings.HasSuffix(id, ".1795428000@reportmailer>") {
		t.Errorf("Message-Id %q is not the episode's thread id", id)
	}
}

// TestHangingAPICountsAsFailedPoll: the fetch ends before the invocation's
// deadline with time left to record the failed poll in DynamoDB, so a
// hanging API raises the no-data alert like a failing one.
func TestHangingAPICountsAsFailedPoll(t *testing.T) {
	moto, _, _ := setupAWS(t)
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // never answers while the test runs
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) })

	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range 3 { // noDataAfter: 3
		ev := awsRun(t, moto, hang.URL)
		ev.Reserve = time.Second
		// The Lambda's deadline, short; the client's own per-attempt timeout is 30 s.
		ctx, cancel := context.WithTimeout(context.Background(), 1300*time.Millisecond)
		when := at.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
		resp, err := alert.Handler(ev)(ctx, json.RawMessage(`{"scheduledTime":"`+when+`"}`))
		cancel()
		if err != nil {
			t.Fatalf("poll %d: %v", i+1, err)
		}
		if resp.FetchError == "" {
			t.Fatalf("poll %d: a hanging API was not a failed poll", i+1)
		}
	}
	sent := moto.SentEmails(t)
	if len(sent) != 1 || !strings.Contains(sent[0].RawData, "Comm100 data unavailable") {
		t.Fatalf("%d mails after 3 hanging polls, want the no-data alert", len(sent))
	}
}

func mustEvaluate(t *testing.T, ev *alert.Evaluator, at time.Time) {
	t.Helper()
	if _, err := ev.Evaluate(context.Background(), at); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkEvaluateAPI200ms is one whole evaluation (both real-time
// fetches, every rule, state) with Comm100 answering in 200 ms.
func BenchmarkEvaluateAPI200ms(b *testing.B) {
	sim := comm100sim.New(comm100sim.Options{})
	sim.AddFault(comm100sim.Fault{Report: "*", Latency: 200 * time.Millisecond})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c, err := config.Load([]byte(`
mail: {from: a@example.com}
alerts:
  rules:
    - {id: q, metric: queue.length, op: ">", threshold: 8, to: [a@example.com]}
    - {id: s, metric: site.loggedInAgents, op: "<", threshold: 1, to: [a@example.com]}
`))
	if err != nil {
		b.Fatal(err)
	}
	rules, _ := alert.Compile(c)
	client := reports.New(reports.WithBaseURL(srv.URL), reports.WithAuth(reports.APIKey{SiteID: "10000", Email: "demo@example.com", Key: "demo-key"}))
	ev := &alert.Evaluator{Config: c, Rules: rules, Reports: client, States: &alert.MemoryStates{}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ev.Evaluate(context.Background(), t0.Add(time.Duration(i)*time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
}
