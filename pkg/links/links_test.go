package links

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"reportmailer/pkg/linktoken"
	"reportmailer/pkg/suppress"
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

type fakePresigner struct{ calls int }

func (p *fakePresigner) Link(_ context.Context, key string, ttl time.Duration) (string, error) {
	p.calls++
	return "https://bucket.s3.example/" + key + "?X-Amz-Expires=" + ttl.String(), nil
}

func setup(t *testing.T) (*Server, Issuer, *clock, *suppress.Memory) {
	t.Helper()
	signer, err := linktoken.NewSigner([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	store := &suppress.Memory{}
	srv := &Server{Signer: signer, Store: store, Archive: &fakePresigner{}, Titles: map[string]string{"weekly": "Weekly <b>chat</b> digest"}, Now: c.Now}
	return srv, Issuer{Signer: signer, Base: "https://links.example/"}, c, store
}

func do(t *testing.T, h http.Handler, method, link, body string) *httptest.ResponseRecorder {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, u.RequestURI(), strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func suppressed(t *testing.T, s *suppress.Memory) string {
	t.Helper()
	m, err := s.Suppressed(context.Background(), "weekly")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return strings.Join(out, ",")
}

func TestOneClickUnsubscribeAndResubscribe(t *testing.T) {
	srv, iss, clk, store := setup(t)
	link := iss.Unsubscribe("weekly", "", "Ana@Example.com", clk.t)
	if !strings.HasPrefix(link, "https://links.example/u?t=") {
		t.Fatalf("link %s", link)
	}
	// A GET (a mail scanner following links, or a person) changes nothing.
	rec := do(t, srv, "GET", link, "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Unsubscribe from Weekly &lt;b&gt;chat&lt;/b&gt; digest?") {
		t.Fatalf("GET: %d %s", rec.Code, rec.Body)
	}
	if got := suppressed(t, store); got != "" {
		t.Fatalf("GET suppressed %s", got)
	}
	// RFC 8058 one-click POST.
	clk.t = clk.t.Add(time.Hour)
	rec = do(t, srv, "POST", link, "List-Unsubscribe=One-Click")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "You are unsubscribed") {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	if got := suppressed(t, store); got != "ana@example.com" {
		t.Fatalf("suppressed %q, want ana@example.com", got)
	}
	// The page now offers to subscribe again.
	if rec := do(t, srv, "GET", link, ""); !strings.Contains(rec.Body.String(), "Subscribe again") {
		t.Fatalf("GET after unsubscribe: %s", rec.Body)
	}
	clk.t = clk.t.Add(time.Hour)
	resub := strings.Replace(link, "/u?", "/r?", 1)
	if rec := do(t, srv, "POST", resub, ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), "subscribed again") {
		t.Fatalf("resubscribe: %d %s", rec.Code, rec.Body)
	}
	if got := suppressed(t, store); got != "" {
		t.Fatalf("still suppressed after resubscribe: %s", got)
	}
	// Replaying the old mail's one-click link must not undo the re-subscribe.
	clk.t = clk.t.Add(time.Hour)
	if rec := do(t, srv, "POST", link, "List-Unsubscribe=One-Click"); rec.Code != http.StatusGone {
		t.Fatalf("replayed old link: %d, want 410", rec.Code)
	}
	if got := suppressed(t, store); got != "" {
		t.Fatalf("replayed old link suppressed %s", got)
	}
	// A link from a newer mail works.
	if rec := do(t, srv, "POST", iss.Unsubscribe("weekly", "", "ana@example.com", clk.t), "List-Unsubscribe=One-Click"); rec.Code != 200 {
		t.Fatalf("newer link: %d", rec.Code)
	}
	if got := suppressed(t, store); got != "ana@example.com" {
		t.Fatalf("newer link did not suppress: %q", got)
	}
}

func TestBadTokensChangeNothing(t *testing.T) {
	srv, iss, clk, store := setup(t)
	link := iss.Unsubscribe("weekly", "", "ana@example.com", clk.t)
	tok, _ := url.QueryUnescape(strings.SplitN(link, "t=", 2)[1])
	payload, sig, _ := strings.Cut(tok, ".")
	other, _ := linktoken.NewSigner([]byte(strings.Repeat("x", 32)))
	forged := Issuer{Signer: other, Base: "https://links.example"}.Unsubscribe("weekly", "", "ana@example.com", clk.t)
	cases := []struct {
		name, link string
		at         time.Time
		want       int
	}{
		{"forged with another key", forged, clk.t, 400},
		{"altered payload", "https://links.example/u?t=" + url.QueryEscape(payload[:len(payload)-2]+"xx."+sig), clk.t, 400},
		{"no token", "https://links.example/u", clk.t, 400},
		{"archive token used to unsubscribe", strings.Replace(iss.Archive("k.pdf", time.Hour, clk.t), "/a?", "/u?", 1), clk.t, 400},
		{"expired", link, clk.t.Add(UnsubscribeTTL + time.Second), 410},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk.t = tc.at
			for _, method := range []string{"GET", "POST"} {
				if rec := do(t, srv, method, tc.link, "List-Unsubscribe=One-Click"); rec.Code != tc.want {
					t.Errorf("%s: %d, want %d", method, rec.Code, tc.want)
				}
			}
			if got := suppressed(t, store); got != "" {
				t.Errorf("suppressed %s", got)
			}
		})
	}
}

