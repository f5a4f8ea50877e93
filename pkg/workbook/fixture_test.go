package workbook_test

import (
	"testing"

	"reportmailer/internal/sitedigest"
	"reportmailer/pkg/render"
)

// siteDigest is a weekly digest (Mon 16 – Sun 22 Nov 2026 with the week
// before) of a simulated site with this many agents, plus a section that
// could not be fetched. New York, five hours behind UTC: the API's
// wall-clock times must be read back in the query's offset to land on the
// right local hour.
func siteDigest(tb testing.TB, agents int) *render.Digest {
	tb.Helper()
	return sitedigest.Weekly(tb, sitedigest.Options{Agents: agents, Zone: "America/New_York", Currency: "EUR"})
}
