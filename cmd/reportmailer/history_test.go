package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"reportmailer/pkg/backtest"
)

// TestHistoryFillThenBacktest is `make demo-history` on Tuesday morning:
// fill a file from the scripted week, then backtest it with an override.
func TestHistoryFillThenBacktest(t *testing.T) {
	file := "file:" + filepath.Join(t.TempDir(), "history.jsonl")
	cfg := "../../reportmailer.example.yaml"
	code, out, errOut := capture(t, "history", "fill", "--config", cfg, "--store", file, "--from", "2026-11-17T09:00:00Z", "--to", "2026-11-17T13:00:00Z")
	if code != 0 || !strings.Contains(out, "240 polls (0 failed)") {
		t.Fatalf("history fill: %d %s %s", code, out, errOut)
	}
	code, out, errOut = capture(t, "alert", "--backtest", "--config", cfg, "--store", file, "--from", "2026-11-17T09:00:00Z", "--to", "2026-11-17T13:00:00Z",
		"--rule", "queue-long", "--set", "queue-long.threshold=13", "--json")
	if code != 0 {
		t.Fatalf("backtest: %d %s", code, errOut)
	}
	var rep backtest.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("backtest --json: %v\n%s", err, out)
	}
	if rep.Polls != 240 || len(rep.Baseline.Scopes) != 1 || len(rep.Baseline.Scopes[0].Episodes) != 1 || rep.Variant == nil || len(rep.Variant.Scopes) != 0 {
		t.Errorf("Tuesday's Support surge (peak 12): %+v / %+v, want one episode at 8 and none at 13", rep.Baseline, rep.Variant)
	}
	code, out, _ = capture(t, "alert", "--backtest", "--config", cfg, "--store", file, "--from", "2026-11-17T09:00:00Z", "--to", "2026-11-17T13:00:00Z",
		"--set", "queue-long.threshold=13")
	if code != 0 || !strings.Contains(out, "queue-long threshold: 8 → 13") || !strings.Contains(out, "episodes 1 → 0") {
		t.Errorf("backtest text:\n%s", out)
	}
	code, out, errOut = capture(t, "history", "summary", "--store", file, "--from", "2026-11-17", "--to", "2026-11-18")
	if code != 0 || !strings.Contains(out, "Queue history covers this period only from Tue 17 Nov 09:00 UTC") || !strings.Contains(out, "median queue length by hour") {
		t.Errorf("history summary: %d %s\n%s", code, errOut, out)
	}
	if code, _, errOut = capture(t, "alert", "--backtest", "--store", file, "--from", "2026-11-17"); code != 2 || !strings.Contains(errOut, "needs --from, --to") {
		t.Errorf("backtest without --to: %d %s", code, errOut)
	}
}