func TestArchiveLinkRedirectsToAFreshURL(t *testing.T) {
	srv, iss, clk, _ := setup(t)
	link := iss.Archive("digests/weekly/2026-11-23.pdf", 30*24*time.Hour, clk.t)
	clk.t = clk.t.Add(29 * 24 * time.Hour) // long after any session credentials expired
	rec := do(t, srv, "GET", link, "")
	if rec.Code != http.StatusFound || !strings.HasPrefix(rec.Header().Get("Location"), "https://bucket.s3.example/digests/weekly/2026-11-23.pdf?X-Amz-Expires=15m0s") {
		t.Fatalf("archive: %d %v", rec.Code, rec.Header())
	}
	clk.t = clk.t.Add(2 * 24 * time.Hour)
	if rec := do(t, srv, "GET", link, ""); rec.Code != http.StatusGone {
		t.Fatalf("expired archive link: %d, want 410", rec.Code)
	}
}

func TestFunctionURLAdapter(t *testing.T) {
	srv, iss, clk, store := setup(t)
	link, _ := url.Parse(iss.Unsubscribe("weekly", "", "ana@example.com", clk.t))
	h := FunctionURL(srv)
	ev := events.LambdaFunctionURLRequest{RawPath: link.Path, RawQueryString: link.RawQuery, Body: "TGlzdC1VbnN1YnNjcmliZT1PbmUtQ2xpY2s=", IsBase64Encoded: true,
		Headers:        map[string]string{"content-type": "application/x-www-form-urlencoded"},
		RequestContext: events.LambdaFunctionURLRequestContext{DomainName: "abc.lambda-url.eu-west-1.on.aws", HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST"}}}
	resp, err := h(context.Background(), ev)
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Headers["Content-Type"], "text/html") {
		t.Fatalf("%v %d %v", err, resp.StatusCode, resp.Headers)
	}
	if got := suppressed(t, store); got != "ana@example.com" {
		t.Fatalf("suppressed %q", got)
	}
	resp, _ = h(context.Background(), events.LambdaFunctionURLRequest{RawPath: "/nope", RequestContext: ev.RequestContext})
	if resp.StatusCode != 404 {
		t.Fatalf("unknown path: %d", resp.StatusCode)
	}
}

// A digest title of any length (validate does not bound it) still makes a
// working one-click link: the token carries a capped title.
func TestLongTitleStillUnsubscribes(t *testing.T) {
	srv, iss, clk, store := setup(t)
	link := iss.Unsubscribe("weekly", strings.Repeat("週報", 800), "ana@example.com", clk.t)
	if len(link) > 1024 {
		t.Errorf("link is %d bytes", len(link))
	}
	if rec := do(t, srv, "POST", link, "List-Unsubscribe=One-Click"); rec.Code != 200 {
		t.Fatalf("POST: %d", rec.Code)
	}
	if got := suppressed(t, store); got != "ana@example.com" {
		t.Fatalf("suppressed %q", got)
	}
}
