package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"reportmailer/pkg/appenv"
	"reportmailer/pkg/ids"
)

// runIDs lists the ids the site's reports mention, beside the names the
// config gives them, and prints a names: block for the missing ones.
func runIDs(ctx context.Context, args []string) error { return listIDs(ctx, args, os.Stdout) }

func listIDs(ctx context.Context, args []string, w io.Writer) error {
	fs := newFlagSet("ids")
	cfgPath := fs.String("config", "reportmailer.yaml", "configuration file (Comm100 access from it, its secret or COMM100_* variables)")
	since := fs.String("since", "", "first day to scan, YYYY-MM-DD (default: 30 days before today, UTC)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	to := time.Now().UTC().Truncate(24 * time.Hour)
	from := to.AddDate(0, 0, -30)
	if *since != "" {
		d, err := time.Parse(time.DateOnly, *since)
		if err != nil || !d.Before(to) {
			return fmt.Errorf("--since %q: want a date before today, YYYY-MM-DD", *since)
		}
		from = d
	}
	app, err := appenv.Load(ctx, appenv.Options{ConfigPath: *cfgPath, Logger: cliLogger()})
	if err != nil {
		return err
	}
	scan, err := ids.Find(ctx, app.Reports, app.Config.Names, from, to)
	if err != nil {
		return err
	}
	if err := scan.WriteReport(w); err != nil {
		return err
	}
	if scan.Read == 0 {
		// Nothing was read, so "every id seen is named" would be vacuous.
		return fmt.Errorf("no report could be read, so no id was found (the notes above say why: %d call(s) failed)", len(scan.Notes))
	}
	block, err := scan.MissingYAML()
	if err != nil {
		return err
	}
	if block == nil {
		fmt.Fprintln(w, "\nEvery id seen is named in the config.")
		return nil
	}
	fmt.Fprintf(w, "\n# Paste into %s (merge with its names: section), then replace the placeholders:\n%s", *cfgPath, block)
	return nil
}
