package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/alert"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/backtest"
	"reportmailer/pkg/config"
	"reportmailer/pkg/history"
	"reportmailer/pkg/reports"
)

// setFlags collects repeated --set rule.field=value.
type setFlags []backtest.Set

func (s *setFlags) String() string { return fmt.Sprint(len(*s)) }

func (s *setFlags) Set(v string) error {
	set, err := backtest.ParseSet(v)
	if err != nil {
		return err
	}
	*s = append(*s, set)
	return nil
}

// isBacktest reports whether an alert command line asks for a backtest.
func isBacktest(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool {
		return a == "-backtest" || a == "--backtest" || strings.HasPrefix(a, "-backtest=") || strings.HasPrefix(a, "--backtest=")
	})
}

// parseWhen reads a date (midnight UTC) or an RFC 3339 time.
func parseWhen(flag, s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("--%s %q: want a date (2026-11-16, UTC) or an RFC 3339 time", flag, s)
}

// parseSpan reads --from and --to with parseWhen.
func parseSpan(from, to string) (f, t time.Time, err error) {
	if f, err = parseWhen("from", from); err != nil {
		return f, t, err
	}
	t, err = parseWhen("to", to)
	return f, t, err
}

// openStore opens the history named by --store: file:PATH, or dynamodb
// (TABLE_NAME, with the AWS SDK's usual credentials and endpoint).
func openStore(ctx context.Context, spec string, cfg *config.Config) (history.Store, error) {
	if path, ok := strings.CutPrefix(spec, "file:"); ok && path != "" {
		return &history.File{Path: path}, nil
	}
	if spec != "dynamodb" {
		return nil, fmt.Errorf("--store %q: want file:PATH or dynamodb", spec)
	}
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("--store dynamodb needs TABLE_NAME (the stack's table)")
	}
	c, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	return history.Dynamo{Client: dynamodb.NewFromConfig(c), Table: table, Site: cfg.Comm100.SiteID, Days: cfg.Alerts.HistoryDays}, nil
}

func defaultStore() string {
	if os.Getenv("TABLE_NAME") != "" {
		return "dynamodb"
	}
	return ""
}

// runBacktest is `alert --backtest`: replay the stored history through
// the rules, and with --set overrides side by side.
func runBacktest(ctx context.Context, args []string) error {
	fs := newFlagSet("alert")
	fs.Bool("backtest", true, "replay the stored queue history through the rules instead of polling")
	cfgPath := fs.String("config", "", "config file (default: CONFIG_FILE, SSM or S3 as in the Lambda)")
	store := fs.String("store", defaultStore(), "history: dynamodb (TABLE_NAME) or file:PATH (from `history fill`)")
	from := fs.String("from", "", "start, a date (UTC midnight) or RFC 3339 time")
	to := fs.String("to", "", "end (exclusive)")
	rule := fs.String("rule", "", "only this rule (default: every rule)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	var sets setFlags
	fs.Var(&sets, "set", "override a rule field for the backtest only, rule.field=value (repeatable), e.g. queue-long.threshold=10")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" || *store == "" {
		fmt.Fprintln(stderr, "alert --backtest needs --from, --to and --store (or TABLE_NAME)")
		fs.usage(stderr)
		return errUsage
	}
	f, t, err := parseSpan(*from, *to)
	if err != nil {
		return err
	}
	loaded, err := appenv.LoadConfig(ctx, appenv.Options{ConfigPath: *cfgPath})
	if err != nil {
		return err
	}
	st, err := openStore(ctx, *store, loaded.Config)
	if err != nil {
		return err
	}
	rep, err := backtest.Run(ctx, st, loaded.Config, backtest.Options{From: f, To: t, Rule: *rule, Sets: sets})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.WriteText(stdout, loaded.Config)
	return nil
}

