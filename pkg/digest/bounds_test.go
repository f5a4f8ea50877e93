package digest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"reportmailer/internal/testconfig"
	"reportmailer/pkg/config"
	"reportmailer/pkg/digest"
	"reportmailer/pkg/links"
	"reportmailer/pkg/linktoken"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/sendlog"
	"reportmailer/pkg/suppress"
)

// emptyFetcher answers every report with no rows.
type emptyFetcher struct{}

func (emptyFetcher) Fetch(_ context.Context, name reports.Name, q reports.Query) (reports.Result, error) {
	spec, _ := reports.Lookup(name)
	return reports.Result{Spec: spec, Query: q}, nil
}

// memArchive keeps archived objects' keys.
type memArchive struct {
	mu   sync.Mutex
	keys []string
}

func (a *memArchive) Put(_ context.Context, key, _ string, _ []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = append(a.keys, key)
	return nil
}

func (a *memArchive) Link(_ context.Context, key string, _ time.Duration) (string, error) {
	return "https://bucket.example/" + key, nil
}

func (a *memArchive) URI(key string) string { return "s3://bucket/" + key }

type presigner struct{}

func (presigner) Link(_ context.Context, key string, _ time.Duration) (string, error) {
	return "https://bucket.example/" + key, nil
}

// A digest id at config.MaxDigestIDLen, under the longest archive prefix
// validate accepts, with an audience: every unsubscribe link in its mail
// and every archive link to its objects works, every object key fits S3,
// and every file --out writes can be created. Above the bound validate
// refuses the id (TestValuesThatBreakLater), so nothing longer gets here.
func TestTheLongestDigestIDKeepsLinksAndFileNamesWorking(t *testing.T) {
	t.Parallel()
	cfg := testconfig.Example(t)
	var d *config.Digest
	for i := range cfg.Digests {
		if cfg.Digests[i].ID == "weekly-teams" {
			d = &cfg.Digests[i]
		}
	}
	d.ID = strings.Repeat("w", config.MaxDigestIDLen)
	d.Title = strings.Repeat("<", 200) // escaped six-fold in a token's JSON, capped at 80
	cfg.Mail.ArchivePrefix = "digests/" + strings.Repeat("p", 119) + "/"
	if ps := cfg.Validate(); ps != nil {
		t.Fatalf("the config at the bounds does not validate: %v", ps)
	}
	signer, err := linktoken.NewSigner([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	issuer := links.Issuer{Signer: signer, Base: "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/"}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	store := &suppress.Memory{}
	linkServer := &links.Server{Signer: signer, Store: store, Archive: presigner{}, Now: func() time.Time { return now }}
	arch := &memArchive{}
	sender := &mail.Memory{}
	res, err := digest.Run(context.Background(), cfg, digest.Deps{Reports: emptyFetcher{}, Sender: sender, SendLog: &sendlog.Memory{}, Archive: arch,
		Suppress: store, Links: issuer, Now: func() time.Time { return now }},
		digest.Request{DigestID: d.ID, PeriodStart: "2026-11-16", Send: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, ext := range []string{"pdf", "html", "txt", "csv", "eml"} {
		if err := os.WriteFile(filepath.Join(dir, res.BaseName+"."+ext), nil, 0o644); err != nil {
			t.Errorf("--out cannot write %s.%s: %v", res.BaseName, ext, err)
		}
	}
	if len(arch.keys) == 0 {
		t.Fatal("nothing archived")
	}
	for _, key := range arch.keys {
		if len(key) > 1024 {
			t.Errorf("archive key of %d bytes (S3 takes 1,024)", len(key))
		}
		link := issuer.Archive(key, digest.ArchiveLinkTTL, now)
		if rec := get(t, linkServer, "GET", link); rec.Code/100 != 3 {
			t.Errorf("archive link (%d bytes) for %s: status %d", len(link), key, rec.Code)
		}
	}
	msgs := sender.Messages()
	if len(msgs) == 0 {
		t.Fatal("no mail")
	}
	// The longest address an SMTP path takes, beside the longest id.
	longest := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".example"
	unsubs := []string{issuer.Unsubscribe(d.ID, d.Title, longest[:254], now)}
	for _, m := range msgs {
		raw := string(m.Raw)
		i := strings.Index(raw, "List-Unsubscribe: <")
		if i < 0 {
			t.Fatal("a message has no List-Unsubscribe")
		}
		u := raw[i+len("List-Unsubscribe: <"):]
		unsubs = append(unsubs, u[:strings.IndexByte(u, '>')])
	}
	for _, u := range unsubs {
		if rec := get(t, linkServer, "POST", u); rec.Code != http.StatusOK {
			t.Errorf("one-click unsubscribe (%d-byte link): status %d", len(u), rec.Code)
		}
	}
}

func get(t *testing.T, h http.Handler, method, link string) *httptest.ResponseRecorder {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	body := ""
	if method == "POST" {
		body = "List-Unsubscribe=One-Click"
	}
	req := httptest.NewRequest(method, u.RequestURI(), strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
