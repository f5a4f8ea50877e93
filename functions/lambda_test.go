// Package functions_test runs the real Lambda binaries under the AWS
// Lambda Runtime Interface Emulator (what `sam local invoke` runs inside its
// container), with the sample events from events/, against the Comm100
// simulator and moto_server. Each test runs twice: with a bootstrap built
// for this machine, and with the linux/arm64 bootstrap `sam build` ships,
// under the arm64 emulator and qemu user-mode emulation.
package functions_test

import (
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"reportmailer/internal/awstest"
	"reportmailer/internal/comm100sim"
	"reportmailer/internal/lambdalocal"
)

// arches are the builds every runtime test runs: the host's, fast, and
// the one deployed.
var arches = []lambdalocal.Arch{lambdalocal.Host, lambdalocal.ARM64}

// raceEnabled is set when the tests are built with -race (race_test.go).
var raceEnabled bool

// builds holds both functions built once per Arch per test run (building
// them per test cost minutes on a cold cache), in one directory that
// TestMain removes. TestMain starts every build at once, so the arm64
// compile overlaps the host tests.
var builds = map[lambdalocal.Arch]*build{}

type build struct {
	done chan struct{}
	bins map[string]string
	err  error
	took time.Duration
}

func TestMain(m *testing.M) {
	root, err := lambdalocal.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "reportmailer-bootstraps-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	for _, arch := range arches {
		b := &build{done: make(chan struct{})}
		builds[arch] = b
		go func() {
			defer close(b.done)
			started := time.Now()
			opts := lambdalocal.BuildOptions{Arch: arch, Race: raceEnabled && arch == lambdalocal.Host}
			b.bins, b.err = lambdalocal.BuildAll(ctx, root, filepath.Join(dir, string(arch)), opts, "digest", "alert", "dispatch", "links")
			b.took = time.Since(started)
		}()
	}
	code := m.Run()
	cancel()
	for _, b := range builds {
		<-b.done
	}
	os.RemoveAll(dir)
	awstest.Stop()
	os.Exit(code)
}

// binary returns functions/<name> built for arch, waiting for the build.
func binary(t *testing.T, arch lambdalocal.Arch, name string) string {
	t.Helper()
	b := builds[arch]
	<-b.done
	if b.err != nil {
		t.Fatal(b.err)
	}
	t.Logf("the %s bootstraps took %s to build", arch, b.took.Round(time.Millisecond))
	return b.bins[name]
}

type fixture struct {
	root string
	moto *awstest.Moto
	sim  *comm100sim.Server
	env  []string
}

func setup(t *testing.T) *fixture {
	t.Helper()
	root, err := lambdalocal.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	moto := awstest.Fresh(t)
	cfg := moto.Config(t)
	if err := lambdalocal.Prepare(context.Background(), cfg, "reports@example.com", "reportmailer"); err != nil {
		t.Fatal(err)
	}
	sim := comm100sim.New(comm100sim.Options{Seed: 3})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	// What template.yaml gives the functions, pointed at the stand-ins.
	env := append(append(moto.Env(), comm100sim.ClientEnvList(srv.URL)...), "TABLE_NAME=reportmailer",
		"MAIL_FROM=Chat reports <reports@example.com>", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512")
	return &fixture{root: root, moto: moto, sim: sim, env: env}
}

func (f *fixture) start(t *testing.T, arch lambdalocal.Arch, function, config string) *lambdalocal.RIE {
	t.Helper()
	// Look for the emulator first: a missing tool fails fast, with the
	// command that installs it, before minutes of building.
	rt, err := lambdalocal.FindRuntime(f.root, arch)
	if err != nil {
		t.Fatal(err)
	}
	bootstrap, err := lambdalocal.Bundle(binary(t, arch, function), config, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	machine := elfMachine(t, bootstrap)
	if arch == lambdalocal.ARM64 && machine != elf.EM_AARCH64 {
		t.Fatalf("the %s bootstrap is %s, want %s", arch, machine, elf.EM_AARCH64)
	}
	info, _ := os.Stat(bootstrap)
	t.Logf("%s bootstrap: %s, %.1f MB, emulated: %t", function, machine, float64(info.Size())/(1<<20), rt.Qemu != "")
	r, err := rt.Start(bootstrap, f.env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("emulator and function output:\n%s", r.Logs())
		}
		r.Stop()
	})
	return r
}

