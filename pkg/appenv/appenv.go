// Package appenv builds reportmailer's dependencies from the process
// environment, once per process. LoadConfig is the one configuration
// loader: it reads the file, SSM parameter or S3 object, applies the
// environment's overrides, validates everything and compiles the alert
// rules. Load adds the Comm100 credentials (Secrets Manager or environment)
// and the AWS clients. The Lambdas, the CLI (`validate` included) and the
// tests all call these, so they can never disagree about a configuration.
//
// Environment (config.Env lists the overrides; each is validated with the file):
//
//	CONFIG_FILE           path to the YAML config (default: config.yaml beside the binary, then ./reportmailer.yaml)
//	CONFIG_SSM_PARAMETER  name of an SSM parameter holding the config (wins over CONFIG_FILE)
//	CONFIG_S3_URI         s3://bucket/key of the config (wins over CONFIG_FILE)
//	COMM100_BASE_URL, COMM100_SITE_ID, COMM100_EMAIL, COMM100_API_KEY  override the config / secret
//	COMM100_SECRET_ARN    Secrets Manager secret {"email","apiKey"[,"siteId"]} (overrides comm100.secretARN)
//	MAIL_FROM             overrides mail.from
//	SES_CONFIGURATION_SET overrides mail.configurationSet
//	DIGEST_TO, ALERT_TO   comma-separated recipients overriding every digest's / rule's "to"
//	ARCHIVE_BUCKET        overrides mail.archiveBucket
//	TABLE_NAME            DynamoDB table for the send log, alert state and unsubscribes (unset: in memory)
//	LINKS_BASE_URL, LINK_SECRET_ARN, LINK_SIGNING_KEY  the mail's signed links (links.go)
//	alert receivers' urlSecret / routingKeySecret are read from Secrets Manager (receivers.go)
//	AWS_ENDPOINT_URL      points every AWS client elsewhere (moto_server in tests)
package appenv

import (
	"context"
	"encoding/json"
	"errors"
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

	"reportmailer/pkg/alert"
	"reportmailer/pkg/archive"
	"reportmailer/pkg/config"
	"reportmailer/pkg/links"
	"reportmailer/pkg/linktoken"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/notify"
	"reportmailer/pkg/oncall"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/sendlog"
	"reportmailer/pkg/suppress"
)

// App is everything a run needs.
type App struct {
	Config *config.Config
	// Source says where the configuration came from (a path, ssm:NAME or s3://…).
	Source  string
	Reports *reports.Client
	Sender  mail.Sender
	Log     sendlog.Log
	Archive archive.Store
	Logger  *slog.Logger
	// DynamoDB is set when TABLE_NAME is (the alert state store uses it too).
	DynamoDB *dynamodb.Client
	Table    string
	// LinkSigner signs the mail's links (nil: no personal links); see links.go.
	LinkSigner *linktoken.Signer
	// Suppress holds the unsubscribes (nil without TABLE_NAME).
	Suppress suppress.Store
	// Receivers are the alert receivers, built when Options.NeedReceivers
	// (receivers.go); nil otherwise, which makes their deliveries dry.
	Receivers map[string]notify.Receiver
	// OnCall holds alert acknowledgements and silences (nil without TABLE_NAME).
	OnCall oncall.Store
}

// Options choose what to build.
type Options struct {
	Getenv func(string) string // default os.Getenv
	Logger *slog.Logger
	// NeedSender builds the SES sender (otherwise an in-memory one).
	NeedSender bool
	// NeedReceivers builds the alert receivers, reading their secrets.
	NeedReceivers bool
	// ConfigPath overrides CONFIG_FILE (the CLI's --config).
	ConfigPath string
	// Quota is this process's share of Comm100's call limit (zero:
	// reports.DigestShare(1)); see DigestQuota and reports.AlertQuota.
	Quota reports.Quota
}

// ConfigError is a configuration that could not be read or is not valid,
// with where it came from. Err is a config.Problems when the file was read.
type ConfigError struct {
	Source string // empty when no source could be read
	Err    error
}

func (e *ConfigError) Error() string {
	if e.Source == "" {
		return e.Err.Error()
	}
	return "config " + e.Source + ": " + e.Err.Error()
}

func (e *ConfigError) Unwrap() error { return e.Err }

// Loaded is a configuration ready to run: validated, overrides applied,
// defaults resolved, alert rules compiled.
type Loaded struct {
	Config *config.Config
	Rules  []alert.Rule
	Source string
	// Bytes is the configuration's size (SSMTier says if SSM can hold it).
	Bytes int
}

