package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"reportmailer/internal/comm100sim"
)

// TestIDsCommand runs `reportmailer ids` against the simulator with the
// example config minus two agents, as a user would after a first setup.
func TestIDsCommand(t *testing.T) {
	srv := httptest.NewServer(comm100sim.New(comm100sim.Options{}))
	t.Cleanup(srv.Close)
	for k, v := range comm100sim.ClientEnv(srv.URL) {
		t.Setenv(k, v)
	}
	for _, k := range []string{"TABLE_NAME", "CONFIG_SSM_PARAMETER", "CONFIG_S3_URI", "COMM100_SECRET_ARN", "ARCHIVE_BUCKET"} {
		t.Setenv(k, "")
	}
	example, err := os.ReadFile("../../reportmailer.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	trimmed := strings.Replace(strings.Replace(string(example), "    \"19\": Ewa Kowalska\n", "", 1), "    \"20\": Kenji Watanabe\n", "", 1)
	if trimmed == string(example) {
		t.Fatal("example config no longer names agents 19 and 20 this way; update the test")
	}
	cfg := filepath.Join(t.TempDir(), "reportmailer.yaml")
	if err := os.WriteFile(cfg, []byte(trimmed), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := listIDs(context.Background(), []string{"--config", cfg, "--since", "2026-10-01"}, &out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"agents: 20 seen, 2 not named", "from 2026-10-01 to", "# Paste into " + cfg} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	_, block, _ := strings.Cut(text, "replace the placeholders:\n")
	var pasted struct{ Names map[string]map[string]string }
	if err := yaml.Unmarshal([]byte(block), &pasted); err != nil {
		t.Fatalf("block: %v\n%s", err, block)
	}
	if len(pasted.Names) != 1 || len(pasted.Names["agents"]) != 2 || pasted.Names["agents"]["19"] == "" {
		t.Errorf("block names %v, want agents 19 and 20 only", pasted.Names)
	}
	if err := listIDs(context.Background(), []string{"--config", cfg, "--since", "tomorrow"}, &out); err == nil {
		t.Error("--since tomorrow accepted")
	}
}
