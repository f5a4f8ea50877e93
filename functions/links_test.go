package functions_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"reportmailer/internal/awstest"
	"reportmailer/internal/comm100sim"
	"reportmailer/internal/lambdalocal"
	"reportmailer/pkg/linktoken"
	"reportmailer/pkg/suppress"
)

// The generated secret's shape: 64 letters and digits.
const signingKey = "k3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK"

const linksDigestConfig = `
comm100: {siteID: "10000"}
mail: {from: "Chat reports <reports@example.com>"}
digests:
  - id: weekly
    title: Weekly chat digest
    period: week
    timezone: Europe/London
    to: ["Ana <ana@example.com>", "ben@example.com"]
    formats: [html]
    reports:
      - {report: chatVolume, group: day}
`

// linksStack is the part of the stack the links flow needs, on moto and
// the simulator: the table, the generated key's secret, the archive
// bucket, and both functions under the emulator.
type linksStack struct {
	moto          *awstest.Moto
	cfg           aws.Config
	links, digest *lambdalocal.RIE
	signer        *linktoken.Signer
	store         suppress.DynamoDB
}

func startLinksStack(t *testing.T, withDigest bool) *linksStack {
	t.Helper()
	ctx := context.Background()
	root, err := lambdalocal.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	moto := awstest.Fresh(t)
	cfg := moto.Config(t)
	if err := lambdalocal.Prepare(ctx, cfg, "reports@example.com", "reportmailer"); err != nil {
		t.Fatal(err)
	}
	sec, err := secretsmanager.NewFromConfig(cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("link-key"), SecretString: aws.String(signingKey)})
	if err != nil {
		t.Fatal(err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("archive"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(awstest.Region)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("archive"), Key: aws.String("digests/weekly/2026-11-16.pdf"),
		Body: strings.NewReader("%PDF-1.7 archived")}); err != nil {
		t.Fatal(err)
	}
	sim := comm100sim.New(comm100sim.Options{Seed: 3})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	conf := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(conf, []byte(linksDigestConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	// What template.yaml gives each function.
	common := append(moto.Env(), "TABLE_NAME=reportmailer", "LINK_SECRET_ARN="+aws.ToString(sec.ARN))
	st := &linksStack{moto: moto, cfg: cfg, store: suppress.DynamoDB{Client: dynamodb.NewFromConfig(cfg), Table: "reportmailer"}}
	st.signer, _ = linktoken.NewSigner([]byte(signingKey))
	st.links = startFunction(t, root, "links", conf, append(common, "ARCHIVE_BUCKET=archive"))
	if !withDigest {
		return st
	}
	st.digest = startFunction(t, root, "digest", conf, append(append(common, comm100sim.ClientEnvList(srv.URL)...),
		"MAIL_FROM=Chat reports <reports@example.com>", "LINKS_BASE_URL=https://abc123.lambda-url.eu-west-1.on.aws/"))
	return st
}

func startFunction(t *testing.T, root, name, conf string, env []string) *lambdalocal.RIE {
	t.Helper()
	rt, err := lambdalocal.FindRuntime(root, lambdalocal.Host)
	if err != nil {
		t.Fatal(err)
	}
	bootstrap, err := lambdalocal.Bundle(binary(t, lambdalocal.Host, name), conf, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, err := rt.Start(bootstrap, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s: emulator and function output:\n%s", name, r.Logs())
		}
		r.Stop()
	})
	return r
}

// request sends link (a URL as mailed) to the links function as a
// Function URL event (payload format 2.0), as AWS would.
func (st *linksStack) request(t *testing.T, method, link, body string) events.LambdaFunctionURLResponse {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	ev := events.LambdaFunctionURLRequest{Version: "2.0", RawPath: u.Path, RawQueryString: u.RawQuery,
		Headers: map[string]string{"host": "abc123.lambda-url.eu-west-1.on.aws", "user-agent": "Mozilla/5.0"},
		RequestContext: events.LambdaFunctionURLRequestContext{DomainName: "abc123.lambda-url.eu-west-1.on.aws",
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: method, Path: u.Path}}}
	if body != "" {
		// Function URLs deliver form bodies base64-encoded.
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(body)), true
		ev.Headers["content-type"] = "application/x-www-form-urlencoded"
	}
	payload, _ := json.Marshal(ev)
	out, _, err := st.links.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	var resp events.LambdaFunctionURLResponse
	if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode == 0 {
		t.Fatalf("links response %s (%v)", out, err)
	}
	return resp
}