// env is the process environment, with the AWS configuration loaded at
// most once and only when something needs it.
type env struct {
	getenv func(string) string
	aws    *aws.Config
}

func newEnv(getenv func(string) string) *env {
	if getenv == nil {
		getenv = os.Getenv
	}
	return &env{getenv: getenv}
}

func (e *env) awsConfig(ctx context.Context) (aws.Config, error) {
	if e.aws != nil {
		return *e.aws, nil
	}
	c, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("aws config: %w", err)
	}
	e.aws = &c
	return c, nil
}

// LoadConfig is the one configuration loader: it reads the configuration
// from opts.ConfigPath, CONFIG_SSM_PARAMETER, CONFIG_S3_URI or CONFIG_FILE,
// applies and validates the environment's overrides with the file, and
// compiles the alert rules. Its error is a *ConfigError.
func LoadConfig(ctx context.Context, opts Options) (*Loaded, error) {
	return loadConfig(ctx, opts, newEnv(opts.Getenv))
}

func loadConfig(ctx context.Context, opts Options, e *env) (*Loaded, error) {
	raw, source, err := readConfig(ctx, opts.ConfigPath, e)
	if err != nil {
		return nil, &ConfigError{Source: source, Err: err}
	}
	var rules []alert.Rule
	cfg, err := config.LoadWith(raw, config.Options{Getenv: e.getenv, Check: func(c *config.Config) error {
		var err error
		rules, err = alert.Compile(c)
		return err
	}})
	if err != nil {
		return nil, &ConfigError{Source: source, Err: err}
	}
	return &Loaded{Config: cfg, Rules: rules, Source: source, Bytes: len(raw)}, nil
}

// Load builds the App: LoadConfig, then the credentials and clients.
func Load(ctx context.Context, opts Options) (*App, error) {
	e := newEnv(opts.Getenv)
	app := &App{Logger: opts.Logger}
	if app.Logger == nil {
		app.Logger = slog.New(slog.DiscardHandler)
	}
	loaded, err := loadConfig(ctx, opts, e)
	if err != nil {
		return nil, err
	}
	cfg := loaded.Config
	app.Config, app.Source = cfg, loaded.Source

	creds, err := credentialsFrom(ctx, cfg, e)
	if err != nil {
		return nil, err
	}
	baseURL := cfg.Comm100.BaseURL
	if baseURL == "" {
		baseURL = reports.DefaultBaseURL
	}
	// LoadConfig has validated baseURL, so WithBaseURL cannot drop it.
	app.Reports = reports.New(
		reports.WithBaseURL(baseURL), reports.WithAuth(creds),
		reports.WithQuota(quotaOf(opts.Quota)),
		reports.WithTimeout(time.Duration(cfg.Comm100.Timeout)),
		reports.WithRetry(reports.RetryPolicy{MaxAttempts: cfg.Comm100.MaxAttempts, BaseDelay: 250 * time.Millisecond, MaxDelay: 30 * time.Second}),
		reports.WithLogger(app.Logger),
	)
	if opts.NeedSender {
		c, err := e.awsConfig(ctx)
		if err != nil {
			return nil, err
		}
		app.Sender = mail.SES{Client: sesv2.NewFromConfig(c)}
	} else {
		app.Sender = &mail.Memory{}
	}
	if table := e.getenv("TABLE_NAME"); table != "" {
		c, err := e.awsConfig(ctx)
		if err != nil {
			return nil, err
		}
		app.DynamoDB, app.Table = dynamodb.NewFromConfig(c), table
		app.Log = sendlog.DynamoDB{Client: app.DynamoDB, Table: table}
		app.OnCall = oncall.DynamoDB{Client: app.DynamoDB, Table: table}
	} else {
		app.Log = &sendlog.Memory{}
	}
	if bucket := cfg.Mail.ArchiveBucket; bucket != "" {
		c, err := e.awsConfig(ctx)
		if err != nil {
			return nil, err
		}
		app.Archive = archive.S3{Client: newS3(c, e.getenv), Bucket: bucket}
	}
	if err := app.loadLinks(ctx, opts, e); err != nil {
		return nil, err
	}
	if opts.NeedReceivers {
		if app.Receivers, err = buildReceivers(ctx, cfg, e, app.Logger); err != nil {
			return nil, err
		}
	}
	app.Logger.Info("configuration loaded", "source", app.Source, "digests", len(cfg.Digests), "alertRules", len(cfg.Alerts.Rules),
		"comm100", baseURL, "site", cfg.Comm100.SiteID, "sendLog", logKind(app.Table))
	return app, nil
}

