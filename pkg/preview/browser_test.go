package preview

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"reportmailer/internal/browsertest"
)

var screenshot = flag.String("screenshot", "", "write a desktop screenshot of the preview page here (the README's docs/preview.png)")

// browser starts one headless Chromium for the whole test, on loopback.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browsertest.Start(t, chromedp.Flag("hide-scrollbars", true), chromedp.WindowSize(1280, 860))
}

// waitFor evaluates a JavaScript condition until it is true or the time is
// up, and returns how long it took. Evaluation errors count as false: the
// page may be between two loads.
func waitFor(t *testing.T, ctx context.Context, within time.Duration, what, js string) time.Duration {
	t.Helper()
	started := time.Now()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ectx, cancel := context.WithTimeout(ctx, within)
		ok, err := chromedp.Run(ectx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return time.Since(started)
		}
		if time.Since(started) > within {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: not within %s (last error: %v); the page shows:\n%.2000s", what, within, err, html)
		}
		<-tick.C
	}
}

// mailTitle is the JavaScript for "both mail frames show this title".
func mailTitle(title string) string {
	return fmt.Sprintf(`(function () {
  var want = %q;
  var h = document.getElementById("title");
  if (!h || h.textContent !== want) return false;
  return ["desktop", "phone"].every(function (id) {
    var f = document.getElementById(id), d = f && f.contentDocument, h1 = d && d.querySelector("h1");
    return !!h1 && h1.textContent === want;
  });
})()`, title)
}

// TestBrowserLiveReload drives the preview in headless Chromium: the
// index, a digest, a title edit on disk that must show within 2 s, and a
// broken config whose problem must show instead of the digest.
func TestBrowserLiveReload(t *testing.T) {
	ctx := browser(t)
	path := copyConfig(t)
	s, web := newServer(t, path, nil)
	s.Reload(context.Background())
	wctx, stop := context.WithCancel(context.Background())
	defer stop()
	if err := s.Watch(wctx); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(web.URL+"/"), chromedp.WaitVisible(chromedp.ID("digests"))); err != nil {
		t.Fatal(err)
	}
	index, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("digests")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"weekly-managers", "daily-sales", "monthly-board", "Mon 30 Nov 2026 08:00 GMT"} {
		if !strings.Contains(index, want) {
			t.Errorf("index lacks %q:\n%s", want, index)
		}
	}

	clicked := time.Now()
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#digests a[href="/d/weekly-managers"]`)),
		chromedp.WaitVisible(chromedp.ID("title")),
	); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 30*time.Second, "the digest and its mail frames", mailTitle("Weekly chat digest"))
	waitFor(t, ctx, 10*time.Second, "the live-reload connection", `document.getElementById("live").textContent === "● live"`)
	t.Logf("digest page with both mail frames loaded %s after the click", time.Since(clicked).Round(time.Millisecond))

	if *screenshot != "" {
		waitFor(t, ctx, 10*time.Second, "the mail's images", `Array.from(document.getElementById("desktop").contentDocument.images).every(function (i) { return i.complete && i.naturalWidth > 0; })`)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*screenshot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	editConfig(t, path, "title: Weekly chat digest", "title: Weekly chat digest (edited)")
	took := waitFor(t, ctx, slowdown*2*time.Second, "the new title", mailTitle("Weekly chat digest (edited)"))
	render, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("took")))
	t.Logf("the edited title showed in the page and both mail frames %s after the save (the re-render took %s of it)", took.Round(time.Millisecond), render)

	editConfig(t, path, "period: week ", "period: fortnight ")
	waitFor(t, ctx, slowdown*2*time.Second, "the config problem", `(function () {
  var p = document.getElementById("problems");
  return !!p && p.textContent.indexOf('digests[0].period: "fortnight": want day, week or month') >= 0 && !document.getElementById("desktop");
})()`)
}
