package backtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"gopkg.in/yaml.v3"

	"reportmailer/internal/awstest"
	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/alert"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/backtest"
	"reportmailer/pkg/config"
	"reportmailer/pkg/history"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/sendlog"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// example loads the example config's rules (queue-long, wait-long with
// active hours, nobody-online, the no-data alert).
func example(t *testing.T) *config.Config {
	t.Helper()
	loaded, err := appenv.LoadConfig(context.Background(), appenv.Options{ConfigPath: "../../reportmailer.example.yaml",
		Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return loaded.Config
}

// scripted answers the real-time endpoints straight from the week script
// (no HTTP): the in-memory stand-in for the simulator in the week-long run.
type scripted struct{ step comm100sim.Snapshot }

func (s *scripted) RealtimeQueue(context.Context, reports.Query) ([]reports.RealtimeQueue, error) {
	if s.step.Fail != 0 {
		return nil, fmt.Errorf("realtime/queue: HTTP %d", s.step.Fail)
	}
	return s.step.Queues, nil
}

func (s *scripted) RealtimeRightNow(context.Context, reports.Query) (*reports.RightNow, error) {
	if s.step.Fail != 0 {
		return nil, fmt.Errorf("realtime/rightNow: HTTP %d", s.step.Fail)
	}
	rn := *s.step.RightNow
	return &rn, nil
}

// mirror records what an evaluator saved, so the live run can be tracked
// without re-reading moto after every minute.
type mirror struct {
	alert.StateStore
	seen alert.MemoryStates
}

func (m *mirror) Save(ctx context.Context, rule, inst string, s alert.State, expect int64, now time.Time) (int64, error) {
	v, err := m.StateStore.Save(ctx, rule, inst, s, expect, now)
	if err == nil {
		cur, _ := m.seen.Load(ctx, rule)
		_, _ = m.seen.Save(ctx, rule, inst, s, cur[inst].Version, now)
	}
	return v, err
}

// live runs the live poller minute by minute over [from, to), sending
// into memory and keeping its history, and tracks what it did.
func live(t *testing.T, ev *alert.Evaluator, from, to time.Time, step func(time.Time)) (*backtest.Result, *mail.Memory) {
	t.Helper()
	ctx := context.Background()
	sender := &mail.Memory{}
	ev.Sender = sender
	m := &mirror{StateStore: ev.States}
	ev.States = m
	tr := backtest.NewTracker(&m.seen, ev.Rules)
	for at := from; at.Before(to); at = at.Add(time.Minute) {
		step(at)
		out, err := ev.Evaluate(ctx, at)
		if err != nil {
			t.Fatalf("%s: %v", at, err)
		}
		for _, em := range out.Emails {
			if em.Err != nil {
				t.Fatalf("%s: mail not sent: %v", at, em.Err)
			}
		}
		if err := tr.Observe(ctx, at, out); err != nil {
			t.Fatal(err)
		}
	}
	return tr.Result(nil), sender
}

// same compares the live run with the backtest: same scopes, episodes,
// minutes firing and notifications per kind, and as many mails.
func same(t *testing.T, got *backtest.Result, sent int, want *backtest.Result) {
	t.Helper()
	strip := func(r *backtest.Result) []backtest.Scope {
		var out []backtest.Scope
		for _, s := range r.Scopes {
			c := *s
			c.Episodes = append([]backtest.Episode{}, c.Episodes...)
			for i := range c.Episodes {
				c.Episodes[i].AcrossGap = false // only the backtest knows the gaps
			}
			out = append(out, c)
		}
		return out
	}
	if g, w := strip(got), strip(want); !reflect.DeepEqual(g, w) {
		t.Errorf("live run and backtest differ:\nlive     %+v\nbacktest %+v", g, w)
	}
	if sent != want.Emails || got.Emails != want.Emails {
		t.Errorf("live run sent %d mails (%d composed); the backtest says %d", sent, got.Emails, want.Emails)
	}
}

// TestLiveWeekMatchesBacktest is the proof that the backtest tells the
// truth: the live poller run over the scripted week (10,080 minutes, in
// memory: an in-process clock, the script answered without HTTP) sends
// exactly the mails the backtest of the history it kept says it would.
func TestLiveWeekMatchesBacktest(t *testing.T) {
	cfg := example(t)
	rules, err := alert.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	steps := comm100sim.WeekScript()
	src := &scripted{}
	store := &history.Memory{}
	ev := &alert.Evaluator{Config: cfg, Rules: rules, Reports: src, States: &alert.MemoryStates{}, History: store}
	from, to := comm100sim.WeekStart, comm100sim.WeekStart.Add(7*24*time.Hour)
	got, sender := live(t, ev, from, to, func(at time.Time) { src.step = steps[comm100sim.WeekStep(at)] })

	rep, err := backtest.Run(context.Background(), store, cfg, backtest.Options{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, len(sender.Messages()), rep.Baseline)
	// The week is worth proving on: every rule fires, the outage is a gap.
	for _, rule := range []string{"queue-long", "wait-long", "nobody-online", alert.NoDataRule} {
		n := 0
		for _, s := range rep.Baseline.Scopes {
			if s.Rule == rule {
				n += len(s.Episodes)
			}
		}
		if n == 0 {
			t.Errorf("rule %s never fired in the scripted week", rule)
		}
	}
	if rep.Failed != 27 || len(rep.Gaps) != 2 || rep.Gaps[0].Minutes() != 25 {
		t.Errorf("failed polls %d, gaps %+v; want the script's 25- and 2-minute outages", rep.Failed, rep.Gaps)
	}
	t.Logf("week: %d mails, %d scopes", len(sender.Messages()), len(rep.Baseline.Scopes))
}

// TestLiveDayOnMotoMatchesBacktest runs one whole day (Thursday, with
// the API outage) end to end: the simulator over HTTP, alert state and
// history in moto's DynamoDB; then the backtest reads the history back
// from moto. A --set backtest afterwards leaves the stored states alone.
func TestLiveDayOnMotoMatchesBacktest(t *testing.T) {
	if testing.Short() {
		t.Skip("1,440 polls against moto")
	}
	ctx := context.Background()
	cfg := example(t)
	rules, err := alert.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	moto := awstest.Fresh(t)
	db := dynamodb.NewFromConfig(moto.Config(t))
	if err := sendlog.CreateTable(ctx, db, "reportmailer"); err != nil {
		t.Fatal(err)
	}
	sim := comm100sim.New(comm100sim.Options{})
	script := comm100sim.NewScript(comm100sim.WeekScript(), false)
	sim.SetScript(script)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	client := reports.New(reports.WithBaseURL(srv.URL), reports.WithRetry(reports.RetryPolicy{MaxAttempts: 1}), reports.WithRateLimit(1<<20, 1e9),
		reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}))
	store := history.Dynamo{Client: db, Table: "reportmailer", Site: comm100sim.DefaultSiteID}
	states := alert.DynamoStates{Client: db, Table: "reportmailer"}
	ev := &alert.Evaluator{Config: cfg, Rules: rules, Reports: client, States: states, History: store}
	from := comm100sim.WeekStart.Add(3 * 24 * time.Hour)
	to := from.Add(24 * time.Hour)
	got, sender := live(t, ev, from, to, func(at time.Time) { script.Step(comm100sim.WeekStep(at)) })

	rep, err := backtest.Run(ctx, store, cfg, backtest.Options{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, len(sender.Messages()), rep.Baseline)
	if len(sender.Messages()) == 0 || rep.Failed != 25 {
		t.Errorf("Thursday: %d mails, %d failed polls; want some mails and the 25-minute outage", len(sender.Messages()), rep.Failed)
	}

	// --set changes only the backtest.
	before := alertItems(t, db)
	cfgBefore, _ := yaml.Marshal(cfg)
	sets := []backtest.Set{{Rule: "wait-long", Field: "threshold", Value: "300"}, {Rule: "queue-long", Field: "for", Value: "10m"}}
	rep2, err := backtest.Run(ctx, store, cfg, backtest.Options{From: from, To: to, Sets: sets})
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Variant == nil || reflect.DeepEqual(rep2.Variant.Scopes, rep2.Baseline.Scopes) {
		t.Error("the overrides changed nothing in the backtest")
	}
	if after := alertItems(t, db); !reflect.DeepEqual(before, after) {
		t.Error("a --set backtest changed the stored alert states")
	}
	if cfgAfter, _ := yaml.Marshal(cfg); string(cfgAfter) != string(cfgBefore) {
		t.Error("a --set backtest changed the configured rules")
	}
}

// alertItems are the stored alert states (paged: the history's hour items are large).
func alertItems(t *testing.T, db *dynamodb.Client) []string {
	t.Helper()
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String("reportmailer"),
		FilterExpression: aws.String("begins_with(pk, :a)"), ExpressionAttributeValues: map[string]types.AttributeValue{":a": &types.AttributeValueMemberS{Value: "alert#"}}})
	var items []string
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			line := it["pk"].(*types.AttributeValueMemberS).Value
			for _, k := range []string{"sk", "state", "version"} {
				switch v := it[k].(type) {
				case *types.AttributeValueMemberS:
					line += " " + v.Value
				case *types.AttributeValueMemberN:
					line += " " + v.Value
				}
			}
			items = append(items, line)
		}
	}
	if len(items) == 0 {
		t.Fatal("no alert states stored")
	}
	sort.Strings(items)
	return items
}

