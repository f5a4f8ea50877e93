package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"reportmailer/internal/awstest"
	"reportmailer/internal/comm100sim"
	"reportmailer/internal/lambdalocal"
	"reportmailer/internal/notifytest"
)

// runLocalInvoke builds a Lambda function and invokes it under the Runtime
// Interface Emulator with a sample event, against the simulator and
// moto_server: the `sam local invoke` path without Docker. With -arch arm64
// it runs the linux/arm64 binary `sam build` ships, under qemu on other hosts.
func runLocalInvoke(ctx context.Context, args []string) error {
	fs := newFlagSet("local-invoke")
	function := fs.String("function", "digest", "digest, alert or dispatch")
	eventPath := fs.String("event", "", "event file (default: events/digest-weekly.json, events/alert.json or events/dispatch.json)")
	cfgPath := fs.String("config", "reportmailer.example.yaml", "config bundled with the function")
	times := fs.Int("times", 1, "invocations; each one a minute after the last (alerts: watch pending turn to firing)")
	out := fs.String("out", "out", "where the sent emails are saved as .eml")
	archFlag := fs.String("arch", "host", "host (fast) or arm64 (the deployed binary; under qemu-aarch64-static on other processors)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	arch, err := lambdalocal.ParseArch(*archFlag)
	if err != nil {
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
	rt, err := lambdalocal.FindRuntime(root, arch)
	if err != nil {
		return err
	}
	var moto *awstest.Moto
	if err := step(os.Stdout, "starting moto_server", func() (err error) {
		moto, err = awstest.Start()
		return err
	}); err != nil {
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
	target := "this machine"
	if arch == lambdalocal.ARM64 {
		target = "linux/arm64, exactly as `sam build` does"
	}
	// The alert function posts to receivers: point them at local stand-ins.
	var standIns map[string]*notifytest.StandIn
	if *function == "alert" {
		if *cfgPath, standIns, err = withStandIns(*cfgPath, dir); err != nil {
			return err
		}
		defer func() {
			for _, si := range standIns {
				si.Close()
			}
		}()
	}
	var bootstrap string
	if err := step(os.Stdout, fmt.Sprintf("building functions/%s for %s (the first build compiles every package: a minute or more)", *function, target), func() (err error) {
		bootstrap, err = lambdalocal.Build(ctx, root, *function, *cfgPath, dir, arch)
		return err
	}); err != nil {
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
	emulator := "starting the Runtime Interface Emulator"
	if rt.Qemu != "" {
		emulator += " (arm64, under " + filepath.Base(rt.Qemu) + ")"
	}
	var r *lambdalocal.RIE
	if err := step(os.Stdout, emulator, func() (err error) {
		r, err = rt.Start(bootstrap, env)
		return err
	}); err != nil {
		return err
	}
	defer r.Stop()
	fmt.Printf("Comm100 simulator %s · moto_server %s · emulator %s\n", simURL, moto.Endpoint, r.URL)
	for i := 0; i < *times; i++ {
		payload := shiftEvent(event, time.Duration(i)*time.Minute)
		var body []byte
		err := step(os.Stdout, fmt.Sprintf("invoke %d", i+1), func() (err error) {
			body, _, err = r.Invoke(ctx, payload)
			return err
		})
		if i == 0 {
			fmt.Printf("cold start: first response %s after the emulator started\n", time.Since(r.Started).Round(time.Millisecond))
		}
		fmt.Printf("  response: %s\n", strings.TrimSpace(string(body)))
		if err != nil {
			fmt.Fprintln(os.Stderr, r.Logs())
			return err
		}
	}
	if err := showJobs(); err != nil {
		return err
	}
	if len(standIns) > 0 {
		fmt.Println("receivers (local stand-ins) received:")
		printReceived(standIns, map[string]int{})
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
		fmt.Printf("  to %s → %s\n", strings.Join(distinctAddresses(m.Destinations), ", "), name)
	}
	return nil
}

// distinctAddresses lists each mailbox once: moto reports a message's
// header recipients beside its envelope ones ("a@x", "Name <a@x>").
func distinctAddresses(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range list {
		bare := a
		if p, err := netmail.ParseAddress(a); err == nil {
			bare = strings.ToLower(p.Address)
		}
		if !seen[bare] {
			seen[bare] = true
			out = append(out, bare)
		}
	}
	return out
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

// step prints what a possibly long step is doing and, while it runs, how
// long it has taken every few seconds, so that a first build (minutes on a
// cold cache) or an emulated invocation does not look hung.
func step(w io.Writer, what string, fn func() error) error {
	fmt.Fprintf(w, "%s…\n", what)
	started := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				fmt.Fprintf(w, "  … %s\n", time.Since(started).Round(time.Second))
			}
		}
	}()
	err := fn()
	close(done)
	wg.Wait()
	if err == nil {
		fmt.Fprintf(w, "  done in %s\n", time.Since(started).Round(time.Millisecond))
	}
	return err
}
