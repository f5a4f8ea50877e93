// Package appenv builds reportmailer's dependencies from the process
// environment, once per process: the configuration (from a file, an SSM
// parameter or an S3 object), Comm100 credentials (Secrets Manager or
// environment), and the AWS clients. The Lambdas and the CLI share it.
//
// Environment:
//
//	CONFIG_FILE           path to the YAML config (default: config.yaml beside the binary, then ./reportmailer.yaml)
//	CONFIG_SSM_PARAMETER  name of an SSM parameter holding the config (wins over CONFIG_FILE)
//	CONFIG_S3_URI         s3://bucket/key of the config (wins over CONFIG_FILE)
//	COMM100_BASE_URL, COMM100_SITE_ID, COMM100_EMAIL, COMM100_API_KEY  override the config / secret
//	COMM100_SECRET_ARN    Secrets Manager secret {"email","apiKey"[,"siteId"]} (overrides comm100.secretARN)
//	MAIL_FROM             overrides mail.from
//	DIGEST_TO, ALERT_TO   comma-separated recipients overriding every digest's / rule's "to"
//	ARCHIVE_BUCKET        overrides mail.archiveBucket
//	TABLE_NAME            DynamoDB table for the send log and alert state (unset: in memory)
//	AWS_ENDPOINT_URL      points every AWS client elsewhere (moto_server in tests)
package appenv

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"reportmailer/pkg/archive"
	"reportmailer/pkg/config"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/sendlog"
)

// App is everything a run needs.
type App struct {
	Config  *config.Config
	Reports *reports.Client
	Sender  mail.Sender
	Log     sendlog.Log
	Archive archive.Store
	Logger  *slog.Logger
	// DynamoDB is set when TABLE_NAME is (the alert state store uses it too).
	DynamoDB *dynamodb.Client
	Table    string
}

// Options choose what to build.
type Options struct {
	Getenv func(string) string // default os.Getenv
	Logger *slog.Logger
	// NeedSender builds the SES sender (otherwise an in-memory one).
	NeedSender bool
	// ConfigPath overrides CONFIG_FILE (the CLI's --config).
	ConfigPath string
}

// Load builds the App.
func Load(ctx context.Context, opts Options) (*App, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	app := &App{Logger: opts.Logger}
	if app.Logger == nil {
		app.Logger = slog.New(slog.DiscardHandler)
	}
	var awsCfg *aws.Config
	awsOnce := func() (aws.Config, error) {
		if awsCfg != nil {
			return *awsCfg, nil
		}
		c, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return aws.Config{}, fmt.Errorf("aws config: %w", err)
		}
		awsCfg = &c
		return c, nil
	}
	raw, source, err := readConfig(ctx, opts.ConfigPath, getenv, awsOnce)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(raw)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", source, err)
	}
	applyEnv(cfg, getenv)
	app.Config = cfg

	creds, err := credentialsFrom(ctx, cfg, getenv, awsOnce)
	if err != nil {
		return nil, err
	}
	baseURL := cfg.Comm100.BaseURL
	if baseURL == "" {
		baseURL = reports.DefaultBaseURL
	}
	app.Reports = reports.New(
		reports.WithBaseURL(baseURL), reports.WithAuth(creds),
		reports.WithRateLimit(cfg.Comm100.RateLimit.Burst, cfg.Comm100.RateLimit.PerSecond),
		reports.WithTimeout(time.Duration(cfg.Comm100.Timeout)),
		reports.WithRetry(reports.RetryPolicy{MaxAttempts: cfg.Comm100.MaxAttempts, BaseDelay: 250 * time.Millisecond, MaxDelay: 30 * time.Second}),
		reports.WithLogger(app.Logger),
	)
	if opts.NeedSender {
		c, err := awsOnce()
		if err != nil {
			return nil, err
		}
		app.Sender = mail.SES{Client: sesv2.NewFromConfig(c)}
	} else {
		app.Sender = &mail.Memory{}
	}
	if table := getenv("TABLE_NAME"); table != "" {
		c, err := awsOnce()
		if err != nil {
			return nil, err
		}
		app.DynamoDB, app.Table = dynamodb.NewFromConfig(c), table
		app.Log = sendlog.DynamoDB{Client: app.DynamoDB, Table: table}
	} else {
		app.Log = &sendlog.Memory{}
	}
	if bucket := cfg.Mail.ArchiveBucket; bucket != "" {
		c, err := awsOnce()
		if err != nil {
			return nil, err
		}
		app.Archive = archive.S3{Client: newS3(c, getenv), Bucket: bucket}
	}
	app.Logger.Info("configuration loaded", "source", source, "digests", len(cfg.Digests), "alertRules", len(cfg.Alerts.Rules),
		"comm100", baseURL, "site", cfg.Comm100.SiteID, "sendLog", logKind(getenv("TABLE_NAME")))
	return app, nil
}

func logKind(table string) string {
	if table == "" {
		return "memory"
	}
	return "dynamodb:" + table
}