// snap is a one-queue snapshot with n visitors waiting (n < 0: a failed poll).
func snap(at time.Time, n int) history.Snapshot {
	if n < 0 {
		return history.FromPoll(at, nil, nil, errors.New("HTTP 503"))
	}
	q := reports.RealtimeQueue{RouteTo: reports.RouteTo{Type: reports.RouteDepartment, ID: "7"}, Queue: make([]reports.QueuedVisitor, n)}
	return history.FromPoll(at, []reports.RealtimeQueue{q}, &reports.RightNow{LoggedInAgents: 3}, nil)
}

func TestEpisodeAcrossAGap(t *testing.T) {
	c, err := config.Load([]byte(`
comm100: {siteID: "1"}
mail: {from: a@example.com}
alerts:
  noDataAfter: 3
  rules:
    - {id: q, metric: queue.length, op: ">", threshold: 5, for: "2", to: [o@example.com], repeat: 5m}
`))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC)
	// Minutes: 2 quiet, 4 high, 2 failed polls, 1 unrecorded, 3 high, 3 quiet.
	lengths := []int{0, 0, 9, 9, 9, 9, -1, -1, -2, 9, 9, 9, 0, 0, 0}
	store := &history.Memory{}
	for i, n := range lengths {
		if n != -2 {
			_ = store.Put(context.Background(), snap(start.Add(time.Duration(i)*time.Minute), n))
		}
	}
	rep, err := backtest.Run(context.Background(), store, c, backtest.Options{From: start, To: start.Add(15 * time.Minute),
		Sets: []backtest.Set{{Rule: "q", Field: "threshold", Value: "10"}}})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Baseline.Scope("q", "department:7")
	if s == nil || len(s.Episodes) != 1 {
		t.Fatalf("scope %+v, want one episode", s)
	}
	ep := s.Episodes[0]
	if !ep.AcrossGap || !ep.Start.Equal(start.Add(3*time.Minute)) || !ep.End.Equal(start.Add(12*time.Minute)) || ep.Peak != 9 {
		t.Errorf("episode %+v, want 10:03–10:12 across the gap, peak 9", ep)
	}
	// Firing at 10:03–10:11 on the 8 polls kept (the unrecorded minute is not a poll).
	if s.MinutesFiring != 8 || s.Mails != (backtest.Mails{Firing: 1, Repeat: 1, Resolved: 1}) {
		t.Errorf("minutes %d, mails %+v", s.MinutesFiring, s.Mails)
	}
	if len(rep.Gaps) != 1 || rep.Gaps[0].Minutes() != 3 || rep.Gaps[0].Failed != 2 {
		t.Errorf("gaps %+v, want one of 3 minutes with 2 failed polls", rep.Gaps)
	}
	if v := rep.Variant.Scope("q", "department:7"); v != nil && len(v.Episodes) != 0 {
		t.Errorf("threshold 10: %+v, want no episode", v)
	}
	var text strings.Builder
	rep.WriteText(&text, c)
	for _, want := range []string{"q threshold: 5 → 10", "episodes 1 → 0", "spans a gap", "gap Mon 16 Nov 10:06 – 10:09 (3 min, 2 failed polls)"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, text.String())
		}
	}
}

