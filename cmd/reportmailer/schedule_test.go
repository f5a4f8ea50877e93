package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"reportmailer/internal/comm100sim"
)

func TestScheduleJSON(t *testing.T) {
	code, out, errOut := capture(t, "schedule", "--config", "../../reportmailer.example.yaml", "--from", "2027-03-28", "--to", "2027-03-29", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := []string{
		`{"digest":"daily-sales","periodStart":"2027-03-27","periodEnd":"2027-03-27","sendAt":"2027-03-28T11:30:00Z"}`,
		`{"digest":"weekly-managers","periodStart":"2027-03-22","periodEnd":"2027-03-28","sendAt":"2027-03-29T07:00:00Z"}`,
		`{"digest":"weekly-teams","periodStart":"2027-03-22","periodEnd":"2027-03-28","sendAt":"2027-03-29T08:00:00Z"}`,
		`{"digest":"daily-sales","periodStart":"2027-03-28","periodEnd":"2027-03-28","sendAt":"2027-03-29T11:30:00Z"}`,
	}
	if got := strings.Split(strings.TrimSpace(out), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", out, strings.Join(want, "\n"))
	}
}

func TestScheduleTableShowsLocalAndUTC(t *testing.T) {
	code, out, errOut := capture(t, "schedule", "--config", "../../reportmailer.example.yaml", "--from", "2027-04-01", "--to", "2027-04-01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "monthly-board  2027-03-01 – 2027-03-31  Fri 2027-04-02 09:00 AEDT  2027-04-01 22:00Z") {
		t.Errorf("table lacks the monthly send:\n%s", out)
	}
}

func TestDispatchDryRunJSON(t *testing.T) {
	code, out, errOut := capture(t, "dispatch", "--config", "../../reportmailer.example.yaml", "--at", "2027-03-29T07:00:00Z", "--dry-run", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var job struct{ Digest, PeriodStart string }
	if err := json.Unmarshal([]byte(out), &job); err != nil || job.Digest != "weekly-managers" || job.PeriodStart != "2027-03-22" {
		t.Errorf("dry run printed %q (%v)", out, err)
	}
	// The tick before sees nothing: each send belongs to one tick.
	_, out, _ = capture(t, "dispatch", "--config", "../../reportmailer.example.yaml", "--at", "2027-03-29T06:45:00Z", "--dry-run", "--json")
	if out != "" {
		t.Errorf("the previous tick printed %q", out)
	}
}

func TestScheduleAndDispatchUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"schedule", "--config", "../../reportmailer.example.yaml", "--to", "2027-01-01"}, 1, "-from is required"},
		{[]string{"schedule", "--config", "../../reportmailer.example.yaml", "--from", "2027-02-01", "--to", "2027-01-01"}, 1, "before"},
		{[]string{"dispatch", "--config", "../../reportmailer.example.yaml"}, 1, "-at is required"},
		{[]string{"dispatch", "--config", "../../reportmailer.example.yaml", "--at", "2027-01-01T00:00:00Z", "--dry-run", "--send"}, 1, "choose one"},
		{[]string{"dispatch", "--every", "soon"}, 2, "invalid value"},
	} {
		code, _, errOut := capture(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.err) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.err)
		}
	}
}

// TestDispatchOutRendersTheDueDigests: --out renders what the tick finds
// due, from the simulator.
func TestDispatchOutRendersTheDueDigests(t *testing.T) {
	srv := httptest.NewServer(comm100sim.New(comm100sim.Options{Seed: 1}))
	defer srv.Close()
	for k, v := range comm100sim.ClientEnv(srv.URL) {
		t.Setenv(k, v)
	}
	for _, k := range []string{"TABLE_NAME", "ARCHIVE_BUCKET", "CONFIG_SSM_PARAMETER", "CONFIG_S3_URI", "DIGEST_TO", "MAIL_FROM"} {
		t.Setenv(k, "")
	}
	dir := t.TempDir()
	code, _, errOut := capture(t, "dispatch", "--config", "../../reportmailer.example.yaml", "--at", "2026-11-23T08:00:00Z", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	want := filepath.Join(dir, "weekly-managers-2026-11-16_2026-11-22.html")
	if !slices.Contains(files, want) {
		t.Errorf("rendered %v, want %s", files, want)
	}
	for _, f := range files {
		if !strings.HasPrefix(filepath.Base(f), "weekly-managers-") {
			t.Errorf("%s rendered, but only weekly-managers is due at 08:00Z on 23 Nov", f)
		}
	}
}

// TestDemoOutWritesEveryCopy: `demo --out` of an audience digest writes
// each member's copy, named by its member, and each preview shows that
// copy's first reader's own unsubscribe link (the mail's header), not the
// placeholder.
func TestDemoOutWritesEveryCopy(t *testing.T) {
	for _, k := range []string{"TABLE_NAME", "ARCHIVE_BUCKET", "CONFIG_SSM_PARAMETER", "CONFIG_S3_URI", "DIGEST_TO", "MAIL_FROM"} {
		t.Setenv(k, "")
	}
	dir := t.TempDir()
	code, _, errOut := capture(t, "demo", "--config", "../../reportmailer.example.yaml", "--digest", "weekly-teams", "--at", "2026-11-30T09:00:00Z", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, member := range []string{"Sales", "Support", "Billing", "Onboarding"} {
		base := filepath.Join(dir, "weekly-teams-2026-11-23_2026-11-29.department-"+member)
		for _, ext := range []string{".pdf", ".html", ".txt", ".csv", ".eml"} {
			if _, err := os.Stat(base + ext); err != nil {
				t.Errorf("%s%s not written: %v", base, ext, err)
			}
		}
		html, _ := os.ReadFile(base + ".html")
		if !strings.Contains(string(html), `<a href="https://links.example.com/u?t=`) || strings.Contains(string(html), "reportmailer.invalid") {
			t.Errorf("%s.html does not show the reader's unsubscribe link", base)
		}
	}
}
