package appenv

import (
	"context"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"reportmailer/pkg/alert"
	"reportmailer/pkg/config"
	"reportmailer/pkg/notify"
)

// buildReceivers makes the alert receivers, reading each urlSecret and
// routingKeySecret from Secrets Manager (once per process; a new
// configuration reads them again). The AWS configuration is loaded only
// when a receiver names a secret. A secret that cannot be read is logged
// (with the receiver alarm's field) and does not fail the load.
func buildReceivers(ctx context.Context, cfg *config.Config, e *env, logger *slog.Logger) (map[string]notify.Receiver, error) {
	secrets := func(ctx context.Context, name string) (string, error) {
		c, err := e.awsConfig(ctx)
		if err != nil {
			return "", err
		}
		out, err := secretsmanager.NewFromConfig(c).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(aws.ToString(out.SecretString)), nil
	}
	rs, err := notify.Build(ctx, cfg.Alerts.Receivers, secrets, notify.Options{})
	if err != nil {
		// Mail and the other receivers go on; this one's notifications wait
		// in its outbox until a start that can read the secret.
		logger.Error("alert receiver unavailable: its secret could not be read", "alarm", alert.AlarmReceiverRejected, "error", err.Error())
	}
	return rs, nil
}
