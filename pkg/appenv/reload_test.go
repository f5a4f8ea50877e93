package appenv_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"reportmailer/internal/awstest"
	"reportmailer/pkg/appenv"
)

// TestReloadFromSSM: a warm process picks up a changed SSM parameter at
// its next invocation; a broken change is logged once, as one error with
// every problem, and the last good configuration keeps running; a fixed
// change is picked up again.
func TestReloadFromSSM(t *testing.T) {
	moto := awstest.Fresh(t)
	ctx := context.Background()
	client := ssm.NewFromConfig(moto.Config(t))
	put := func(body string) {
		t.Helper()
		if _, err := client.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/reportmailer/config"), Type: "String",
			Value: aws.String(body), Overwrite: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	put(strings.Replace(minimal, "%ID%", "first", 1))
	var logs bytes.Buffer
	r := appenv.ReloadApp(appenv.Options{Getenv: env(t, moto, map[string]string{"CONFIG_SSM_PARAMETER": "/reportmailer/config"}),
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	digestID := func() string {
		t.Helper()
		app, err := r.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return app.Config.Digests[0].ID
	}
	first, _ := r.Current(ctx)
	if got := digestID(); got != "first" {
		t.Fatalf("digest %q", got)
	}
	if again, _ := r.Current(ctx); again != first {
		t.Error("an unchanged parameter rebuilt the app")
	}

	put(strings.Replace(minimal, "%ID%", "second", 1))
	if got := digestID(); got != "second" {
		t.Errorf("after the change: digest %q, want second", got)
	}

	put(strings.Replace(strings.Replace(minimal, "%ID%", "third", 1), "period: week", "period: fortnight", 1) + "  - {id: other, period: day, timezone: Mars/Olympus, to: [a@example.com], reports: [{report: chatVolume}]}\n")
	for range 3 {
		if got := digestID(); got != "second" {
			t.Errorf("a broken change replaced the running configuration: digest %q", got)
		}
	}
	var rejected []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(rec["msg"].(string), "configuration change rejected") {
			rejected = append(rejected, rec)
		}
	}
	if len(rejected) != 1 {
		t.Fatalf("%d rejection records, want one for the broken version:\n%s", len(rejected), logs.String())
	}
	rec := rejected[0]
	problems, _ := rec["problems"].([]any)
	if rec["level"] != "ERROR" || len(problems) != 2 || !strings.Contains(rec["error"].(string), "digests[0].period") {
		t.Errorf("rejection record %v: want one ERROR with both problems", rec)
	}

	put(strings.Replace(minimal, "%ID%", "fixed", 1))
	if got := digestID(); got != "fixed" {
		t.Errorf("after the fix: digest %q", got)
	}
}

// TestReloadFromS3: the S3 object's ETag is the version.
func TestReloadFromS3(t *testing.T) {
	moto := awstest.Fresh(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(moto.Config(t), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("cfg"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(awstest.Region)}}); err != nil {
		t.Fatal(err)
	}
	put := func(id string) {
		t.Helper()
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cfg"), Key: aws.String("config.yaml"),
			Body: strings.NewReader(strings.Replace(minimal, "%ID%", id, 1))}); err != nil {
			t.Fatal(err)
		}
	}
	put("one")
	r := appenv.ReloadConfig(appenv.Options{Getenv: env(t, moto, map[string]string{"CONFIG_S3_URI": "s3://cfg/config.yaml"})})
	for _, id := range []string{"one", "two"} {
		put(id)
		loaded, err := r.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := loaded.Config.Digests[0].ID; got != id {
			t.Errorf("digest %q, want %q", got, id)
		}
	}
}

func TestSSMTier(t *testing.T) {
	for _, tc := range []struct {
		size int
		tier string
	}{{100, "Standard"}, {4096, "Standard"}, {4097, "Advanced"}, {8192, "Advanced"}, {8769, ""}} {
		tier, err := appenv.SSMTier(tc.size)
		if tier != tc.tier || (tier == "") != (err != nil) {
			t.Errorf("%d bytes: %q, %v", tc.size, tier, err)
		}
		if err != nil && !strings.Contains(err.Error(), "S3") {
			t.Errorf("the error does not point to S3: %v", err)
		}
	}
}
