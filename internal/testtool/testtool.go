// Package testtool finds the external programs tests run (pdftotext,
// Chromium, node, cfn-lint …). There is one rule: a missing tool fails the
// test with the command that installs it, on a laptop as in CI, because a
// skipped test would pass a run that checked nothing. `make tools`
// (scripts/ensure-tools.sh) installs every one of them.
package testtool

import (
	"os/exec"
	"testing"
)

// Need returns the path of the first of names found on PATH, or fails the
// test saying to run `make tools` or install.
func Need(t testing.TB, install string, names ...string) string {
	t.Helper()
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("%s not found: run `make tools` (or: %s)", names[0], install)
	return ""
}

// Poppler is how to install pdftotext, pdftoppm and pdfinfo.
const Poppler = "apt-get install -y poppler-utils"
