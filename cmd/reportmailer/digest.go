package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"reportmailer/internal/comm100sim"
	"reportmailer/internal/gctune"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/appenv/digestdeps"
	"reportmailer/pkg/digest"
	"reportmailer/pkg/history"
	"reportmailer/pkg/render"
)

func cliLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func runDigest(ctx context.Context, args []string) error {
	gctune.Apply(gctune.For(os.Getenv)) // the garbage collector as in the digest Lambda
	fs := newFlagSet("digest")
	cfgPath := fs.String("config", "", "config file (default: CONFIG_FILE, SSM or S3 as in the Lambda)")
	id := fs.String("digest", "", "digest id")
	at := fs.String("at", "", "schedule time, RFC 3339 (default: now); the prior period before it is rendered")
	start := fs.String("period-start", "", "render the period starting on this date (YYYY-MM-DD) instead")
	out := fs.String("out", "out", "directory for the .pdf, .html, .txt, .csv, .xlsx and .eml")
	send := fs.Bool("send", false, "send through SES (AWS_* environment decides where; TABLE_NAME enables exactly-once); refuses a period that has not ended")
	testTo := fs.String("test-to", "", "send a test to this address only (\"[TEST]\" in the subject); the send log is neither read nor written")
	retryFailed := fs.Bool("retry-failed", false, "with -send: send again the messages SES rejected permanently before (after fixing the cause)")
	resend := fs.String("resend", "", "with -send: clear the send-log records of the period starting on this date (YYYY-MM-DD), say which, and send it again")
	resendTo := fs.String("to", "", "with -resend: clear and send only this reader's copy")
	verbose := fs.Bool("v", false, "log every report fetch")
	hist := fs.String("history", "", "queue history for queueHistory sections: file:PATH (from `history fill`) or dynamodb (default: the stack's table when TABLE_NAME is set)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *retryFailed && !*send {
		return errors.New("-retry-failed goes with -send")
	}
	if err := resendFlags(*resend, *resendTo, *start, *send); err != nil {
		return err
	}
	if *resend != "" {
		*start = *resend
	}
	logger := cliLogger()
	if *verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	app, err := appenv.Load(ctx, appenv.Options{ConfigPath: *cfgPath, Logger: logger, NeedSender: *send || *testTo != ""})
	if err != nil {
		return err
	}
	if *send && *testTo != "" {
		return errors.New("-send and -test-to: choose one")
	}
	req := digest.Request{DigestID: *id, PeriodStart: *start, Send: *send, TestTo: *testTo, RetryFailed: *retryFailed}
	if *resend != "" {
		if err := clearForResend(ctx, app, req, *resendTo); err != nil {
			return err
		}
	}
	var store history.Store
	if *hist != "" {
		if store, err = openStore(ctx, *hist, app.Config); err != nil {
			return err
		}
	}
	return renderDigest(ctx, app, req, *at, *out, store)
}

// renderDigest runs a digest and writes its outputs; hist, when set,
// replaces the app's queue history (the stack's table).
func renderDigest(ctx context.Context, app *appenv.App, req digest.Request, at, out string, hist history.Store) error {
	id := req.DigestID
	if id == "" {
		return errors.New("-digest is required")
	}
	if req.PeriodStart == "" {
		req.At = time.Now()
		if at != "" {
			t, err := time.Parse(time.RFC3339, at)
			if err != nil {
				return fmt.Errorf("-at %q: want RFC 3339, e.g. 2026-11-23T08:00:00Z", at)
			}
			req.At = t
		}
	}
	started := time.Now()
	deps := digestdeps.New(app)
	if hist != nil {
		deps.History = hist
	}
	res, err := digest.Run(ctx, app.Config, deps, req)
	if res != nil && res.AlreadySent {
		fmt.Printf("%s for %s was already sent; nothing to do.\n", id, res.Period.Key())
		return nil
	}
	if res == nil || res.Output == nil {
		return err
	}
	bases, werr := writeOutputs(out, res)
	if werr != nil {
		return werr
	}
	fmt.Printf("%s: %s – %s (%s), %d sections, %d failed, rendered in %s\n", id, res.Period.Key(), res.Period.LastDay(),
		res.Digest.Timezone, len(res.Digest.Reports), len(res.Failed), time.Since(started).Round(time.Millisecond))
	if res.Period.End.After(time.Now()) {
		fmt.Println("  partial: the period has not ended yet; this is a preview of incomplete data")
	}
	for i, base := range bases {
		if i == 0 {
			fmt.Printf("  %s.pdf\n  %s.html  (open in a browser)\n  %s.txt\n  %s.csv   (every number, long format)\n", base, base, base, base)
			if len(res.Output.XLSX) > 0 {
				fmt.Printf("  %s.xlsx  (every number, a sheet per section, with charts)\n", base)
			}
			fmt.Printf("  %s.eml   (open in a mail client)\n", base)
			continue
		}
		fmt.Printf("  %s.{pdf,html,txt,csv,eml}\n", base)
	}
	for _, m := range res.Messages {
		if m.ProviderID != "" {
			fmt.Printf("  sent %s to %d recipient(s): message id %s\n", m.Key, len(m.Recipients), m.ProviderID)
		} else if m.Skipped != "" {
			fmt.Printf("  skipped %s: %s\n", m.Key, m.Skipped)
		} else if m.Outcome != "" {
			fmt.Printf("  %s %s: %s\n", m.Outcome, m.Key, m.Reason)
		}
	}
	if err == nil && req.TestTo != "" {
		err = testCopiesErr(res.Messages)
	}
	return err
}