// runHistory is `history fill`: poll the simulator's scripted week minute
// by minute through the alert poller (dry: nothing is mailed) into a store.
func runHistory(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "summary" {
		return runHistorySummary(ctx, args[1:])
	}
	if len(args) == 0 || args[0] != "fill" {
		fmt.Fprintln(stderr, "usage: reportmailer history fill --from T --to T --store file:PATH|dynamodb [--config FILE]\n"+
			"       reportmailer history summary --from T --to T --store file:PATH|dynamodb [--timezone TZ] [--department ID …] [--wait 60s]")
		return errUsage
	}
	fs := newFlagSet("history")
	cfgPath := fs.String("config", "reportmailer.example.yaml", "config file (its alert rules run, dry, as the poller's)")
	store := fs.String("store", defaultStore(), "history: dynamodb (TABLE_NAME, e.g. moto's) or file:PATH")
	from := fs.String("from", comm100sim.WeekStart.Format(time.DateOnly), "first minute to poll")
	to := fs.String("to", comm100sim.WeekStart.Add(7*24*time.Hour).Format(time.DateOnly), "end (exclusive)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *store == "" {
		return errors.New("--store: want file:PATH or dynamodb (TABLE_NAME)")
	}
	f, t, err := parseSpan(*from, *to)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	loaded, err := appenv.LoadConfig(ctx, appenv.Options{ConfigPath: *cfgPath})
	if err != nil {
		return err
	}
	st, err := openStore(ctx, *store, loaded.Config)
	if err != nil {
		return err
	}
	url, sim, err := startSimulator(ctx, comm100sim.Options{})
	if err != nil {
		return err
	}
	script := comm100sim.NewScript(comm100sim.WeekScript(), false)
	sim.SetScript(script)
	// One attempt per poll, as a minute's poll that fails is a gap; no
	// quota: the simulated week goes by in seconds, not a week.
	client := reports.New(reports.WithBaseURL(url), reports.WithRetry(reports.RetryPolicy{MaxAttempts: 1}), reports.WithRateLimit(1<<20, 1e9),
		reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}))
	ev := &alert.Evaluator{Config: loaded.Config, Rules: loaded.Rules, Reports: client, States: &alert.MemoryStates{}, History: st}
	n, failed := 0, 0
	for at := f; at.Before(t); at = at.Add(time.Minute) {
		script.Step(comm100sim.WeekStep(at))
		out, err := ev.Evaluate(ctx, at)
		if err != nil {
			return err
		}
		n++
		if out.FetchError != nil {
			failed++
		}
	}
	fmt.Fprintf(stdout, "polled the simulator's scripted week %s → %s: %d polls (%d failed) into %s\n",
		f.Format(time.RFC3339), t.Format(time.RFC3339), n, failed, *store)
	return nil
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runHistorySummary prints the "queue over the week" figures a digest
// section would show, from the stored history.
func runHistorySummary(ctx context.Context, args []string) error {
	fs := newFlagSet("history")
	cfgPath := fs.String("config", "", "config file (its comm100.siteID names the history in DynamoDB)")
	store := fs.String("store", defaultStore(), "history: dynamodb (TABLE_NAME) or file:PATH")
	from := fs.String("from", comm100sim.WeekStart.Format(time.DateOnly), "start (a date is midnight in --timezone)")
	to := fs.String("to", comm100sim.WeekStart.Add(7*24*time.Hour).Format(time.DateOnly), "end (exclusive)")
	tz := fs.String("timezone", "UTC", "the days' and hours' timezone")
	wait := fs.Duration("wait", history.DefaultWait, "count the minutes someone had waited longer than this")
	var depts listFlag
	fs.Var(&depts, "department", "only this department's queue (id; repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("--timezone: %w", err)
	}
	when := func(flag, v string) (time.Time, error) {
		if t, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
			return t, nil
		}
		return parseWhen(flag, v)
	}
	f, err := when("from", *from)
	if err != nil {
		return err
	}
	t, err := when("to", *to)
	if err != nil {
		return err
	}
	cfg := &config.Config{}
	if *cfgPath != "" || !strings.HasPrefix(*store, "file:") {
		loaded, err := appenv.LoadConfig(ctx, appenv.Options{ConfigPath: *cfgPath})
		if err != nil {
			return err
		}
		cfg = loaded.Config
	}
	st, err := openStore(ctx, *store, cfg)
	if err != nil {
		return err
	}
	snaps, err := st.Range(ctx, f, t)
	if err != nil {
		return err
	}
	history.Summarize(snaps, f, t, history.SummaryOptions{Location: loc, Wait: *wait, Departments: depts}).WriteText(stdout)
	return nil
}
