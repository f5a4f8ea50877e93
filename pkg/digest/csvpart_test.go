package digest

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

// A big site's CSV is attached gzipped so the mail stays small; a small
// one stays plain so it opens with a click.
func TestCSVPartGzipsOnlyBigFiles(t *testing.T) {
	t.Parallel()
	small := csvPart("d.csv", []byte("a,b\n1,2\n"))
	if small.Filename != "d.csv" || small.ContentType != "text/csv; charset=utf-8" {
		t.Fatalf("small CSV: %s %s", small.Filename, small.ContentType)
	}
	big := []byte(strings.Repeat("2026-11-23,2026-11-29,agent,42,José,chats,17\n", 50000))
	p := csvPart("d.csv", big)
	if p.Filename != "d.csv.gz" || p.ContentType != "application/gzip" || len(p.Data) > len(big)/10 {
		t.Fatalf("big CSV: %s %s, %d of %d bytes", p.Filename, p.ContentType, len(p.Data), len(big))
	}
	zr, err := gzip.NewReader(bytes.NewReader(p.Data))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, big) || zr.Name != "d.csv" {
		t.Fatalf("gzip round trip: %v, equal %v, name %q", err, bytes.Equal(got, big), zr.Name)
	}
}
