package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// capture runs a command line with stdout and stderr captured.
func capture(t *testing.T, args ...string) (code int, out, errOut string) {
	t.Helper()
	var o, e bytes.Buffer
	stdout, stderr = &o, &e
	t.Cleanup(func() { stdout, stderr = os.Stdout, os.Stderr })
	code = run(context.Background(), args)
	return code, o.String(), e.String()
}

func TestCommandLineConventions(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string // substrings of stdout and stderr
	}{
		{args: nil, code: 2, err: "usage: reportmailer COMMAND"},
		{args: []string{"-h"}, code: 0, out: "usage: reportmailer COMMAND"},
		{args: []string{"--help"}, code: 0, out: "validate"},
		{args: []string{"help", "digest"}, code: 0, out: "usage: reportmailer digest [flags]"},
		{args: []string{"frobnicate"}, code: 2, err: `unknown command "frobnicate"`},
		{args: []string{"validate", "-h"}, code: 0, out: "-config"},
		{args: []string{"validate", "--help"}, code: 0, out: "usage: reportmailer validate [flags]"},
		{args: []string{"digest", "-h"}, code: 0, out: "-period-start"},
		{args: []string{"simulate", "--help"}, code: 0, out: "usage: reportmailer simulate"},
		{args: []string{"validate", "-nope"}, code: 2, err: "flag provided but not defined: -nope"},
		{args: []string{"validate", "stray"}, code: 2, err: `unexpected argument "stray"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := capture(t, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			if tc.code == 0 && errOut != "" {
				t.Errorf("help wrote to stderr: %s", errOut)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, k := range []string{"CONFIG_SSM_PARAMETER", "CONFIG_S3_URI", "CONFIG_FILE", "MAIL_FROM", "DIGEST_TO", "ALERT_TO", "COMM100_BASE_URL"} {
		t.Setenv(k, "")
	}
	code, out, _ := capture(t, "validate", "-config", "../../reportmailer.example.yaml")
	if code != 0 || !strings.HasPrefix(out, "Checking ../../reportmailer.example.yaml\nSUCCESS: ") {
		t.Errorf("example: exit %d\n%s", code, out)
	}

	renamed := filepath.Join(t.TempDir(), "renamed.yaml")
	_ = os.WriteFile(renamed, []byte(`
mail: {from: reports@example.com}
digests:
  - {id: weekly-managers, formerIds: [weekly], period: week, timezone: Europe/London, to: [a@example.com], reports: [{report: chatVolume}]}
`), 0o644)
	if code, out, _ := capture(t, "validate", "-config", renamed); code != 0 || !strings.Contains(out, "formerly weekly (their unsubscribes still hold)") {
		t.Errorf("renamed: exit %d\n%s", code, out)
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	_ = os.WriteFile(bad, []byte(`
mail: {from: reports@example.com}
digests:
  - {id: d, period: week, timezone: Local, to: [a@example.com], reports: [{report: chatVolume}]}
`), 0o644)
	t.Setenv("MAIL_FROM", "not an address")
	t.Setenv("COMM100_BASE_URL", "://nope")
	code, out, errOut := capture(t, "validate", "-config", bad)
	for _, want := range []string{"Checking " + bad + "\n", "FAILED: 3 problem(s)\n", "  env COMM100_BASE_URL: ", "  env MAIL_FROM: ", "  digests[0].timezone: "} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if code != 1 || !strings.Contains(errOut, "not valid") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