// testCopiesErr says why a --test-to run did not do its job: a copy that
// was not sent (rejected, or of unknown outcome). Nothing else is at
// stake in a test, so any such copy fails the command.
func testCopiesErr(msgs []*digest.Message) error {
	var failed []string
	for _, m := range msgs {
		if m.ProviderID == "" {
			reason := m.Reason
			if reason == "" {
				reason = m.Skipped
			}
			failed = append(failed, fmt.Sprintf("%s: %s", m.Key, reason))
		}
	}
	switch {
	case len(msgs) == 0:
		return errors.New("no test copy was composed")
	case len(failed) == len(msgs):
		return fmt.Errorf("no test copy was sent (%d of %d failed):\n  %s", len(failed), len(msgs), strings.Join(failed, "\n  "))
	case len(failed) > 0:
		return fmt.Errorf("%d of %d test copies were not sent:\n  %s", len(failed), len(msgs), strings.Join(failed, "\n  "))
	}
	return nil
}

// writeOutputs writes every copy of the digest: the unfiltered one as
// <base>.<ext>, each audience member's as <base>.<filter>-<member>.<ext>.
// It returns each copy's stem.
func writeOutputs(dir string, res *digest.Result) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	copies := res.Copies
	if len(copies) == 0 { // a result built without copies: its one output
		copies = []digest.Copy{{Output: res.Output, Messages: res.Messages}}
	}
	files := map[string]func() []byte{}
	var bases []string
	for _, c := range copies {
		if c.Output == nil {
			continue
		}
		base := filepath.Join(dir, res.BaseName+copySuffix(c))
		bases = append(bases, base)
		// The previews show the first reader's unsubscribe link, as their mail does.
		link := unsubscribeLink(c.Messages)
		files[base+".pdf"] = func() []byte { return c.Output.PDF }
		files[base+".html"] = func() []byte {
			return []byte(render.PersonalUnsubscribe(render.PreviewHTML(c.Output), link, true))
		}
		files[base+".txt"] = func() []byte { return []byte(render.PersonalUnsubscribe(c.Output.Text, link, false)) }
		files[base+".csv"] = func() []byte { return c.Output.CSV }
		if len(c.Output.XLSX) > 0 { // formats: [xlsx]
			files[base+".xlsx"] = func() []byte { return c.Output.XLSX }
		}
		if len(c.Messages) > 0 && c.Messages[0].Raw != nil {
			files[base+".eml"] = func() []byte { return c.Messages[0].Raw }
		}
	}
	// Side by side: the preview HTML (images inlined) takes as long as the rest.
	errs := make(chan error, len(files))
	for name, data := range files {
		go func() { errs <- os.WriteFile(name, data(), 0o644) }()
	}
	var err error
	for range files {
		err = errors.Join(err, <-errs)
	}
	return bases, err
}

// unsubscribeLink is the List-Unsubscribe URL of a copy's first message
// ("" when there is none).
func unsubscribeLink(msgs []*digest.Message) string {
	if len(msgs) == 0 || msgs[0].Raw == nil {
		return ""
	}
	m, err := netmail.ReadMessage(bytes.NewReader(msgs[0].Raw))
	if err != nil {
		return ""
	}
	return strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
}

// copySuffix names an audience member's copy in file names:
// ".<filter>-<member>", the member's display name made file-safe.
func copySuffix(c digest.Copy) string {
	if c.Filter == "" {
		return ""
	}
	name := c.Label
	if name == "" {
		name = c.Value
	}
	safe := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, name)
	return "." + c.Filter + "-" + safe
}

// startSimulator serves the built-in Comm100 simulator on a free loopback port.
func startSimulator(ctx context.Context, opts comm100sim.Options) (string, *comm100sim.Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	sim := comm100sim.New(opts)
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	return "http://" + ln.Addr().String(), sim, nil
}

// simulatorGetenv is the environment of a run against the simulator at
// url: its credentials, and no AWS (no send log, archive or remote config).
func simulatorGetenv(url string) func(string) string {
	env := comm100sim.ClientEnv(url)
	return func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if k == "TABLE_NAME" || k == "ARCHIVE_BUCKET" || k == "CONFIG_SSM_PARAMETER" || k == "CONFIG_S3_URI" {
			return "" // the demo never touches AWS
		}
		return os.Getenv(k)
	}
}

// runDemo renders a digest from the built-in simulator: no Comm100 or AWS account.
func runDemo(ctx context.Context, args []string) error {
	gctune.Apply(gctune.For(os.Getenv))
	fs := newFlagSet("demo")
	cfgPath := fs.String("config", "reportmailer.example.yaml", "config file")
	id := fs.String("digest", "weekly-managers", "digest id")
	at := fs.String("at", "", "schedule time, RFC 3339 (default: now)")
	out := fs.String("out", "out", "output directory")
	agents := fs.Int("agents", 0, "simulate a site with this many agents (default 20; up to 10000)")
	departments := fs.Int("departments", 0, "and this many departments (default 4)")
	hist := fs.String("history", "", "queue history for queueHistory sections: file:PATH (from `history fill`)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	url, _, err := startSimulator(ctx, comm100sim.Options{Seed: 1, Agents: *agents, Departments: *departments})
	if err != nil {
		return err
	}
	app, err := appenv.Load(ctx, appenv.Options{ConfigPath: *cfgPath, Getenv: simulatorGetenv(url), Logger: cliLogger()})
	if err != nil {
		return err
	}
	app.Archive = nil
	fmt.Printf("Comm100 simulator on %s\n", url)
	var store history.Store
	if *hist != "" {
		if store, err = openStore(ctx, *hist, app.Config); err != nil {
			return err
		}
	}
	return renderDigest(ctx, app, digest.Request{DigestID: *id}, *at, *out, store)
}
