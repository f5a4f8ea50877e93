package appenv_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"reportmailer/internal/awstest"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/linktoken"
)

// TestLinkSigningKey: the key comes from the generated secret (deployed)
// or LINK_SIGNING_KEY (local); without one, a preview signs with a
// throwaway key while a sending run sends no links rather than dead ones.
func TestLinkSigningKey(t *testing.T) {
	moto := awstest.Fresh(t)
	ctx := context.Background()
	const key = "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ01"
	sec, err := secretsmanager.NewFromConfig(moto.Config(t)).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("links"), SecretString: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(minimal, "%ID%", "d", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	want, _ := linktoken.NewSigner([]byte(key))
	claims := linktoken.Claims{Kind: linktoken.Unsubscribe, Digest: "d", Recipient: "a@example.com", Expires: time.Now().Add(time.Hour).Unix()}
	for _, tc := range []struct {
		name       string
		vars       map[string]string
		send       bool
		wantSigner bool // signs as the secret's key
		wantAny    bool // has some signer
		wantErr    string
	}{
		{"secret", map[string]string{"LINK_SECRET_ARN": aws.ToString(sec.ARN), "LINKS_BASE_URL": "https://x.example/"}, true, true, true, ""},
		{"local key", map[string]string{"LINK_SIGNING_KEY": key}, true, true, true, ""},
		{"short local key", map[string]string{"LINK_SIGNING_KEY": "short"}, true, false, false, "LINK_SIGNING_KEY: link signing key: 5 bytes, want at least 32"},
		{"preview without a key", map[string]string{"LINKS_BASE_URL": "https://x.example/"}, false, false, true, ""},
		{"send without a key", map[string]string{"LINKS_BASE_URL": "https://x.example/"}, true, false, false, ""},
		{"no links at all", nil, true, false, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]string{"CONFIG_FILE": path}
			for k, v := range tc.vars {
				vars[k] = v
			}
			app, err := appenv.Load(ctx, appenv.Options{Getenv: env(t, moto, vars), NeedSender: tc.send})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "short") {
					t.Fatalf("err = %v, want %q without the key", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (app.LinkSigner != nil) != tc.wantAny {
				t.Fatalf("signer %v, want one: %v", app.LinkSigner, tc.wantAny)
			}
			if tc.wantSigner {
				if _, err := app.LinkSigner.Verify(want.Sign(claims), time.Now()); err != nil {
					t.Errorf("signer does not use the configured key: %v", err)
				}
			}
		})
	}
}

// TestLoadLinksNeedsKeyAndTable: the links function refuses to start
// without a key (it could check nothing) or a table (it could record nothing).
func TestLoadLinksNeedsKeyAndTable(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		name string
		vars map[string]string
		want string
	}{
		{"no key", map[string]string{"TABLE_NAME": "t"}, "no link signing key"},
		{"no table", map[string]string{"LINK_SIGNING_KEY": key}, "TABLE_NAME is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := appenv.LoadLinks(context.Background(), appenv.Options{Getenv: func(k string) string { return tc.vars[k] }})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	l, err := appenv.LoadLinks(context.Background(), appenv.Options{Getenv: func(k string) string {
		return map[string]string{"LINK_SIGNING_KEY": key, "TABLE_NAME": "t", "ARCHIVE_BUCKET": "b"}[k]
	}})
	if err != nil || l.Signer == nil || l.Store == nil || l.Archive == nil {
		t.Errorf("LoadLinks: %+v %v", l, err)
	}
}