// AlertEvaluator is the alert evaluator every caller shares. durable keeps
// alert state in DynamoDB (TABLE_NAME, required); otherwise in memory,
// which forgets between runs (CLI dry runs, tests). The rules are compiled
// from a.Config now, so a caller that adjusted it (the demo's shorter
// repeat) is heard; Load already compiled them once, so this cannot fail
// on a configuration it returned.
func (a *App) AlertEvaluator(durable bool) (*alert.Evaluator, error) {
	var states alert.StateStore = &alert.MemoryStates{}
	if durable {
		if a.DynamoDB == nil {
			return nil, errors.New("TABLE_NAME is required: alert state must persist between evaluations")
		}
		states = alert.DynamoStates{Client: a.DynamoDB, Table: a.Table}
	}
	ev, err := alert.New(a.Config, a.Reports, states, a.Sender, a.Logger)
	if err != nil {
		return nil, err
	}
	ev.Receivers, ev.OnCall = a.Receivers, a.OnCall
	if !durable {
		ev.OnCall = nil // a dry run's state forgets; so do its acknowledgements
	}
	if a.LinkSigner != nil && a.Config.Mail.LinksBaseURL != "" {
		ev.Links = links.Issuer{Signer: a.LinkSigner, Base: a.Config.Mail.LinksBaseURL}
	}
	return ev, nil
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

// parseS3URI splits CONFIG_S3_URI, s3://bucket/key.
func parseS3URI(uri string) (bucket, key string, err error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "s3" || u.Host == "" || strings.TrimPrefix(u.Path, "/") == "" {
		return "", "", fmt.Errorf("CONFIG_S3_URI %q: want s3://bucket/key", uri)
	}
	return u.Host, strings.TrimPrefix(u.Path, "/"), nil
}

// readConfig returns the configuration's bytes and where they came from.
func readConfig(ctx context.Context, path string, e *env) ([]byte, string, error) {
	getenv := e.getenv
	if path == "" {
		if name := getenv("CONFIG_SSM_PARAMETER"); name != "" {
			c, err := e.awsConfig(ctx)
			if err != nil {
				return nil, "ssm:" + name, err
			}
			out, err := ssm.NewFromConfig(c).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
			if err != nil {
				return nil, "ssm:" + name, fmt.Errorf("get SSM parameter: %w", err)
			}
			return []byte(aws.ToString(out.Parameter.Value)), "ssm:" + name, nil
		}
		if uri := getenv("CONFIG_S3_URI"); uri != "" {
			bucket, key, err := parseS3URI(uri)
			if err != nil {
				return nil, "", err
			}
			c, err := e.awsConfig(ctx)
			if err != nil {
				return nil, uri, err
			}
			out, err := newS3(c, getenv).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				return nil, uri, fmt.Errorf("get S3 object: %w", err)
			}
			defer out.Body.Close()
			// One byte over the limit, so that config reports the size
			// rather than parsing a truncated file.
			data, err := io.ReadAll(io.LimitReader(out.Body, config.MaxBytes+1))
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
		data, err := readFile(p)
		if err == nil {
			return data, p, nil
		}
		if path != "" {
			return nil, p, fmt.Errorf("config file: %w", err)
		}
	}
	return nil, "", fmt.Errorf("no configuration: set CONFIG_FILE, CONFIG_SSM_PARAMETER or CONFIG_S3_URI (looked for %s)", strings.Join(candidates, ", "))
}

// readFile reads at most one byte more than config.MaxBytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, config.MaxBytes+1))
}

// secret is the Secrets Manager payload.
type secret struct {
	Email  string `json:"email"`
	APIKey string `json:"apiKey"`
	SiteID string `json:"siteId"`
}

func credentialsFrom(ctx context.Context, cfg *config.Config, e *env) (reports.APIKey, error) {
	key := reports.APIKey{SiteID: cfg.Comm100.SiteID, Email: e.getenv("COMM100_EMAIL"), Key: reports.Secret(e.getenv("COMM100_API_KEY"))}
	if key.Email != "" && key.Key != "" {
		return key, nil
	}
	arn := cfg.Comm100.SecretARN
	if arn == "" {
		return key, fmt.Errorf("no Comm100 credentials: set COMM100_EMAIL and COMM100_API_KEY, or comm100.secretARN / COMM100_SECRET_ARN")
	}
	c, err := e.awsConfig(ctx)
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
