package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"reportmailer/pkg/appenv"
	"reportmailer/pkg/dispatch"
	"reportmailer/pkg/schedule"
)

// runSchedule answers "when will my digests go out?": every planned send
// from the first date to the last (both inclusive, UTC days).
func runSchedule(ctx context.Context, args []string) error {
	fs := newFlagSet("schedule")
	cfgPath := fs.String("config", "", "config file (default: CONFIG_SSM_PARAMETER, CONFIG_S3_URI or CONFIG_FILE as in the Lambda)")
	from := fs.String("from", "", "first day, YYYY-MM-DD (UTC) or RFC 3339 (required)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (UTC, inclusive) or RFC 3339 (required)")
	asJSON := fs.Bool("json", false, `one JSON object per line: {"digest","periodStart","periodEnd","sendAt"}`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	start, err := parseDay("-from", *from, false)
	if err != nil {
		return err
	}
	end, err := parseDay("-to", *to, true)
	if err != nil {
		return err
	}
	if !end.After(start) {
		return fmt.Errorf("-to %s is before -from %s", *to, *from)
	}
	ds, err := loadSchedules(ctx, *cfgPath)
	if err != nil {
		return err
	}
	plan := schedule.Plan(ds, start, end)
	if *asJSON {
		return printJobs(stdout, plan)
	}
	printPlan(stdout, plan)
	return nil
}

// loadSchedules loads the configuration the Lambdas load and returns its
// digests' schedules.
func loadSchedules(ctx context.Context, path string) ([]schedule.Entry, error) {
	loaded, err := appenv.LoadConfig(ctx, appenv.Options{ConfigPath: path})
	if err != nil {
		return nil, err
	}
	return loaded.Config.Schedules()
}

// parseDay reads a UTC date (the start of that day, or of the next when
// inclusive end) or an exact RFC 3339 instant.
func parseDay(flag, s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("%s is required (YYYY-MM-DD)", flag)
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: want YYYY-MM-DD or RFC 3339", flag, s)
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

// printJobs writes one dispatch.Job per line: the shape the dispatcher
// queues, so a script can compare the plan with what was sent.
func printJobs(w io.Writer, plan []schedule.Planned) error {
	enc := json.NewEncoder(w)
	for _, p := range plan {
		if err := enc.Encode(dispatch.JobOf(p)); err != nil {
			return err
		}
	}
	return nil
}

func printPlan(w io.Writer, plan []schedule.Planned) {
	if len(plan) == 0 {
		fmt.Fprintln(w, "no sends in this range")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DIGEST\tPERIOD\tSENDS (LOCAL)\tSENDS (UTC)")
	for _, p := range plan {
		fmt.Fprintf(tw, "%s\t%s – %s\t%s\t%s\n", p.Digest, p.Period.Key(), p.Period.LastDay(),
			p.SendAt.In(p.Period.Location).Format("Mon 2006-01-02 15:04 MST"), p.SendAt.UTC().Format("2006-01-02 15:04Z"))
	}
	tw.Flush()
}

// printSSMTier says whether the configuration fits an SSM parameter (the
// template's ConfigSsmParameter), and which tier it needs.
func printSSMTier(w io.Writer, loaded *appenv.Loaded) {
	tier, err := appenv.SSMTier(loaded.Bytes)
	switch {
	case err != nil:
		fmt.Fprintf(w, "  size   not for SSM: %v\n", err)
	case tier == "Standard":
		fmt.Fprintf(w, "  size   %d bytes: fits an SSM parameter (standard tier), S3 or the bundled file\n", loaded.Bytes)
	default:
		fmt.Fprintf(w, "  size   %d bytes: an SSM parameter needs --tier Advanced (over 4096 bytes); S3 or the bundled file also work\n", loaded.Bytes)
	}
}
