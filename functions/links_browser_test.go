package functions_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/chromedp/chromedp"

	"reportmailer/internal/browsertest"
	"reportmailer/pkg/linktoken"
)

// functionURL serves HTTP the way a Lambda Function URL does: each request
// becomes a payload-2.0 event for the function under the emulator, and
// its response is written back.
func (st *linksStack) functionURL(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev := events.LambdaFunctionURLRequest{Version: "2.0", RawPath: r.URL.Path, RawQueryString: r.URL.RawQuery, Headers: map[string]string{},
			RequestContext: events.LambdaFunctionURLRequestContext{DomainName: r.Host,
				HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: r.Method, Path: r.URL.Path}}}
		for k := range r.Header {
			ev.Headers[strings.ToLower(k)] = r.Header.Get(k)
		}
		if len(body) > 0 {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
		payload, _ := json.Marshal(ev)
		out, _, err := st.links.Invoke(r.Context(), payload)
		var resp events.LambdaFunctionURLResponse
		if err == nil {
			err = json.Unmarshal(out, &resp)
		}
		if err != nil || resp.StatusCode == 0 {
			http.Error(w, "function failed", http.StatusBadGateway)
			return
		}
		for k, v := range resp.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.WriteString(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// waitHeading waits until the page's heading reads want. Evaluation
// errors count as "not yet": after a click the page is between two loads.
func waitHeading(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	js := `(function(){var h=document.getElementById("heading");return !!h && h.textContent===` + jsString(want) + `})()`
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ectx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(ectx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			t.Fatalf("heading never became %q (last error: %v); the page shows:\n%s", want, err, got)
		}
		<-tick.C
	}
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestLinksPageInBrowser clicks through the links function's page in
// headless Chromium: the confirmation page, Unsubscribe (stored), then
// Subscribe again (stored), each page served by the real binary.
func TestLinksPageInBrowser(t *testing.T) {
	ctx := browsertest.Start(t)
	st := startLinksStack(t, false)
	web := st.functionURL(t)
	now := time.Now()
	tok := st.signer.Sign(linktoken.Claims{Kind: linktoken.Unsubscribe, Digest: "weekly", Title: "Weekly chat digest", Recipient: "ben@example.com",
		IssuedAt: now.Add(-time.Minute).Unix(), Expires: now.Add(time.Hour).Unix()})

	if err := chromedp.Do(ctx, chromedp.Navigate(web.URL+"/u?t="+url.QueryEscape(tok))); err != nil {
		t.Fatal(err)
	}
	waitHeading(t, ctx, "Unsubscribe from Weekly chat digest?")
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("who")))
	if err != nil || who != "ben@example.com" {
		t.Errorf("page names %q (%v)", who, err)
	}
	if st.status(t, "ben@example.com").Suppressed {
		t.Fatal("opening the page unsubscribed")
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("action"))); err != nil {
		t.Fatal(err)
	}
	waitHeading(t, ctx, "You are unsubscribed")
	if !st.status(t, "ben@example.com").Suppressed {
		t.Fatal("the Unsubscribe button stored nothing")
	}
	button, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("action")))
	if button != "Subscribe again" {
		t.Errorf("button %q after unsubscribing", button)
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("action"))); err != nil {
		t.Fatal(err)
	}
	waitHeading(t, ctx, "You are subscribed again")
	if s := st.status(t, "ben@example.com"); s.Suppressed || s.Since.IsZero() {
		t.Errorf("after re-subscribing: %+v", s)
	}
}
