package testtool

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// RepoRoot is the module's root directory (where go.mod is), for tests
// that build the CLI or read the repository's files.
func RepoRoot(t testing.TB) string {
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

// Run runs a command in dir, failing the test with its output if it fails.
func Run(t testing.TB, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
}

// HTMLPart returns the decoded text/html part of the MIME message (.eml)
// at path.
func HTMLPart(t testing.TB, path string) []byte {
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
