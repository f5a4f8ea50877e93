// Command reportmailer is the human entry point: run the Comm100
// simulator, render and send digests, evaluate alerts and check configs
// with exactly the code the Lambda functions run.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
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
	{"validate", "check a configuration file and list every problem", runValidate},
	{"preview", "serve a live preview of the config's digests that re-renders on every save", runPreview},
	{"simulate", "serve a local Comm100 Report API simulator", runSimulate},
	{"local-invoke", "run a Lambda function under the Runtime Interface Emulator with a sample event", runLocalInvoke},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: reportmailer COMMAND [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(os.Stderr, "\nrun 'reportmailer COMMAND -h' for a command's flags")
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, c := range commands {
		if c.name == os.Args[1] {
			if err := c.run(ctx, os.Args[2:]); err != nil {
				fmt.Fprintln(os.Stderr, "reportmailer "+c.name+": "+err.Error())
				os.Exit(1)
			}
			return
		}
	}
	usage()
	os.Exit(2)
}
