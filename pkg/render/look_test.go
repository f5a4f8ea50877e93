package render_test

import (
	"os"
	"path/filepath"
	"testing"

	"reportmailer/pkg/render"
)

// TestWriteLook writes the fixture digest to $RENDER_OUT for looking at.
func TestWriteLook(t *testing.T) {
	dir := os.Getenv("RENDER_OUT")
	if dir == "" {
		t.Skip("set RENDER_OUT=DIR to write the fixture digest there")
	}
	out, err := render.Render(fixtureDigest(t), render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = os.MkdirAll(dir, 0o755)
	_ = os.WriteFile(filepath.Join(dir, "digest.pdf"), out.PDF, 0o644)
	_ = os.WriteFile(filepath.Join(dir, "digest.html"), []byte(render.PreviewHTML(out)), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "digest.txt"), []byte(out.Text), 0o644)
	t.Logf("pdf %d bytes, html %d bytes, %d images", len(out.PDF), len(out.HTML), len(out.Images))
}
