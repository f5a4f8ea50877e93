package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"reportmailer/pkg/alert"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/oncall"
)

// silenceStore is the deployed table's acknowledgements and silences
// (TABLE_NAME; AWS_ENDPOINT_URL for a stand-in).
func silenceStore(ctx context.Context) (oncall.Store, error) {
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("TABLE_NAME is required: silences live in the stack's DynamoDB table")
	}
	c, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	return oncall.DynamoDB{Client: dynamodb.NewFromConfig(c), Table: table}, nil
}

// runSilence adds, lists and expires alert silences.
func runSilence(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlagSet("silence")
		if err := fs.Parse(args); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "reportmailer silence: want add, list or expire ID")
		return errUsage
	}
	switch args[0] {
	case "add":
		return silenceAdd(ctx, args[1:])
	case "list":
		return silenceList(ctx, args[1:])
	case "expire":
		return silenceExpire(ctx, args[1:])
	}
	fmt.Fprintf(stderr, "reportmailer silence: unknown subcommand %q (want add, list or expire)\n", args[0])
	return errUsage
}

func silenceAdd(ctx context.Context, args []string) error {
	fs := newFlagSet("silence")
	rule := fs.String("rule", "", "the alert rule's id (or "+alert.NoDataRule+")")
	scope := fs.String("scope", "", "one instance of the rule: site, department:<id> or agent:<id> (default: all of them)")
	d := fs.Duration("for", time.Hour, "how long, from now")
	comment := fs.String("comment", "", "why (shown by silence list)")
	cfgPath := fs.String("config", "", "config to check the rule against (default: as the Lambdas find it; skipped when there is none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rule == "" || *d <= 0 {
		fmt.Fprintln(stderr, "reportmailer silence add: --rule and a positive --for are required")
		return errUsage
	}
	if err := checkRule(ctx, *cfgPath, *rule); err != nil {
		return err
	}
	store, err := silenceStore(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	s, err := store.AddSilence(ctx, oncall.Silence{Rule: *rule, Scope: *scope, Start: now, End: now.Add(*d), Comment: *comment, By: cliUser()})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "silence %s: %s %s until %s\n", s.ID, s.Rule, scopeText(s.Scope), s.End.Local().Format("Mon 2 Jan 15:04 MST"))
	return nil
}

// checkRule refuses a rule id the configuration does not have, when a
// configuration can be read.
func checkRule(ctx context.Context, path, rule string) error {
	loaded, err := appenv.LoadConfig(ctx, appenv.Options{ConfigPath: path})
	if err != nil {
		if path != "" {
			return err
		}
		return nil // no configuration here: the id is taken as given
	}
	if rule == alert.NoDataRule {
		return nil
	}
	var ids []string
	for _, r := range loaded.Config.Alerts.Rules {
		if r.ID == rule {
			return nil
		}
		ids = append(ids, r.ID)
	}
	return fmt.Errorf("no alert rule %q in %s (rules: %s)", rule, loaded.Source, strings.Join(append(ids, alert.NoDataRule), ", "))
}

func scopeText(scope string) string {
	if scope == "" {
		return "(every scope)"
	}
	return scope
}

func cliUser() string {
	if u := os.Getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

func silenceList(ctx context.Context, args []string) error {
	fs := newFlagSet("silence")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := silenceStore(ctx)
	if err != nil {
		return err
	}
	st, err := store.Load(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	if len(st.Silences) == 0 {
		fmt.Fprintln(stdout, "no silences")
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSTATE\tRULE\tSCOPE\tUNTIL\tBY\tCOMMENT")
	for _, s := range st.Silences {
		state := "active"
		switch {
		case !s.End.After(now):
			state = "expired"
		case s.Start.After(now):
			state = "pending"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, state, s.Rule, scopeText(s.Scope), s.End.Local().Format("Mon 2 Jan 15:04 MST"), s.By, s.Comment)
	}
	return w.Flush()
}

func silenceExpire(ctx context.Context, args []string) error {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: reportmailer silence expire ID")
		return errUsage
	}
	store, err := silenceStore(ctx)
	if err != nil {
		return err
	}
	s, err := store.ExpireSilence(ctx, args[0], time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "silence %s expired: %s %s notifies again\n", s.ID, s.Rule, scopeText(s.Scope))
	return nil
}
