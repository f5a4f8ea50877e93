package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"reportmailer/internal/awstest"
	"reportmailer/pkg/sendlog"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// TestSilenceCommands: add checks the rule against the config, list shows
// it active, expire ends it, list then shows it expired; all in the
// table the alert function reads (moto here).
func TestSilenceCommands(t *testing.T) {
	moto := awstest.Fresh(t)
	if err := sendlog.CreateTable(context.Background(), dynamodb.NewFromConfig(moto.Config(t)), "reportmailer"); err != nil {
		t.Fatal(err)
	}
	for _, kv := range append(moto.Env(), "TABLE_NAME=reportmailer") {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	for _, k := range []string{"CONFIG_SSM_PARAMETER", "CONFIG_S3_URI", "CONFIG_FILE", "MAIL_FROM", "ALERT_TO"} {
		t.Setenv(k, "")
	}
	cfg := "../../reportmailer.example.yaml"
	if code, _, errOut := capture(t, "silence", "add", "--config", cfg, "--rule", "no-such-rule", "--for", "2h"); code != 1 || !strings.Contains(errOut, `no alert rule "no-such-rule"`) {
		t.Errorf("unknown rule: exit %d %s", code, errOut)
	}
	code, out, errOut := capture(t, "silence", "add", "--config", cfg, "--rule", "queue-long", "--scope", "department:1487fd00", "--for", "2h", "--comment", "migration")
	id := regexp.MustCompile(`^silence ([0-9a-f]{12}): queue-long department:1487fd00 until `).FindStringSubmatch(out)
	if code != 0 || id == nil {
		t.Fatalf("add: exit %d\n%s%s", code, out, errOut)
	}
	if _, out, _ := capture(t, "silence", "list"); !regexp.MustCompile(id[1] + `\s+active\s+queue-long\s+department:1487fd00\s.*migration`).MatchString(out) {
		t.Errorf("list:\n%s", out)
	}
	if code, out, _ := capture(t, "silence", "expire", id[1]); code != 0 || !strings.Contains(out, "expired") {
		t.Errorf("expire: %d %s", code, out)
	}
	if _, out, _ := capture(t, "silence", "list"); !regexp.MustCompile(id[1] + `\s+expired\s`).MatchString(out) {
		t.Errorf("list after expire:\n%s", out)
	}
	if code, _, _ := capture(t, "silence", "expire", "000000000000"); code != 1 {
		t.Errorf("expire of an unknown id: exit %d", code)
	}
	if code, _, _ := capture(t, "silence", "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}
