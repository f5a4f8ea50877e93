// Command reportmailer is the human entry point: run the Comm100
// simulator, render and send digests, evaluate alerts and check configs
// with exactly the code the Lambda functions run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"reportmailer/pkg/appenv"
	"reportmailer/pkg/config"
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string) error
}

var commands = []command{
	{"demo", "render a digest from the built-in simulator into out/ (no accounts needed)", runDemo},
	{"digest", "render a digest's prior period to files, and send it with -send", runDigest},
	{"alert", "evaluate the alert rules once (prints what it would send; -send to mail)", runAlert},
	{"demo-alert", "play a queue surge from the simulator through the alert rules", runDemoAlert},
	{"silence", "add, list or expire alert silences in the stack's table (silence add --rule ID --for 2h; list; expire ID)", runSilence},
	{"schedule", "list every planned digest send between two dates (when will my digests go out?)", runSchedule},
	{"dispatch", "do one dispatcher tick at an instant: list (-dry-run), render (-out) or -send the due digests", runDispatch},
	{"validate", "check a configuration exactly as the Lambdas load it, and list every problem", runValidate},
	{"ids", "list the Comm100 ids in the reports and the names the config lacks", runIDs},
	{"preview", "serve a live preview of the config's digests that re-renders on every save", runPreview},
	{"simulate", "serve a local Comm100 Report API simulator", runSimulate},
	{"local-invoke", "run a Lambda function under the Runtime Interface Emulator with a sample event", runLocalInvoke},
}

// Where the CLI writes; tests replace them.
var stdout, stderr io.Writer = os.Stdout, os.Stderr

// summaries are the commands' one-line descriptions, for their -h. (Filled
// by init: commands refers to the run functions, which call newFlagSet.)
var summaries = map[string]string{}

func init() {
	for _, c := range commands {
		summaries[c.name] = c.summary
	}
}

// errUsage is a command line that could not be parsed; the problem and
// the usage have been printed. errHelp is -h, the usage printed to stdout.
var (
	errUsage = errors.New("usage")
	errHelp  = errors.New("help shown")
)

// flagSet is a command's flags: the standard flag package, with -h and
// --help printing the usage to stdout (exit 0) and a bad flag printing it
// to stderr (exit 2).
type flagSet struct{ *flag.FlagSet }

// newFlagSet is how every command declares its flags.
func newFlagSet(name string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // Parse's own messages: Parse prints them itself
	return &flagSet{fs}
}

// Parse parses args, printing the usage on -h or on a mistake.
func (f *flagSet) Parse(args []string) error {
	err := f.FlagSet.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.usage(stdout)
		return errHelp
	case err != nil:
		fmt.Fprintf(stderr, "reportmailer %s: %v\n", f.Name(), err)
		f.usage(stderr)
		return errUsage
	case f.NArg() > 0:
		fmt.Fprintf(stderr, "reportmailer %s: unexpected argument %q\n", f.Name(), f.Arg(0))
		f.usage(stderr)
		return errUsage
	}
	return nil
}

func (f *flagSet) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: reportmailer %s [flags]\n\n%s\n\nflags:\n", f.Name(), summaries[f.Name()])
	f.SetOutput(w)
	f.PrintDefaults()
	f.SetOutput(io.Discard)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: reportmailer COMMAND [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nrun 'reportmailer COMMAND -h' for a command's flags")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches a command line and returns the exit code: 0 done (or
// help shown), 1 the command failed, 2 the command line is wrong.
func run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && name == "help" {
			return run(ctx, []string{args[1], "-h"})
		}
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(ctx, args[1:])
		switch {
		case err == nil, errors.Is(err, errHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		}
		fmt.Fprintln(stderr, "reportmailer "+name+": "+err.Error())
		return 1
	}
	fmt.Fprintf(stderr, "reportmailer: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

// errInvalid is validate's failure; the problems are already printed.
var errInvalid = errors.New("the configuration is not valid")

// runValidate checks a configuration the way amtool check-config does,
// through appenv.LoadConfig: the loader the Lambdas run, with the same
// sources, environment overrides and alert rule compilation.
func runValidate(ctx context.Context, args []string) error {
	fs := newFlagSet("validate")
	cfgPath := fs.String("config", "", "config file (default: CONFIG_SSM_PARAMETER, CONFIG_S3_URI or CONFIG_FILE as in the Lambda, then ./reportmailer.yaml)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	loaded, err := appenv.LoadConfig(ctx, appenv.Options{ConfigPath: *cfgPath})
	var ce *appenv.ConfigError
	if errors.As(err, &ce) && ce.Source != "" {
		fmt.Fprintf(stdout, "Checking %s\n", ce.Source)
	} else if err == nil {
		fmt.Fprintf(stdout, "Checking %s\n", loaded.Source)
	}
	if err != nil {
		var ps config.Problems
		if !errors.As(err, &ps) {
			fmt.Fprintf(stdout, "FAILED: %v\n", unwrapSource(err))
			return errInvalid
		}
		fmt.Fprintf(stdout, "FAILED: %d problem(s)\n", len(ps))
		for _, p := range ps {
			fmt.Fprintf(stdout, "  %s\n", p)
		}
		return errInvalid
	}
	cfg := loaded.Config
	fmt.Fprintf(stdout, "SUCCESS: %d digest(s), %d alert rule(s)\n", len(cfg.Digests), len(loaded.Rules))
	for _, d := range cfg.Digests {
		audience := ""
		if a := d.Audience; a != nil {
			audience = fmt.Sprintf(" + audience by %s: %d member(s)", a.Filter, len(a.Members))
		}
		if len(d.FormerIDs) > 0 {
			audience += fmt.Sprintf("; formerly %s (their unsubscribes still hold)", strings.Join(d.FormerIDs, ", "))
		}
		fmt.Fprintf(stdout, "  digest %-18s %-5s %-20s %d report(s) → %d recipient(s)%s\n", d.ID, d.Period, d.Timezone, len(d.Reports), len(d.To)+len(d.Cc)+len(d.Bcc), audience)
	}
	for _, r := range cfg.Alerts.Receivers {
		fmt.Fprintf(stdout, "  receiver %-16s %s\n", r.Name, r.Kind())
	}
	for _, r := range cfg.Alerts.Rules {
		notify := ""
		if len(r.Notify) > 0 {
			notify = " → " + strings.Join(r.Notify, ", ")
		}
		fmt.Fprintf(stdout, "  alert  %-18s %s %s %v%s\n", r.ID, r.Metric, r.Op, *r.Threshold, notify)
	}
	printSSMTier(stdout, loaded)
	return nil
}

func unwrapSource(err error) error {
	var ce *appenv.ConfigError
	if errors.As(err, &ce) {
		return ce.Err
	}
	return err
}
