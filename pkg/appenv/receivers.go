package appenv

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"reportmailer/pkg/config"
	"reportmailer/pkg/notify"
)

// buildReceivers makes the alert receivers, reading each urlSecret and
// routingKeySecret from Secrets Manager (once per process; a new
// configuration reads them again). The AWS configuration is loaded only
// when a receiver names a secret.
func buildReceivers(ctx context.Context, cfg *config.Config, e *env) (map[string]notify.Receiver, error) {
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
	return notify.Build(ctx, cfg.Alerts.Receivers, secrets, notify.Options{})
}
