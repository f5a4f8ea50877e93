package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/alert"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/config"
	"reportmailer/pkg/mail"
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
	app, err := appenv.Load(ctx, appenv.Options{ConfigPath: *cfgPath, Logger: cliLogger(), NeedSender: *send})
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
	}
	if out.FetchError != nil {
		fmt.Printf("%s  fetch failed: %v\n", prefix, out.FetchError)
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
// rules, one evaluation per simulated minute.
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
	ev, err := evaluator(app, "memory")
	if err != nil {
		return err
	}
	sender := &mail.Memory{}
	ev.Sender = sender
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	fmt.Printf("Comm100 simulator on %s, playing a queue surge; one evaluation per simulated minute\n", url)
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // a Monday morning, inside the rules' active hours
	for i := range steps {
		script.Step(i)
		at := start.Add(time.Duration(i) * time.Minute)
		before := len(sender.Messages())
		res, err := ev.Evaluate(ctx, at)
		if err != nil {
			return err
		}
		printOutcome(at, len(steps[i].Queues[1].Queue), res, false)
		for j, m := range sender.Messages()[before:] {
			name := fmt.Sprintf("%s/alert-%02d-%d.eml", *out, i, j)
			if err := os.WriteFile(name, m.Raw, 0o644); err != nil {
				return err
			}
		}
	}
	fmt.Printf("mails written to %s/alert-*.eml\n", *out)
	return nil
}
