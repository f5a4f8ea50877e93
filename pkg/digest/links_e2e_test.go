package digest_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"reportmailer/internal/awstest"
	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/appenv/digestdeps"
	"reportmailer/pkg/archive"
	"reportmailer/pkg/digest"
	"reportmailer/pkg/links"
	"reportmailer/pkg/linktoken"
)

const linkKey = "0123456789abcdef0123456789abcdef-test-key"

// linksEnv is a digest app on moto and the simulator with signed links,
// and the links server the stack would run beside it.
type linksEnv struct {
	moto   *awstest.Moto
	sim    *comm100sim.Server
	app    *appenv.App
	signer *linktoken.Signer
	server *links.Server
}

// setupLinks is setup with a configuration of the test's own and the
// links environment the stack gives the digest function.
func setupLinks(t *testing.T, conf string) *linksEnv {
	t.Helper()
	ctx := context.Background()
	moto, _ := freshAWS(t)
	sim, app, getenv := loadApp(t, moto, conf, map[string]string{"COMM100_EMAIL": "demo@example.com", "COMM100_API_KEY": "demo-key",
		"LINKS_BASE_URL": "https://links.example.test/", "LINK_SIGNING_KEY": linkKey})
	// The links function, built as functions/links builds it.
	l, err := appenv.LoadLinks(ctx, appenv.Options{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := linktoken.NewSigner([]byte(linkKey))
	return &linksEnv{moto: moto, sim: sim, app: app, signer: signer,
		server: &links.Server{Signer: l.Signer, Store: l.Store, Archive: l.Archive}}
}

func (e *linksEnv) invoke(t *testing.T, event string) *digest.Response {
	t.Helper()
	resp, err := digest.Handler(e.app.Config, digestdeps.New(e.app))(context.Background(), json.RawMessage(event))
	if err != nil {
		t.Fatalf("%s: %v", event, err)
	}
	return resp
}

// unsubscribeLink checks a message's List-Unsubscribe headers and returns
// the link with its claims.
func (e *linksEnv) unsubscribeLink(t *testing.T, h netmail.Header) (string, linktoken.Claims) {
	t.Helper()
	raw := h.Get("List-Unsubscribe")
	if h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(raw, "<https://links.example.test/u?t=") || !strings.HasSuffix(raw, ">") {
		t.Fatalf("List-Unsubscribe %q, List-Unsubscribe-Post %q", raw, h.Get("List-Unsubscribe-Post"))
	}
	link := strings.Trim(raw, "<>")
	u, _ := url.Parse(link)
	c, err := e.signer.Verify(u.Query().Get("t"), time.Now())
	if err != nil {
		t.Fatalf("token in %s: %v", link, err)
	}
	return link, c
}

// do sends a request to the links server the way the Function URL would.
func (e *linksEnv) do(t *testing.T, method, link, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, link, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	e.server.ServeHTTP(rec, req)
	return rec
}

const personalConfig = `
comm100: {siteID: "10000", maxAttempts: 2}
mail: {from: "Chat reports <reports@example.com>"}
digests:
  - id: weekly
    title: Weekly chat digest
    period: week
    timezone: Europe/London
    to: ["Managers <managers@example.com>"]
    cc: ["lead@example.com"]
    bcc: ["audit@example.com", "MANAGERS@example.com"]
    formats: [html, csv]
    reports:
      - {report: chatVolume, group: day}
`

// TestPersonalUnsubscribe: one message per reader, each with its own
// one-click link; a POST to it suppresses that reader, the next run skips
// them, and a digest whose every reader left sends nothing.
func TestPersonalUnsubscribe(t *testing.T) {
	e := setupLinks(t, personalConfig)
	resp := e.invoke(t, `{"digest":"weekly","periodStart":"2026-11-09"}`)
	if len(resp.Messages) != 3 {
		t.Fatalf("%d messages, want one per distinct address (3): %+v", len(resp.Messages), resp.Messages)
	}
	sent := e.moto.SentEmails(t)
	if len(sent) != 3 {
		t.Fatalf("%d emails sent, want 3", len(sent))
	}
	linkOf := map[string]string{}
	for _, s := range sent {
		m := parse(t, s.RawData)
		to, err := netmail.ParseAddressList(m.header.Get("To"))
		if err != nil || len(to) != 1 || m.header.Get("Cc") != "" {
			t.Fatalf("To %q Cc %q: want the reader alone", m.header.Get("To"), m.header.Get("Cc"))
		}
		link, c := e.unsubscribeLink(t, m.header)
		if c.Recipient != strings.ToLower(to[0].Address) || c.Digest != "weekly" || c.Title != "Weekly chat digest" {
			t.Errorf("token for %s: %+v", to[0].Address, c)
		}
		linkOf[c.Recipient] = link
	}
	if len(linkOf) != 3 || linkOf["lead@example.com"] == "" {
		t.Fatalf("links for %v", linkOf)
	}
	// A retry of the run sends nothing more: each reader has a key.
	if resp := e.invoke(t, `{"digest":"weekly","periodStart":"2026-11-09"}`); !resp.AlreadySent {
		t.Errorf("second run: %+v", resp)
	}

	// The lead clicks Gmail's unsubscribe: RFC 8058's POST, no cookies.
	if rec := e.do(t, http.MethodPost, linkOf["lead@example.com"], "List-Unsubscribe=One-Click"); rec.Code != http.StatusOK {
		t.Fatalf("one-click POST: %d %s", rec.Code, rec.Body)
	}
	resp = e.invoke(t, `{"digest":"weekly","periodStart":"2026-11-16"}`)
	if len(resp.Messages) != 2 || resp.Suppressed != 1 {
		t.Fatalf("after the unsubscribe: %d messages, %d suppressed; want 2 and 1", len(resp.Messages), resp.Suppressed)
	}
	for _, s := range e.moto.SentEmails(t)[3:] {
		if strings.Contains(strings.ToLower(s.RawData), "lead@example.com") {
			t.Error("the unsubscribed reader still got the digest")
		}
	}

	// Everyone leaves: the next period sends nothing, and says so without failing.
	for _, r := range []string{"managers@example.com", "audit@example.com"} {
		if rec := e.do(t, http.MethodPost, linkOf[r], "List-Unsubscribe=One-Click"); rec.Code != http.StatusOK {
			t.Fatalf("one-click POST for %s: %d", r, rec.Code)
		}
	}
	resp = e.invoke(t, `{"digest":"weekly","periodStart":"2026-11-02"}`)
	if len(resp.Messages) != 0 || len(e.moto.SentEmails(t)) != 5 {
		t.Errorf("every reader unsubscribed: %+v, %d emails in all", resp, len(e.moto.SentEmails(t)))
	}
}

const archiveConfig = `
comm100: {siteID: "10000", maxAttempts: 2}
mail: {from: "Chat reports <reports@example.com>", archiveBucket: archive, maxMessageBytes: 20000}
digests:
  - id: weekly
    title: Weekly chat digest
    period: week
    timezone: Europe/London
    to: ["managers@example.com"]
    formats: [pdf]
    reports:
      - {report: chatVolume, group: day}
      - {report: rating, group: agent}
`

// TestArchiveLinkOutlivesCredentials: an oversize PDF is linked through
// /a?t=…, good for the lifetime the mail states; a click re-signs with the
// credentials the links function has then, so rotating the credentials
// that were current when the mail went out breaks nothing.
func TestArchiveLinkOutlivesCredentials(t *testing.T) {
	e := setupLinks(t, archiveConfig)
	e.invoke(t, `{"digest":"weekly","periodStart":"2026-11-16"}`)
	sent := e.moto.SentEmails(t)
	if len(sent) != 1 {
		t.Fatalf("%d emails", len(sent))
	}
	m := parse(t, sent[0].RawData)
	if m.pdf != nil {
		t.Fatal("PDF attached though over the limit")
	}
	i := strings.Index(m.text, "https://links.example.test/a?t=")
	if i < 0 || !strings.Contains(m.text, "link valid 7 days") {
		t.Fatalf("no archive link with its lifetime in the mail:\n%s", m.text)
	}
	link := strings.Fields(m.text[i:])[0]
	u, _ := url.Parse(link)
	c, err := e.signer.Verify(u.Query().Get("t"), time.Now())
	if err != nil || c.Object != "digests/weekly/2026-11-16_2026-11-22.pdf" || time.Unix(c.Expires, 0).Sub(time.Unix(c.IssuedAt, 0)) != digest.ArchiveLinkTTL {
		t.Fatalf("archive token %+v %v", c, err)
	}
	if strings.Contains(link, "X-Amz") {
		t.Error("the mail carries a pre-signed URL; it dies with the credentials that signed it")
	}

	// The credentials rotate: the links function now runs with others.
	rotated, err := e.moto.AWSConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rotated.Credentials = credentials.NewStaticCredentialsProvider("AKIAROTATED000000001", "rotated-secret", "session-2")
	e.server.Archive = archive.S3{Client: s3.NewFromConfig(rotated, func(o *s3.Options) { o.UsePathStyle = true }), Bucket: "archive"}

	// A week later, just before the stated lifetime ends.
	e.server.Now = func() time.Time { return time.Unix(c.Expires, 0).Add(-time.Minute) }
	rec := e.do(t, http.MethodGet, link, "")
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusFound || !strings.Contains(loc, "AKIAROTATED000000001") {
		t.Fatalf("click: %d, Location %q", rec.Code, loc)
	}
	got, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	pdf, _ := io.ReadAll(got.Body)
	if got.StatusCode != http.StatusOK || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("redirect target: %d, %.20q", got.StatusCode, pdf)
	}
	// After the stated lifetime, the link says so and redirects nowhere.
	e.server.Now = func() time.Time { return time.Unix(c.Expires, 0) }
	if rec := e.do(t, http.MethodGet, link, ""); rec.Code != http.StatusGone || rec.Header().Get("Location") != "" {
		t.Errorf("expired archive link: %d", rec.Code)
	}
}

// TestFooterUnsubscribeIsTheHeaderLink: every reader's mail shows, in its
// footer (HTML and text), a visible unsubscribe link that is exactly its
// List-Unsubscribe URL, and why the reader gets it (digest and schedule).
func TestFooterUnsubscribeIsTheHeaderLink(t *testing.T) {
	e := setupLinks(t, personalConfig)
	e.invoke(t, `{"digest":"weekly","periodStart":"2026-11-09"}`)
	sent := e.moto.SentEmails(t)
	if len(sent) != 3 {
		t.Fatalf("%d emails sent, want 3", len(sent))
	}
	const why = "You get Weekly chat digest (weekly) every Monday at 08:00 Europe/London."
	seen := map[string]bool{}
	for _, s := range sent {
		m := parse(t, s.RawData)
		link, _ := e.unsubscribeLink(t, m.header)
		seen[link] = true
		footer := m.html[strings.LastIndex(m.html, "border-top"):]
		if want := `<a href="` + html.EscapeString(link) + `"`; !strings.Contains(footer, want) || !strings.Contains(footer, ">Unsubscribe</a>") {
			t.Errorf("%s: the HTML footer has no visible link to %s:\n%s", m.header.Get("To"), link, footer)
		}
		if !strings.Contains(footer, why) || !strings.Contains(m.text, why) {
			t.Errorf("%s: footer does not say %q", m.header.Get("To"), why)
		}
		if !strings.Contains(m.text, "Unsubscribe: "+link) {
			t.Errorf("%s: the text part has no line %q", m.header.Get("To"), "Unsubscribe: "+link)
		}
		if strings.Contains(m.html+m.text, "reportmailer.invalid") {
			t.Errorf("%s: the placeholder link was left in", m.header.Get("To"))
		}
	}
	if len(seen) != 3 {
		t.Errorf("%d distinct links for 3 readers", len(seen))
	}
}