func (st *linksStack) runDigest(t *testing.T, periodStart string) []awstest.RawMessage {
	t.Helper()
	before := len(st.moto.SentEmails(t))
	out, _, err := st.digest.Invoke(context.Background(), []byte(`{"digest":"weekly","periodStart":"`+periodStart+`"}`))
	if err != nil || bytes.Contains(out, []byte("errorMessage")) {
		t.Fatalf("digest: %s %v", out, err)
	}
	return st.moto.SentEmails(t)[before:]
}

func (st *linksStack) status(t *testing.T, addr string) suppress.Status {
	t.Helper()
	s, err := st.store.Get(context.Background(), "weekly", addr)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func oneClickLinks(t *testing.T, sent []awstest.RawMessage) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, s := range sent {
		msg, err := netmail.ReadMessage(strings.NewReader(s.RawData))
		if err != nil {
			t.Fatal(err)
		}
		to, _ := netmail.ParseAddress(msg.Header.Get("To"))
		if msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || to == nil {
			t.Fatalf("To %q, List-Unsubscribe-Post %q", msg.Header.Get("To"), msg.Header.Get("List-Unsubscribe-Post"))
		}
		out[to.Address] = strings.Trim(msg.Header.Get("List-Unsubscribe"), "<>")
	}
	return out
}

// TestLinksFunctionUnsubscribes: the mailed one-click link, POSTed to the
// links function as a Function URL event, stores the suppression, and
// the digest function's next run leaves that reader out.
func TestLinksFunctionUnsubscribes(t *testing.T) {
	st := startLinksStack(t, true)
	sent := st.runDigest(t, "2026-11-09")
	linkOf := oneClickLinks(t, sent)
	if len(sent) != 2 || !strings.HasPrefix(linkOf["ana@example.com"], "https://abc123.lambda-url.eu-west-1.on.aws/u?t=") {
		t.Fatalf("%d mails, links %v", len(sent), linkOf)
	}

	// The confirmation page (a GET changes nothing: scanners follow links).
	page := st.request(t, http.MethodGet, linkOf["ana@example.com"], "")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "Unsubscribe from Weekly chat digest?") || !strings.Contains(page.Body, "<form") ||
		!strings.HasPrefix(page.Headers["Content-Type"], "text/html") {
		t.Fatalf("GET page: %d %v\n%s", page.StatusCode, page.Headers, page.Body)
	}
	if st.status(t, "ana@example.com").Suppressed {
		t.Fatal("a GET unsubscribed")
	}

	// RFC 8058 one-click.
	if r := st.request(t, http.MethodPost, linkOf["ana@example.com"], "List-Unsubscribe=One-Click"); r.StatusCode != 200 || !strings.Contains(r.Body, "You are unsubscribed") {
		t.Fatalf("one-click POST: %d\n%s", r.StatusCode, r.Body)
	}
	if !st.status(t, "ana@example.com").Suppressed {
		t.Fatal("no suppression stored")
	}
	next := st.runDigest(t, "2026-11-16")
	if len(next) != 1 || strings.Contains(next[0].RawData, "ana@example.com") {
		t.Fatalf("next run sent %d mails; want only ben's", len(next))
	}
}

