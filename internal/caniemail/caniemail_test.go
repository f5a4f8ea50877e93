package caniemail

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
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
	root := repoRoot(t)
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
	run(t, root, "go", append(build, "./cmd/reportmailer")...)
	out := filepath.Join(dir, "out")
	run(t, root, cli, "demo", "--config", "reportmailer.example.yaml", "--digest", "weekly-managers", "--out", out)
	run(t, root, cli, "demo-alert", "--config", "reportmailer.example.yaml", "--out", out)

	emls, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	var pages []string
	for _, eml := range emls {
		html := htmlPart(t, eml)
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

// htmlPart returns the decoded text/html part of a MIME message.
func htmlPart(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	html, err := findHTML(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return html
}

func findHTML(contentType, encoding string, body io.Reader) ([]byte, error) {
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, err
	}
	switch {
	case media == "text/html":
		// multipart.Reader already undoes quoted-printable; base64 is left.
		if strings.EqualFold(encoding, "base64") {
			return io.ReadAll(base64.NewDecoder(base64.StdEncoding, body)) // it skips the line breaks
		}
		return io.ReadAll(body)
	case strings.HasPrefix(media, "multipart/"):
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextPart()
			if errors.Is(err, io.EOF) {
				return nil, errors.New("no text/html part")
			}
			if err != nil {
				return nil, err
			}
			if html, err := findHTML(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err == nil {
				return html, nil
			}
		}
	}
	return nil, fmt.Errorf("%s is not text/html", media)
}

func run(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("go.mod not found")
		}
		dir = filepath.Dir(dir)
	}
}