// newS3 uses path-style addressing when AWS_ENDPOINT_URL points elsewhere
// (moto and other stand-ins do not serve virtual-hosted buckets).
func newS3(c aws.Config, getenv func(string) string) *s3.Client {
	return s3.NewFromConfig(c, func(o *s3.Options) {
		o.UsePathStyle = getenv("AWS_ENDPOINT_URL") != ""
		// Objects we wrote ourselves; the SDK would log a line per GET without a checksum.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}

func readConfig(ctx context.Context, path string, getenv func(string) string, awsCfg func() (aws.Config, error)) ([]byte, string, error) {
	if path == "" {
		if name := getenv("CONFIG_SSM_PARAMETER"); name != "" {
			c, err := awsCfg()
			if err != nil {
				return nil, "", err
			}
			out, err := ssm.NewFromConfig(c).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
			if err != nil {
				return nil, "", fmt.Errorf("config from SSM parameter %s: %w", name, err)
			}
			return []byte(aws.ToString(out.Parameter.Value)), "ssm:" + name, nil
		}
		if uri := getenv("CONFIG_S3_URI"); uri != "" {
			u, err := url.Parse(uri)
			if err != nil || u.Scheme != "s3" {
				return nil, "", fmt.Errorf("CONFIG_S3_URI %q: want s3://bucket/key", uri)
			}
			c, err := awsCfg()
			if err != nil {
				return nil, "", err
			}
			out, err := newS3(c, getenv).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(u.Host), Key: aws.String(strings.TrimPrefix(u.Path, "/"))})
			if err != nil {
				return nil, "", fmt.Errorf("config from %s: %w", uri, err)
			}
			defer out.Body.Close()
			data, err := io.ReadAll(io.LimitReader(out.Body, 4<<20))
			return data, uri, err
		}
		path = getenv("CONFIG_FILE")
	}
	candidates := []string{path}
	if path == "" {
		exe, _ := os.Executable()
		candidates = []string{filepath.Join(filepath.Dir(exe), "config.yaml"), "reportmailer.yaml"}
	}
	for _, p := range candidates {
		data, err := os.ReadFile(p)
		if err == nil {
			return data, p, nil
		}
		if path != "" {
			return nil, "", fmt.Errorf("config file: %w", err)
		}
	}
	return nil, "", fmt.Errorf("no configuration: set CONFIG_FILE, CONFIG_SSM_PARAMETER or CONFIG_S3_URI (looked for %s)", strings.Join(candidates, ", "))
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// applyEnv applies the environment's overrides on top of the file.
func applyEnv(cfg *config.Config, getenv func(string) string) {
	if v := getenv("COMM100_BASE_URL"); v != "" {
		cfg.Comm100.BaseURL = v
	}
	if v := getenv("COMM100_SITE_ID"); v != "" {
		cfg.Comm100.SiteID = v
	}
	if v := getenv("COMM100_SECRET_ARN"); v != "" {
		cfg.Comm100.SecretARN = v
	}
	if v := getenv("MAIL_FROM"); v != "" {
		cfg.Mail.From = v
	}
	if v := getenv("ARCHIVE_BUCKET"); v != "" {
		cfg.Mail.ArchiveBucket = v
	}
	if v := splitList(getenv("DIGEST_TO")); len(v) > 0 {
		for i := range cfg.Digests {
			cfg.Digests[i].To, cfg.Digests[i].Cc, cfg.Digests[i].Bcc = v, nil, nil
		}
	}
	if v := splitList(getenv("ALERT_TO")); len(v) > 0 {
		for i := range cfg.Alerts.Rules {
			cfg.Alerts.Rules[i].To = v
		}
		cfg.Alerts.NoDataTo = v
	}
}

// secret is the Secrets Manager payload.
type secret struct {
	Email  string `json:"email"`
	APIKey string `json:"apiKey"`
	SiteID string `json:"siteId"`
}

func credentialsFrom(ctx context.Context, cfg *config.Config, getenv func(string) string, awsCfg func() (aws.Config, error)) (reports.APIKey, error) {
	key := reports.APIKey{SiteID: cfg.Comm100.SiteID, Email: getenv("COMM100_EMAIL"), Key: reports.Secret(getenv("COMM100_API_KEY"))}
	if key.Email != "" && key.Key != "" {
		return key, nil
	}
	arn := cfg.Comm100.SecretARN
	if arn == "" {
		return key, fmt.Errorf("no Comm100 credentials: set COMM100_EMAIL and COMM100_API_KEY, or comm100.secretARN / COMM100_SECRET_ARN")
	}
	c, err := awsCfg()
	if err != nil {
		return key, err
	}
	out, err := secretsmanager.NewFromConfig(c).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return key, fmt.Errorf("comm100 credentials from Secrets Manager (%s): %w", arn, err)
	}
	var s secret
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &s); err != nil || s.Email == "" || s.APIKey == "" {
		// Never echo the secret's content.
		return key, fmt.Errorf("comm100 credentials secret %s: want JSON {\"email\": …, \"apiKey\": …}", arn)
	}
	key.Email, key.Key = s.Email, reports.Secret(s.APIKey)
	if s.SiteID != "" && key.SiteID == "" {
		key.SiteID = s.SiteID
	}
	return key, nil
}
