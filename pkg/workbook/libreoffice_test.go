package workbook_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"reportmailer/internal/testtool"
)

// installLibreOffice is how to install soffice (make tools does).
const installLibreOffice = "apt-get update && apt-get install -y libreoffice-calc-nogui"

// complaint is what LibreOffice says of a file it had to repair or could
// not read.
var complaint = regexp.MustCompile(`(?i)repair|corrupt|could not be loaded|general error|error`)

// LibreOffice opens the workbook (the one with a hostile agent name)
// without repairing it: converting it to a PDF headless succeeds, says
// nothing of repairs or errors, and makes a non-empty PDF.
func TestLibreOfficeOpensTheWorkbook(t *testing.T) {
	bin := testtool.Need(t, installLibreOffice, "soffice", "libreoffice")
	dir := t.TempDir()
	in := filepath.Join(dir, "digest.xlsx")
	if err := os.WriteFile(in, build(t, hostileDigest(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Its own profile, so a LibreOffice already running (or another test)
	// cannot take the conversion over.
	cmd := exec.CommandContext(ctx, bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--norestore", "--convert-to", "pdf", "--outdir", dir, in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("soffice: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	// javaldx's warning is about Java, which Calc does not need.
	msgs := regexp.MustCompile(`(?m)^Warning: failed to launch javaldx.*$`).ReplaceAllString(stderr.String()+stdout.String(), "")
	if complaint.MatchString(msgs) {
		t.Errorf("LibreOffice complained:\n%s", msgs)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "digest.pdf"))
	if err != nil {
		t.Fatalf("no PDF: %v\n%s", err, msgs)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 10_000 {
		t.Errorf("the PDF is %d bytes, starting %q", len(pdf), pdf[:min(len(pdf), 8)])
	}
}
