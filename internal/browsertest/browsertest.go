// Package browsertest starts one headless Chromium for a test, the way a
// person's browser would show a page: the preview and the unsubscribe page
// are tested in it, not only by matching strings.
package browsertest

import (
	"context"
	"os"
	"testing"

	"reportmailer/internal/testtool"

	"github.com/chromedp/chromedp"
)

// Install is what to run when Chromium is missing.
const Install = "bash scripts/ensure-chromium.sh   (or: apt-get update && apt-get install -y chromium)"

// Path finds Chromium; a missing browser fails the test with the command
// that installs it (testtool's one rule).
func Path(t testing.TB) string {
	t.Helper()
	return testtool.Need(t, Install, "chromium", "chromium-browser", "google-chrome")
}

// Start starts one headless Chromium for the test (over a pipe: no
// debugging port is opened) and stops it when the test ends.
func Start(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(Path(t)), chromedp.Headless)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}
