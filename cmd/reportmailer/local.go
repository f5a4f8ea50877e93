package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"reportmailer/internal/awstest"
	"reportmailer/internal/comm100sim"
	"reportmailer/internal/lambdalocal"
)

// runLocalInvoke builds a Lambda function and invokes it under the Runtime
// Interface Emulator with a sample event, against the simulator and
// moto_server: the `sam local invoke` path without Docker.
func runLocalInvoke(ctx context.Context, args []string) error {
	fs := newFlagSet("local-invoke")
	function := fs.String("function", "digest", "digest, alert or dispatch")
	eventPath := fs.String("event", "", "event file (default: events/digest-weekly.json, events/alert.json or events/dispatch.json)")
	cfgPath := fs.String("config", "reportmailer.example.yaml", "config bundled with the function")
	times := fs.Int("times", 1, "invocations; each one a minute after the last (alerts: watch pending turn to firing)")
	out := fs.String("out", "out", "where the sent emails are saved as .eml")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *function != "digest" && *function != "alert" && *function != "dispatch" {
		return fmt.Errorf("-function %q: want digest, alert or dispatch", *function)
	}
	if *eventPath == "" {
		*eventPath = map[string]string{"digest": "events/digest-weekly.json", "alert": "events/alert.json", "dispatch": "events/dispatch.json"}[*function]
	}
	event, err := os.ReadFile(*eventPath)
	if err != nil {
		return err
	}
	root, err := lambdalocal.RepoRoot()
	if err != nil {
		return err
	}
	rie, err := lambdalocal.FindRIE(root)
	if err != nil {
		return err
	}
	moto, err := awstest.Start()
	if err != nil {
		return err
	}
	defer awstest.Stop()
	awsCfg, err := moto.AWSConfig(ctx)
	if err != nil {
		return err
	}
	if err := lambdalocal.Prepare(ctx, awsCfg, "reports@example.com", "reportmailer"); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	simURL, sim, err := startSimulator(ctx, comm100sim.Options{Seed: 1})
	if err != nil {
		return err
	}
	if *function == "alert" {
		sim.SetScript(comm100sim.NewScript(comm100sim.SurgeScript()[4:], true)) // a queue already building
	}
	dir, err := os.MkdirTemp("", "reportmailer-"+*function)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Printf("building functions/%s for the host (as `sam build` does for arm64)…\n", *function)
	bootstrap, err := lambdalocal.Build(ctx, root, *function, *cfgPath, dir)
	if err != nil {
		return err
	}
	env := append(append(moto.Env(), comm100sim.ClientEnvList(simURL)...), "TABLE_NAME=reportmailer", "MAIL_FROM=Chat reports <reports@example.com>")
	showJobs := func() error { return nil }
	if *function == "dispatch" {
		var queueEnv []string
		if queueEnv, showJobs, err = dispatchQueue(ctx, awsCfg); err != nil {
			return err
		}
		env = append(env, queueEnv...)
	}
	r, err := lambdalocal.Start(rie, bootstrap, env)
	if err != nil {
		return err
	}
	defer r.Stop()
	fmt.Printf("Comm100 simulator %s · moto_server %s · emulator %s\n", simURL, moto.Endpoint, r.URL)
	for i := 0; i < *times; i++ {
		payload := shiftEvent(event, time.Duration(i)*time.Minute)
		body, elapsed, err := r.Invoke(ctx, payload)
		if i == 0 {
			fmt.Printf("cold start: first response %s after the emulator started\n", time.Since(r.Started).Round(time.Millisecond))
		}
		fmt.Printf("invoke %d (%s): %s\n", i+1, elapsed.Round(time.Millisecond), strings.TrimSpace(string(body)))
		if err != nil {
			fmt.Fprintln(os.Stderr, r.Logs())
			return err
		}
	}
	if err := showJobs(); err != nil {
		return err
	}
	sent, err := moto.Emails()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	fmt.Printf("%d email(s) accepted by SES (moto_server):\n", len(sent))
	for i, m := range sent {
		name := filepath.Join(*out, fmt.Sprintf("%s-invoke-%d.eml", *function, i+1))
		if err := os.WriteFile(name, []byte(m.RawData), 0o644); err != nil {
			return err
		}
		fmt.Printf("  to %s → %s\n", strings.Join(m.Destinations, ", "), name)
	}
	return nil
}

// shiftEvent moves an event's scheduledTime later by d (for repeated alert invokes).
func shiftEvent(event []byte, d time.Duration) []byte {
	if d == 0 {
		return event
	}
	var m map[string]any
	if json.Unmarshal(event, &m) != nil {
		return event
	}
	if s, ok := m["scheduledTime"].(string); ok {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			m["scheduledTime"] = t.Add(d).Format(time.RFC3339)
		}
	}
	out, _ := json.Marshal(m)
	return out
}