func TestParseSet(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want backtest.Set
		err  bool
	}{
		{in: "queue-long.threshold=10", want: backtest.Set{Rule: "queue-long", Field: "threshold", Value: "10"}},
		{in: "a.b.for=5m", want: backtest.Set{Rule: "a.b", Field: "for", Value: "5m"}},
		{in: "queue-long.colour=red", err: true},
		{in: "threshold=10", err: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := backtest.ParseSet(tc.in)
			if (err != nil) != tc.err || (!tc.err && got != tc.want) {
				t.Errorf("ParseSet(%q) = %+v, %v", tc.in, got, err)
			}
		})
	}
}

// An override reads as the same value written in the config: repeat 0
// (or empty) is the default hourly reminder and an empty severity
// "warning". The backtest used to replay repeat 0 as "never remind",
// which no config can say, and an empty severity the config never has.
func TestSetMeansWhatTheConfigMeans(t *testing.T) {
	cfg := example(t)
	id := cfg.Alerts.Rules[0].ID
	for _, tc := range []struct {
		set   string
		check func(r config.Rule) bool
	}{
		{"repeat=0", func(r config.Rule) bool { return time.Duration(r.Repeat) == time.Hour }},
		{"repeat=0s", func(r config.Rule) bool { return time.Duration(r.Repeat) == time.Hour }},
		{"repeat=", func(r config.Rule) bool { return time.Duration(r.Repeat) == time.Hour }},
		{"repeat=30m", func(r config.Rule) bool { return time.Duration(r.Repeat) == 30*time.Minute }},
		{"severity=", func(r config.Rule) bool { return r.Severity == "warning" }},
		{"severity=critical", func(r config.Rule) bool { return r.Severity == "critical" }},
	} {
		set, err := backtest.ParseSet(id + "." + tc.set)
		if err != nil {
			t.Fatal(err)
		}
		c, err := backtest.Apply(cfg, []backtest.Set{set})
		if err != nil {
			t.Errorf("%s: %v", tc.set, err)
			continue
		}
		if r := c.Alerts.Rules[0]; !tc.check(r) {
			t.Errorf("%s: repeat %v, severity %q", tc.set, time.Duration(r.Repeat), r.Severity)
		}
	}
}
