package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/internal/notifytest"
	"reportmailer/pkg/alert"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/config"
	"reportmailer/pkg/links"
	"reportmailer/pkg/linktoken"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/notify"
	"reportmailer/pkg/oncall"
	"reportmailer/pkg/reports"
)

func runAlert(ctx context.Context, args []string) error {
	fs := newFlagSet("alert")
	cfgPath := fs.String("config", "", "config file (default: CONFIG_FILE, SSM or S3 as in the Lambda)")
	state := fs.String("state", "memory", "memory (dry, forgets) or dynamodb (TABLE_NAME)")
	send := fs.Bool("send", false, "send the mails through SES (default: print what would be sent)")
	timeout := fs.Duration("timeout", 60*time.Second, "deadline for the whole evaluation, as the Lambda's timeout is for it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	app, err := appenv.Load(ctx, appenv.Options{ConfigPath: *cfgPath, Logger: cliLogger(), NeedSender: *send, NeedReceivers: *send})
	if err != nil {
		return err
	}
	if !*send && *state != "memory" {
		// A dry run records its mails as sent: against the Lambda's state it
		// would swallow real notifications.
		return fmt.Errorf("-state %s needs --send; a dry run uses -state memory", *state)
	}
	ev, err := evaluator(app, *state)
	if err != nil {
		return err
	}
	if !*send {
		ev.Sender = nil
	}
	out, err := ev.Evaluate(ctx, time.Now())
	if err != nil {
		return err
	}
	printOutcome(time.Now(), -1, out, !*send)
	return outcomeErr(out)
}

// outcomeErr says why an evaluation did not do its job: the poll failed
// (no rule was evaluated), or an alert mail was not sent.
func outcomeErr(out *alert.Outcome) error {
	var errs []error
	if out.FetchError != nil {
		errs = append(errs, fmt.Errorf("the poll failed, so no rule was evaluated: %w", out.FetchError))
	}
	for _, em := range out.Emails {
		if em.Err != nil {
			errs = append(errs, fmt.Errorf("alert mail to %v not sent: %w", em.To, em.Err))
		}
	}
	return errors.Join(errs...)
}

func evaluator(app *appenv.App, state string) (*alert.Evaluator, error) {
	if state != "memory" && state != "dynamodb" {
		return nil, fmt.Errorf("-state %q: want memory or dynamodb", state)
	}
	return app.AlertEvaluator(state == "dynamodb")
}

func printOutcome(at time.Time, queueLen int, out *alert.Outcome, dry bool) {
	prefix := at.UTC().Format("15:04")
	if queueLen >= 0 {
		prefix += fmt.Sprintf("  Sales queue %2d  ", queueLen)
	} else {
		prefix += "                  "
	}
	if out.FetchError != nil {
		fmt.Printf("%s  fetch failed (%s)\n", prefix, reports.Reason(out.FetchError))
	}
	if len(out.Emails) == 0 {
		fmt.Printf("%s  (no mail)\n", prefix)
	}
	verb := "sent"
	if dry {
		verb = "would send"
	}
	for _, em := range out.Emails {
		switch {
		case em.Permanent:
			fmt.Printf("%s  rejected for good (not retried) to %v: %s: %v\n", prefix, em.To, em.Subject, em.Err)
		case em.Err != nil:
			fmt.Printf("%s  not sent (left for the next evaluation) to %v: %s: %v\n", prefix, em.To, em.Subject, em.Err)
		default:
			fmt.Printf("%s  %s to %v: %s\n", prefix, verb, em.To, em.Subject)
		}
	}
}

// runDemoAlert plays the simulator's surge script through the example's
// rules, one evaluation per simulated minute, with every receiver pointed
// at a local stand-in; someone acknowledges the alert from its link; then
// the Comm100 API fails for a while and "Comm100 data unavailable" plays.
// It prints what each receiver received.
func runDemoAlert(ctx context.Context, args []string) error {
	fs := newFlagSet("demo-alert")
	cfgPath := fs.String("config", "reportmailer.example.yaml", "config file")
	repeat := fs.Duration("repeat", 3*time.Minute, "reminder interval for the demo (the config's is longer)")
	out := fs.String("out", "out", "directory for the mails (.eml)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	steps := comm100sim.SurgeScript()
	url, sim, err := startSimulator(ctx, comm100sim.Options{})
	if err != nil {
		return err
	}
	script := comm100sim.NewScript(steps, false)
	sim.SetScript(script)
	data, err := os.ReadFile(*cfgPath)
	if err != nil {
		return err
	}
	cfg, err := config.Load(data)
	if err != nil {
		return err
	}
	for i := range cfg.Alerts.Rules {
		cfg.Alerts.Rules[i].Repeat = config.Duration(*repeat)
	}
	app, err := appenv.Load(ctx, appenv.Options{ConfigPath: *cfgPath, Logger: cliLogger(), Getenv: func(k string) string {
		return comm100sim.ClientEnv(url)[k]
	}})
	if err != nil {
		return err
	}
	app.Config.Alerts.Rules = cfg.Alerts.Rules
	standIns, err := demoReceivers(ctx, app)
	if err != nil {
		return err
	}
	defer func() {
		for _, si := range standIns {
			si.Close()
		}
	}()
	ev, err := evaluator(app, "memory")
	if err != nil {
		return err
	}
	sender := &mail.Memory{}
	ev.Sender = sender
	onCall := &oncall.Memory{}
	ev.OnCall = onCall
	if ev.Links == nil {
		// Signed with a throwaway key: the buttons show, nothing can check them.
		key := make([]byte, linktoken.MinKeyBytes)
		_, _ = rand.Read(key)
		signer, _ := linktoken.NewSigner(key)
		ev.Links = links.Issuer{Signer: signer, Base: "https://links.example.com/"}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	fmt.Printf("Comm100 simulator on %s, playing a queue surge; one evaluation per simulated minute\n", url)
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // a Monday morning, inside the rules' active hours
	shown := map[string]int{}
	played := 0
	evaluate := func(at time.Time, queueLen int) error {
		before := len(sender.Messages())
		res, err := ev.Evaluate(ctx, at)
		if err != nil {
			return err
		}
		printOutcome(at, queueLen, res, false)
		printReceived(standIns, shown)
		for j, m := range sender.Messages()[before:] {
			name := fmt.Sprintf("%s/alert-%02d-%d.eml", *out, played, j)
			if err := os.WriteFile(name, m.Raw, 0o644); err != nil {
				return err
			}
		}
		played++
		return nil
	}
	acked := false
	for i := range steps {
		script.Step(i)
		at := start.Add(time.Duration(i) * time.Minute)
		if err := evaluate(at, len(steps[i].Queues[1].Queue)); err != nil {
			return err
		}
		if !acked {
			acked = demoAcknowledge(ctx, ev, onCall, at.Add(30*time.Second))
		}
	}
	// The Report API fails: after noDataAfter failed polls, "Comm100 data
	// unavailable"; then it comes back.
	fails := max(1, app.Config.Alerts.NoDataAfter)
	fmt.Printf("\nThe Report API now answers 503 for %d polls, then recovers\n", fails+1)
	sim.AddFault(comm100sim.Fault{Report: "*", Status: 503})
	ev.Logger = slog.New(slog.DiscardHandler) // the failed polls are printed below
	base := start.Add(time.Duration(len(steps)) * time.Minute)
	for i := 0; i < fails+3; i++ {
		if i == fails+1 {
			sim.ClearFaults()
		}
		if err := evaluate(base.Add(time.Duration(i)*time.Minute), -1); err != nil {
			return err
		}
	}
	fmt.Printf("mails written to %s/alert-*.eml\n", *out)
	fmt.Println("\nWhat each receiver received:")
	for _, name := range sortedNames(standIns) {
		si := standIns[name]
		fmt.Printf("  %s (%s): %d message(s)\n", name, si.Kind, len(si.Bodies()))
	}
	return nil
}

// demoReceivers points every configured receiver at a local stand-in of
// its kind and builds the receivers.
func demoReceivers(ctx context.Context, app *appenv.App) (map[string]*notifytest.StandIn, error) {
	out := map[string]*notifytest.StandIn{}
	rs := app.Config.Alerts.Receivers
	for i := range rs {
		si := notifytest.Start(rs[i].Kind())
		out[rs[i].Name] = si
		switch {
		case rs[i].PagerDuty != nil:
			rs[i].PagerDuty.URL = si.URL + "/v2/enqueue"
			if rs[i].PagerDuty.RoutingKeySecret != "" {
				rs[i].PagerDuty.RoutingKey, rs[i].PagerDuty.RoutingKeySecret = "DEMO-ROUTING-KEY", ""
			}
		default:
			h := rs[i].Hook()
			h.URL, h.URLSecret = reports.Secret(si.URL+"/"+rs[i].Name), ""
		}
		fmt.Printf("receiver %s (%s) → local stand-in %s\n", rs[i].Name, rs[i].Kind(), si.URL)
	}
	built, err := notify.Build(ctx, rs, nil, notify.Options{})
	if err != nil {
		return nil, err
	}
	app.Receivers = built
	return out, nil
}

// demoAcknowledge plays on-call clicking Acknowledge on the first alert
// with receivers that fired; it reports whether it did.
func demoAcknowledge(ctx context.Context, ev *alert.Evaluator, store *oncall.Memory, at time.Time) bool {
	for _, r := range ev.Rules {
		if len(r.Notify) == 0 {
			continue
		}
		states, err := ev.States.Load(ctx, r.ID)
		if err != nil {
			continue
		}
		for inst, s := range states {
			if s.Status != alert.Firing || !s.AckedAt.IsZero() {
				continue
			}
			_, _ = store.Acknowledge(ctx, oncall.Ack{Rule: r.ID, Instance: inst, Episode: s.FiringSince.Unix(), At: at, By: "demo"})
			fmt.Printf("%s  (on-call clicks Acknowledge on %s / %s)\n", at.UTC().Format("15:04"), r.ID, s.Label)
			return true
		}
	}
	return false
}

// printReceived prints what each stand-in received since the last call.
func printReceived(standIns map[string]*notifytest.StandIn, shown map[string]int) {
	for _, name := range sortedNames(standIns) {
		si := standIns[name]
		bodies := si.Bodies()
		for _, b := range bodies[shown[name]:] {
			fmt.Printf("         → %-14s %-9s %s\n", name, si.Kind, notifytest.Summary(si.Kind, b))
		}
		shown[name] = len(bodies)
	}
}

func sortedNames(m map[string]*notifytest.StandIn) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
