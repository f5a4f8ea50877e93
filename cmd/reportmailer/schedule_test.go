package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestScheduleJSON(t *testing.T) {
	code, out, errOut := capture(t, "schedule", "--config", "../../reportmailer.example.yaml", "--from", "2027-03-28", "--to", "2027-03-29", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := []string{
		`{"digest":"daily-sales","periodStart":"2027-03-27","periodEnd":"2027-03-27","sendAt":"2027-03-28T11:30:00Z"}`,
		`{"digest":"weekly-managers","periodStart":"2027-03-22","periodEnd":"2027-03-28","sendAt":"2027-03-29T07:00:00Z"}`,
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
