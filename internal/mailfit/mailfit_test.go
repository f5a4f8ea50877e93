package mailfit

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"reportmailer/internal/browsertest"
	"reportmailer/internal/testtool"
)

// phoneWidths are the narrowest phones the mails must fit.
var phoneWidths = []int{320, 375}

// TestMailsFitPhones renders the example's weekly digest, every copy of
// its audience digest (`demo --out` writes one per member) and the alert
// mails of a queue surge (`demo-alert`) with the CLI, and opens each in
// 320 and 375 px iframes, as a phone's mail app shows them: the document
// must be no wider than the viewport (wider means sideways scrolling or
// clipped text), and every chart must be shown at least phoneChartWidth
// CSS px wide at 375 px, which the chart text sizes are worked out for
// (render.TestMailChartTextOnPhones).
func TestMailsFitPhones(t *testing.T) {
	ctx := browsertest.Start(t)
	root := testtool.RepoRoot(t)
	dir := t.TempDir()
	cli := filepath.Join(dir, "reportmailer")
	testtool.Run(t, root, "go", "build", "-o", cli, "./cmd/reportmailer")
	out := filepath.Join(dir, "out")
	testtool.Run(t, root, cli, "demo", "--config", "reportmailer.example.yaml", "--digest", "weekly-managers", "--out", out)
	testtool.Run(t, root, cli, "demo", "--config", "reportmailer.example.yaml", "--digest", "weekly-teams", "--out", out)
	testtool.Run(t, root, cli, "demo-alert", "--config", "reportmailer.example.yaml", "--out", out)

	pages, _ := filepath.Glob(filepath.Join(out, "*.html")) // previews: the mail's HTML with its images inlined
	emls, _ := filepath.Glob(filepath.Join(out, "alert-*.eml"))
	for _, eml := range emls {
		page := strings.TrimSuffix(eml, ".eml") + ".html"
		if err := os.WriteFile(page, testtool.HTMLPart(t, eml), 0o644); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page)
	}
	var digests, copies, alerts int
	for _, p := range pages {
		switch b := filepath.Base(p); {
		case strings.HasPrefix(b, "alert-"):
			alerts++
		case strings.HasPrefix(b, "weekly-teams") && strings.Contains(b, ".department-"):
			copies++
		case strings.HasPrefix(b, "weekly-managers"):
			digests++
		}
	}
	if digests == 0 || copies < 2 || alerts == 0 {
		t.Fatalf("want the digest, the audience copies and the alerts; got %d, %d, %d in %v", digests, copies, alerts, pages)
	}

	// Same origin, so the wrapper can measure inside its iframes.
	srv := httptest.NewServer(http.FileServer(http.Dir(out)))
	defer srv.Close()
	for _, p := range pages {
		name := filepath.Base(p)
		var frames strings.Builder
		for _, w := range phoneWidths {
			fmt.Fprintf(&frames, `<iframe src="%s" style="width:%dpx;height:800px;border:0"></iframe>`, name, w)
		}
		wrap := "wrap-" + name
		if err := os.WriteFile(filepath.Join(out, wrap), []byte("<!DOCTYPE html><html><body>"+frames.String()+"</body></html>"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"+wrap)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll("iframe")].every(f => f.contentDocument && f.contentDocument.readyState === "complete")`)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]measure](measureJS))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, m := range got {
			if m.Content > m.Viewport {
				t.Errorf("%s is %d px wide in a %d px viewport (sideways scrolling); widest: %s", name, m.Content, m.Viewport, strings.Join(m.Widest, "; "))
			}
			if m.Viewport == 375 && !strings.HasPrefix(name, "alert-") {
				if m.Charts == 0 {
					t.Errorf("%s: no charts at %d px", name, m.Viewport)
				}
				if m.ChartMin < phoneChartWidth {
					t.Errorf("%s: a chart is shown %d px wide at %d px, want ≥ %d (its text is sized for that)", name, m.ChartMin, m.Viewport, phoneChartWidth)
				}
			}
		}
	}
}

// phoneChartWidth is render's phoneChartWidth (CSS px of a chart on a
// 375 px phone), which its test of the chart text sizes assumes.
const phoneChartWidth = 335

type measure struct {
	Viewport, Content int
	Charts, ChartMin  int
	Widest            []string
}

// measureJS measures each iframe: its document's width, the narrowest
// chart, and the elements reaching past the viewport (for the message).
const measureJS = `[...document.querySelectorAll("iframe")].map(f => {
  const d = f.contentDocument, vw = f.clientWidth;
  const imgs = [...d.querySelectorAll("img")].filter(i => i.src.startsWith("data:"));
  const wide = [...d.body.querySelectorAll("table, img, p, h1, h2")].filter(e => e.getBoundingClientRect().right > vw + 0.5)
    .filter(e => !e.querySelector("table, img, p") || ![...e.querySelectorAll("table, img, p")].some(c => c.getBoundingClientRect().right > vw + 0.5))
    .slice(0, 5).map(e => e.tagName + " " + Math.round(e.getBoundingClientRect().right) + "px: " + (e.textContent || e.alt || "").trim().replace(/\s+/g, " ").slice(0, 80));
  return {Viewport: vw, Content: d.documentElement.scrollWidth, Charts: imgs.length,
    ChartMin: imgs.length ? Math.round(Math.min(...imgs.map(i => i.getBoundingClientRect().width))) : 0, Widest: wide};
})`