func elfMachine(t *testing.T, path string) elf.Machine {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return f.Machine
}

// forEachArch runs test once per build in arches.
func forEachArch(t *testing.T, test func(t *testing.T, arch lambdalocal.Arch)) {
	for _, arch := range arches {
		t.Run(string(arch), func(t *testing.T) { test(t, arch) })
	}
}

func event(t *testing.T, root, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDigestFunctionSendsOncePerPeriod(t *testing.T) {
	forEachArch(t, testDigestFunctionSendsOncePerPeriod)
}

func testDigestFunctionSendsOncePerPeriod(t *testing.T, arch lambdalocal.Arch) {
	f := setup(t)
	r := f.start(t, arch, "digest", filepath.Join(f.root, "reportmailer.example.yaml"))
	ctx := context.Background()
	body, elapsed, err := r.Invoke(ctx, event(t, f.root, "digest-weekly.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("digest cold start: first response %s after the emulator started (invoke %s)", time.Since(r.Started).Round(time.Millisecond), elapsed.Round(time.Millisecond))
	var resp struct {
		Period   string `json:"period"`
		Messages []struct {
			MessageID string `json:"messageId"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &resp); err != nil || resp.Period != "2026-11-16/2026-11-22" || len(resp.Messages) != 1 || resp.Messages[0].MessageID == "" {
		t.Fatalf("response %s (%v)", body, err)
	}
	if n := len(f.moto.SentEmails(t)); n != 1 {
		t.Fatalf("%d emails after the first invoke, want 1", n)
	}
	// The same event again (a Lambda retry or a duplicate delivery): nothing sent.
	body, _, err = r.Invoke(ctx, event(t, f.root, "digest-weekly.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"alreadySent":true`) {
		t.Errorf("second invoke: %s", body)
	}
	if n := len(f.moto.SentEmails(t)); n != 1 {
		t.Errorf("%d emails after the second invoke, want 1", n)
	}
	// The back-fill event names the same period: also already sent.
	body, _, err = r.Invoke(ctx, event(t, f.root, "digest-backfill.json"))
	if err != nil || !strings.Contains(string(body), `"alreadySent":true`) {
		t.Errorf("back-fill of a sent period: %s %v", body, err)
	}
}

func TestAlertFunctionFiresOnABreach(t *testing.T) {
	forEachArch(t, testAlertFunctionFiresOnABreach)
}

func testAlertFunctionFiresOnABreach(t *testing.T, arch lambdalocal.Arch) {
	f := setup(t)
	f.sim.SetScript(comm100sim.NewScript(comm100sim.SurgeScript()[6:7], false)) // 15 visitors waiting in Sales
	config := filepath.Join(t.TempDir(), "alert.yaml")
	if err := os.WriteFile(config, []byte(`
mail: {from: "On call <reports@example.com>"}
names: {departments: {1487fd00-92e6-4487-a2e8-92e68d6892e0: Sales}}
alerts:
  rules:
    - {id: queue-long, metric: queue.length, op: ">", threshold: 8, to: [oncall@example.com], severity: critical}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := f.start(t, arch, "alert", config)
	body, _, err := r.Invoke(context.Background(), event(t, f.root, "alert.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("alert cold start: first response %s after the emulator started", time.Since(r.Started).Round(time.Millisecond))
	sent := f.moto.SentEmails(t)
	if len(sent) != 1 || !strings.Contains(string(body), "FIRING") {
		t.Fatalf("%d emails, response %s", len(sent), body)
	}
	// The next minute: still firing, no reminder yet, no new mail.
	if _, _, err := r.Invoke(context.Background(), []byte(`{"scheduledTime":"2026-11-23T10:02:00Z"}`)); err != nil {
		t.Fatal(err)
	}
	if n := len(f.moto.SentEmails(t)); n != 1 {
		t.Errorf("%d emails after the next minute, want 1", n)
	}
}
