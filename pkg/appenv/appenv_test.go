package appenv_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"reportmailer/internal/awstest"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/config"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const minimal = `
mail: {from: reports@example.com}
digests:
  - {id: %ID%, period: week, timezone: Europe/London, to: [a@example.com], reports: [{report: chatVolume}]}
`

func env(t *testing.T, moto *awstest.Moto, extra map[string]string) func(string) string {
	t.Helper()
	vars := map[string]string{"COMM100_EMAIL": "demo@example.com", "COMM100_API_KEY": "demo-key"}
	for _, kv := range moto.Env() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
		t.Setenv(k, v) // the SDK reads these itself
	}
	for k, v := range extra {
		vars[k] = v
	}
	return func(k string) string { return vars[k] }
}

func TestConfigFromSSMAndS3(t *testing.T) {
	moto := awstest.Fresh(t)
	ctx := context.Background()
	cfg := moto.Config(t)
	if _, err := ssm.NewFromConfig(cfg).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/reportmailer/config"),
		Type: "String", Value: aws.String(strings.Replace(minimal, "%ID%", "from-ssm", 1))}); err != nil {
		t.Fatal(err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("cfg"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(awstest.Region)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cfg"), Key: aws.String("prod/config.yaml"),
		Body: strings.NewReader(strings.Replace(minimal, "%ID%", "from-s3", 1))}); err != nil {
		t.Fatal(err)
	}
	for source, want := range map[string]string{"CONFIG_SSM_PARAMETER=/reportmailer/config": "from-ssm", "CONFIG_S3_URI=s3://cfg/prod/config.yaml": "from-s3"} {
		k, v, _ := strings.Cut(source, "=")
		app, err := appenv.Load(ctx, appenv.Options{Getenv: env(t, moto, map[string]string{k: v})})
		if err != nil {
			t.Fatalf("%s: %v", source, err)
		}
		if app.Config.Digests[0].ID != want {
			t.Errorf("%s: loaded digest %q", source, app.Config.Digests[0].ID)
		}
	}
}

func TestBadInputsNameTheProblemAndLeakNothing(t *testing.T) {
	moto := awstest.Fresh(t)
	ctx := context.Background()
	sec, err := secretsmanager.NewFromConfig(moto.Config(t)).CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("wrong-shape"), SecretString: aws.String(`{"user":"x","password":"hunter2-secret"}`)})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(good, []byte(strings.Replace(minimal, "%ID%", "weekly", 1)), 0o644)
	_ = os.WriteFile(bad, []byte(strings.NewReplacer("%ID%", "weekly", "Europe/London", "Mars/Olympus").Replace(minimal)), 0o644)
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"secret of the wrong shape", map[string]string{"CONFIG_FILE": good, "COMM100_EMAIL": "", "COMM100_API_KEY": "", "COMM100_SECRET_ARN": aws.ToString(sec.ARN)},
			`want JSON {"email": …, "apiKey": …}`},
		{"no credentials at all", map[string]string{"CONFIG_FILE": good, "COMM100_EMAIL": "", "COMM100_API_KEY": ""}, "no Comm100 credentials"},
		{"bad config", map[string]string{"CONFIG_FILE": bad}, `digests[0].timezone: unknown timezone "Mars/Olympus"`},
		{"missing file", map[string]string{"CONFIG_FILE": filepath.Join(dir, "nope.yaml")}, "config file"},
		{"bad S3 URI", map[string]string{"CONFIG_S3_URI": "https://bucket/key"}, "want s3://bucket/key"},
	}
	for _, tc := range tests {
		_, err := appenv.Load(ctx, appenv.Options{Getenv: env(t, moto, tc.vars)})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the secret leaked into the error", tc.name)
		}
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	moto := awstest.Fresh(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	_ = os.WriteFile(path, []byte(strings.Replace(minimal, "%ID%", "weekly", 1)), 0o644)
	app, err := appenv.Load(context.Background(), appenv.Options{Getenv: env(t, moto, map[string]string{
		"CONFIG_FILE": path, "DIGEST_TO": "x@example.com, y@example.com", "MAIL_FROM": "Ops <ops@example.com>", "COMM100_SITE_ID": "42"})})
	if err != nil {
		t.Fatal(err)
	}
	if d := app.Config.Digests[0]; strings.Join(d.To, ",") != "x@example.com,y@example.com" || app.Config.Mail.From != "Ops <ops@example.com>" || app.Config.Comm100.SiteID != "42" {
		t.Errorf("overrides not applied: %+v %+v", d.To, app.Config.Mail)
	}
}

// TestLoadConfigValidatesOverridesAndNamesTheSource: the loader the
// Lambdas and `validate` share checks the environment with the file.
func TestLoadConfigValidatesOverridesAndNamesTheSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	_ = os.WriteFile(path, []byte(strings.Replace(minimal, "%ID%", "weekly", 1)), 0o644)
	vars := map[string]string{"CONFIG_FILE": path, "ALERT_TO": "pager", "COMM100_BASE_URL": "https://user:hunter2@api.example"}
	_, err := appenv.LoadConfig(context.Background(), appenv.Options{Getenv: func(k string) string { return vars[k] }})
	var ce *appenv.ConfigError
	var ps config.Problems
	if !errors.As(err, &ce) || ce.Source != path || !errors.As(err, &ps) || len(ps) != 2 {
		t.Fatalf("err = %#v", err)
	}
	for _, want := range []string{"env ALERT_TO: ", "env COMM100_BASE_URL: "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the password in the URL leaked: %v", err)
	}
}

func TestOversizedS3ConfigIsRefusedNotTruncated(t *testing.T) {
	moto := awstest.Fresh(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(moto.Config(t), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("big"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(awstest.Region)}}); err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(minimal, "%ID%", "x", 1) + "# " + strings.Repeat("x", config.MaxBytes) + "\n"
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("big"), Key: aws.String("c.yaml"), Body: strings.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	_, err := appenv.LoadConfig(ctx, appenv.Options{Getenv: env(t, moto, map[string]string{"CONFIG_S3_URI": "s3://big/c.yaml"})})
	if err == nil || !strings.Contains(err.Error(), "config s3://big/c.yaml: ") || !strings.Contains(err.Error(), "the limit is") {
		t.Errorf("err = %v", err)
	}
}

func TestAlertEvaluatorNeedsATableWhenDurable(t *testing.T) {
	moto := awstest.Fresh(t)
	path := filepath.Join(t.TempDir(), "c.yaml")
	_ = os.WriteFile(path, []byte(strings.Replace(minimal, "%ID%", "weekly", 1)+
		"alerts:\n  rules:\n    - {id: q, metric: queue.length, op: \">\", threshold: 3, to: [a@example.com]}\n"), 0o644)
	app, err := appenv.Load(context.Background(), appenv.Options{Getenv: env(t, moto, map[string]string{"CONFIG_FILE": path})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.AlertEvaluator(true); err == nil || !strings.Contains(err.Error(), "TABLE_NAME") {
		t.Errorf("durable without a table: err = %v", err)
	}
	ev, err := app.AlertEvaluator(false)
	if err != nil || len(ev.Rules) != 1 || ev.Config != app.Config || ev.Sender != app.Sender {
		t.Errorf("evaluator %+v, err %v", ev, err)
	}
}
