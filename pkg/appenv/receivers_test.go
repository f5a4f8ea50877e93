package appenv_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"reportmailer/internal/awstest"
	"reportmailer/internal/notifytest"
	"reportmailer/pkg/alert"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/notify"
)

// TestReceiversFromSecretsManager: a receiver's urlSecret is read from
// Secrets Manager (moto) at load; a missing secret does not fail the load
// or the other receivers, is logged once with the alarm field, and never
// shows the URL anywhere.
func TestReceiversFromSecretsManager(t *testing.T) {
	moto := awstest.Fresh(t)
	ctx := context.Background()
	slack := notifytest.Start("slack")
	defer slack.Close()
	secretURL := slack.URL + "/services/T0/B0/SECRETPATH"
	if _, err := secretsmanager.NewFromConfig(moto.Config(t)).CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("reportmailer/receivers/slack"), SecretString: aws.String(secretURL)}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "c.yaml")
	_ = os.WriteFile(path, []byte(strings.Replace(minimal, "%ID%", "weekly", 1)+`
alerts:
  receivers:
    - {name: chat, slack: {urlSecret: reportmailer/receivers/slack}}
    - {name: pager, pagerduty: {routingKeySecret: reportmailer/receivers/missing}}
  rules:
    - {id: q, metric: queue.length, op: ">", threshold: 3, notify: [chat, pager]}
`), 0o644)
	var log bytes.Buffer
	app, err := appenv.Load(ctx, appenv.Options{Getenv: env(t, moto, map[string]string{"CONFIG_FILE": path}), NeedReceivers: true,
		Logger: slog.New(slog.NewJSONHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Receivers["chat"].Send(ctx, notify.Message{Event: notify.Firing, Title: "t", Headline: "h", RuleID: "q"}); err != nil {
		t.Errorf("chat: %v", err)
	}
	if len(slack.Bodies()) != 1 {
		t.Errorf("the stand-in behind the secret got %d bodies", len(slack.Bodies()))
	}
	var ne *notify.Error
	if err := app.Receivers["pager"].Send(ctx, notify.Message{Event: notify.Firing}); !errors.As(err, &ne) || ne.Permanent {
		t.Errorf("pager with a missing secret: %v, want a retryable failure", err)
	}
	out := log.String()
	if strings.Count(out, `"alarm":"`+alert.AlarmReceiverRejected+`"`) != 1 || !strings.Contains(out, "reportmailer/receivers/missing") {
		t.Errorf("log:\n%s", out)
	}
	if strings.Contains(out, "SECRETPATH") {
		t.Errorf("the log shows the webhook URL:\n%s", out)
	}
}