// TestLinksFunctionRefusesBadTokens: tampered, expired and replayed links
// get a 4xx page and change nothing; an archive link redirects to a fresh
// pre-signed URL of the object.
func TestLinksFunctionRefusesBadTokens(t *testing.T) {
	st := startLinksStack(t, false)
	now := time.Now()
	sign := func(c linktoken.Claims) string {
		return "https://abc123.lambda-url.eu-west-1.on.aws" + map[string]string{"u": "/u", "a": "/a"}[c.Kind] + "?t=" + url.QueryEscape(st.signer.Sign(c))
	}
	unsub := func(issued, expires time.Time) string {
		return sign(linktoken.Claims{Kind: linktoken.Unsubscribe, Digest: "weekly", Recipient: "ben@example.com", IssuedAt: issued.Unix(), Expires: expires.Unix()})
	}

	// Tampered: the payload altered (another recipient), the signature kept.
	good := unsub(now, now.Add(time.Hour))
	u, _ := url.Parse(good)
	tok := u.Query().Get("t")
	payload, sig, _ := strings.Cut(tok, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	forged := base64.RawURLEncoding.EncodeToString(bytes.Replace(raw, []byte("ben@"), []byte("bob@"), 1))
	tampered := "https://abc123.lambda-url.eu-west-1.on.aws/u?t=" + url.QueryEscape(forged+"."+sig)
	if r := st.request(t, http.MethodPost, tampered, "List-Unsubscribe=One-Click"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("tampered token: %d", r.StatusCode)
	}
	if st.status(t, "bob@example.com").Suppressed || st.status(t, "ben@example.com").Suppressed {
		t.Error("a tampered token changed something")
	}

	// Expired.
	expired := unsub(now.Add(-48*time.Hour), now.Add(-time.Hour))
	if r := st.request(t, http.MethodPost, expired, "List-Unsubscribe=One-Click"); r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "expired") {
		t.Errorf("expired token: %d", r.StatusCode)
	}
	if st.status(t, "ben@example.com") != (suppress.Status{}) {
		t.Error("an expired token changed something")
	}

	// Replayed after a re-subscribe: an older mail's link must not undo it.
	old := unsub(now.Add(-time.Hour), now.Add(time.Hour))
	if r := st.request(t, http.MethodPost, old, "List-Unsubscribe=One-Click"); r.StatusCode != 200 {
		t.Fatalf("unsubscribe: %d", r.StatusCode)
	}
	resub := strings.Replace(old, "/u?", "/r?", 1)
	if r := st.request(t, http.MethodPost, resub, ""); r.StatusCode != 200 || !strings.Contains(r.Body, "subscribed again") {
		t.Fatalf("re-subscribe: %d %s", r.StatusCode, r.Body)
	}
	if r := st.request(t, http.MethodPost, old, "List-Unsubscribe=One-Click"); r.StatusCode != http.StatusGone {
		t.Errorf("replayed one-click after re-subscribe: %d, want 410", r.StatusCode)
	}
	if st.status(t, "ben@example.com").Suppressed {
		t.Error("a replayed link undid the re-subscribe")
	}

	// Archive: a redirect to a freshly signed URL that serves the object.
	a := sign(linktoken.Claims{Kind: linktoken.Archive, Object: "digests/weekly/2026-11-16.pdf", IssuedAt: now.Unix(), Expires: now.Add(7 * 24 * time.Hour).Unix()})
	r := st.request(t, http.MethodGet, a, "")
	loc := r.Headers["Location"]
	if r.StatusCode != http.StatusFound || !strings.Contains(loc, "X-Amz-Signature") {
		t.Fatalf("archive link: %d, Location %q", r.StatusCode, loc)
	}
	got, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	body, _ := io.ReadAll(got.Body)
	if got.StatusCode != 200 || string(body) != "%PDF-1.7 archived" {
		t.Errorf("redirect target: %d %q", got.StatusCode, body)
	}
}

// TestLinksFunctionRecoversFromAMissingSecret: the signing key's secret
// does not exist when the links function starts (a stack mid-deploy, a
// deleted and restored secret). Requests meanwhile get a 503 that asks
// to try again; once the secret exists, the next one-click POST on the
// same warm container works, with no restart.
func TestLinksFunctionRecoversFromAMissingSecret(t *testing.T) {
	ctx := context.Background()
	root, err := lambdalocal.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	moto := awstest.Fresh(t)
	cfg := moto.Config(t)
	if err := lambdalocal.Prepare(ctx, cfg, "reports@example.com", "reportmailer"); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(conf, []byte(linksDigestConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	st := &linksStack{moto: moto, cfg: cfg, store: suppress.DynamoDB{Client: dynamodb.NewFromConfig(cfg), Table: "reportmailer"}}
	st.signer, _ = linktoken.NewSigner([]byte(signingKey))
	st.links = startFunction(t, root, "links", conf, append(moto.Env(), "TABLE_NAME=reportmailer", "LINK_SECRET_ARN=link-key-later"))
	now := time.Now()
	link := "https://abc123.lambda-url.eu-west-1.on.aws/u?t=" + url.QueryEscape(st.signer.Sign(linktoken.Claims{Kind: linktoken.Unsubscribe,
		Digest: "weekly", Recipient: "ana@example.com", IssuedAt: now.Unix(), Expires: now.Add(time.Hour).Unix()}))

	if r := st.request(t, http.MethodPost, link, "List-Unsubscribe=One-Click"); r.StatusCode != http.StatusServiceUnavailable || r.Headers["Retry-After"] == "" {
		t.Fatalf("without the secret: %d %v, want 503 with Retry-After", r.StatusCode, r.Headers)
	}
	if _, err := secretsmanager.NewFromConfig(cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("link-key-later"),
		SecretString: aws.String(signingKey)}); err != nil {
		t.Fatal(err)
	}
	if r := st.request(t, http.MethodPost, link, "List-Unsubscribe=One-Click"); r.StatusCode != 200 || !strings.Contains(r.Body, "You are unsubscribed") {
		t.Fatalf("after the secret was created: %d\n%s", r.StatusCode, r.Body)
	}
	if !st.status(t, "ana@example.com").Suppressed {
		t.Error("no suppression stored")
	}
}
