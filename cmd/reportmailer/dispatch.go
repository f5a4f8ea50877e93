package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"reportmailer/internal/gctune"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/digest"
	"reportmailer/pkg/dispatch"
	"reportmailer/pkg/schedule"
)

// runDispatch does what one dispatcher tick does at an instant: find the
// sends due in (at − every, at], then print, render or send them in order.
func runDispatch(ctx context.Context, args []string) error {
	gctune.Apply(gctune.For(os.Getenv))
	fs := newFlagSet("dispatch")
	cfgPath := fs.String("config", "", "config file (default: CONFIG_SSM_PARAMETER, CONFIG_S3_URI or CONFIG_FILE as in the Lambda)")
	at := fs.String("at", "", "the tick's scheduled time, RFC 3339 (required)")
	every := fs.Duration("every", dispatch.DefaultEvery, "the tick interval")
	dryRun := fs.Bool("dry-run", false, "print the due (digest, period) pairs; fetch nothing")
	asJSON := fs.Bool("json", false, "with -dry-run: one JSON object per line")
	send := fs.Bool("send", false, "send the due digests (in-process, in order; TABLE_NAME enables exactly-once)")
	out := fs.String("out", "out", "directory for the rendered digests")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *at == "" {
		return errors.New("-at is required (RFC 3339, e.g. 2027-03-29T07:00:00Z)")
	}
	// The same checks as the dispatcher Lambda's event.
	tick, interval, err := dispatch.Tick{ScheduledTime: *at, Every: every.String()}.Parse()
	if err != nil {
		return fmt.Errorf("-at/-every: %w", err)
	}
	if *dryRun && *send {
		return errors.New("-dry-run and -send: choose one")
	}
	if *asJSON && !*dryRun {
		return errors.New("-json goes with -dry-run")
	}
	ds, err := loadSchedules(ctx, *cfgPath)
	if err != nil {
		return err
	}
	due := schedule.Due(ds, tick, interval)
	if *dryRun {
		if *asJSON {
			return printJobs(stdout, due)
		}
		printPlan(stdout, due)
		return nil
	}
	if len(due) == 0 {
		fmt.Fprintf(stdout, "nothing due in (%s, %s]\n", tick.Add(-interval).UTC().Format(time.RFC3339), tick.UTC().Format(time.RFC3339))
		return nil
	}
	app, err := appenv.Load(ctx, appenv.Options{ConfigPath: *cfgPath, Logger: cliLogger(), NeedSender: *send})
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range due {
		req := digest.Request{DigestID: p.Digest, PeriodStart: p.Period.Key(), Send: *send}
		if err := renderDigest(ctx, app, req, "", *out, nil); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", p.Digest, p.Period.Key(), err))
		}
	}
	return errors.Join(errs...)
}
