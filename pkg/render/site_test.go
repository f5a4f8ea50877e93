package render_test

import (
	"testing"

	"reportmailer/internal/sitedigest"
	"reportmailer/pkg/render"
)

// siteDigest builds the fixture's weekly digest (every report, Mon 16 –
// Sun 22 Nov 2026, Europe/London) from a simulated site of the given
// size, so benchmarks and layout tests cover large contact centres.
// Digests are cached per size: fetching 2,000 agents takes seconds.
func siteDigest(tb testing.TB, agents int) *render.Digest {
	tb.Helper()
	return sitedigest.Weekly(tb, sitedigest.Options{Agents: agents, Zone: "Europe/London"})
}
