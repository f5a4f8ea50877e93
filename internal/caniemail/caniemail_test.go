package caniemail

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"reportmailer/internal/testtool"
)

// allowed are the features the caniemail data lists as unsupported by one
// of the clients checked (Gmail, Outlook, Apple Mail, Yahoo) that the mails
// keep on purpose, each because the layout degrades harmlessly without it.
// Anything else unsupported fails the test: remove it from the template.
var allowed = map[string]string{
	"<body> element": "every HTML document has one; the clients that drop it replace it with a <div>, and the layout lives in tables",
	"role attribute": `role="presentation" tells screen readers the layout tables are not data; a client that strips it loses nothing visible`,
	"border-radius":  "rounded corners are decoration; Outlook on Windows shows square ones",
	"@media":         "the narrow-screen rules (stacked KPI tiles, tighter tables, wrapping URLs) and the dark-mode colours; without them a client shows the 640 px desktop layout in light colours, which still reads",
	"Local anchors":  `the "What changed" lines link to their sections; where a client cannot jump, the line is still read as plain text`,
	// The hidden preheader (the line inboxes show after the subject) is
	// hidden by several properties at once so that each client hides it
	// with whichever it supports.
	"display:none": "one of the preheader's overlapping hiding properties",
	"opacity":      "one of the preheader's overlapping hiding properties",
	"overflow":     "one of the preheader's overlapping hiding properties",
}

// raceEnabled is set when the test is built with -race (race_test.go).
var raceEnabled bool

// notSupported is how doiuse-email words an unsupported feature.
var notSupported = regexp.MustCompile("^`(.+)` is not supported by `(.+)`$")

// TestMailHTMLUsesSupportedCSS renders the example weekly digest and the
// alert mails of a queue surge with the CLI (`demo`, `demo-alert`), takes
// the text/html part of each .eml, and checks it against the caniemail data.
func TestMailHTMLUsesSupportedCSS(t *testing.T) {
	root := testtool.RepoRoot(t)
	tool := filepath.Join(root, "tools", "caniemail")
	testtool.Need(t, "sudo apt-get install -y nodejs npm", "node")
	if _, err := os.Stat(filepath.Join(tool, "node_modules", "@jsx-email", "doiuse-email")); err != nil {
		t.Fatal("the caniemail data is not installed: run `make tools` (or: npm ci --prefix tools/caniemail)")
	}
	dir := t.TempDir()
	cli := filepath.Join(dir, "reportmailer")
	build := []string{"build", "-o", cli}
	if raceEnabled {
		build = append(build, "-race")
	}
	testtool.Run(t, root, "go", append(build, "./cmd/reportmailer")...)
	out := filepath.Join(dir, "out")
	testtool.Run(t, root, cli, "demo", "--config", "reportmailer.example.yaml", "--digest", "weekly-managers", "--out", out)
	testtool.Run(t, root, cli, "demo-alert", "--config", "reportmailer.example.yaml", "--out", out)

	emls, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	var pages []string
	for _, eml := range emls {
		html := testtool.HTMLPart(t, eml)
		page := strings.TrimSuffix(eml, ".eml") + ".mail.html"
		if err := os.WriteFile(page, html, 0o644); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page)
	}
	if len(pages) < 2 || !slices.ContainsFunc(pages, func(p string) bool { return strings.Contains(filepath.Base(p), "alert") }) {
		t.Fatalf("want the digest and at least one alert mail, got %v", emls)
	}

	seen := map[string]bool{}
	for _, res := range check(t, tool, pages) {
		bad := map[string][]string{} // feature → clients, one per use
		for _, msg := range res.Errors {
			m := notSupported.FindStringSubmatch(msg)
			if m == nil {
				t.Errorf("%s: unexpected doiuse-email message %q", filepath.Base(res.File), msg)
				continue
			}
			seen[m[1]] = true
			if _, ok := allowed[m[1]]; !ok {
				bad[m[1]] = append(bad[m[1]], m[2])
			}
		}
		for feature, clients := range bad {
			uses := len(clients)
			slices.Sort(clients)
			t.Errorf("%s uses `%s` (%d findings), not supported by %s (https://www.caniemail.com): remove it, or add it to the allow-list with the reason",
				filepath.Base(res.File), feature, uses, strings.Join(slices.Compact(clients), ", "))
		}
		t.Logf("%s: %d partial-support notes (not checked)", filepath.Base(res.File), len(res.Warnings))
	}
	for feature := range allowed {
		if !seen[feature] {
			t.Logf("allow-list entry %q is no longer used by any mail: it can go", feature)
		}
	}
}

type result struct {
	File     string   `json:"file"`
	Errors   []string `json:"errors"`
	Warnings []string `json:"warnings"`
}

// check runs tools/caniemail/check.mjs over the pages.
func check(t *testing.T, tool string, pages []string) []result {
	t.Helper()
	cmd := exec.Command("node", append([]string{filepath.Join(tool, "check.mjs")}, pages...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node check.mjs: %v\n%s", err, stderr.String())
	}
	var out []result
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("check.mjs output %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	if len(out) != len(pages) {
		t.Fatalf("check.mjs answered for %d of %d files", len(out), len(pages))
	}
	return out
}
