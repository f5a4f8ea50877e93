package render

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
)

// TestCompressStreams renders a digest's PDF with gofpdf's own page
// compression off and checks what compressStreams makes of it: every plain
// stream deflated to the same bytes, every other object unchanged, and a
// cross-reference table whose offsets each point at their object.
func TestCompressStreams(t *testing.T) {
	t.Parallel()
	clean := cleanDigest(simDigest(t))
	plain, _, err := renderPlainPDF(clean, buildViews(clean))
	if err != nil {
		t.Fatal(err)
	}
	got := compressStreams(plain)
	if len(got)*2 > len(plain) {
		t.Fatalf("compressed %d bytes to %d: the pages were not compressed", len(plain), len(got))
	}
	before, _, ok := pdfObjects(plain)
	if !ok {
		t.Fatal("gofpdf's output did not parse")
	}
	after, _, ok := pdfObjects(got)
	if !ok {
		t.Fatal("the compressed PDF did not parse")
	}
	if len(after) != len(before) {
		t.Fatalf("%d objects, want %d", len(after), len(before))
	}
	deflated := 0
	for k, o := range after {
		was := plain[before[k].start:before[k].end]
		is := got[o.start:o.end]
		head := fmt.Appendf(nil, "%d 0 obj\n<</Length ", o.num)
		data, isPlain := plainStream(was, head)
		if !isPlain {
			if !bytes.Equal(is, was) {
				t.Errorf("object %d changed:\n%.200q\nwas\n%.200q", o.num, is, was)
			}
			continue
		}
		deflated++
		rest, ok := bytes.CutPrefix(is, fmt.Appendf(nil, "%d 0 obj\n<</Filter /FlateDecode /Length ", o.num))
		if !ok {
			t.Fatalf("object %d: %.80q", o.num, is)
		}
		digits, rest, _ := bytes.Cut(rest, []byte(">>\nstream\n"))
		n, err := strconv.Atoi(string(digits))
		if err != nil || n > len(rest) || string(rest[n:]) != "\nendstream\nendobj\n" {
			t.Fatalf("object %d: /Length %q does not match its stream", o.num, digits)
		}
		zr, err := zlib.NewReader(bytes.NewReader(rest[:n]))
		if err != nil {
			t.Fatal(err)
		}
		inflated, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(inflated, data) {
			t.Fatalf("object %d inflates to %d bytes (%v), want the %d written", o.num, len(inflated), err, len(data))
		}
	}
	if pages := bytes.Count(plain, []byte("/Type /Page\n")); deflated < pages {
		t.Errorf("%d streams deflated; want at least the %d pages'", deflated, pages)
	}
}

// TestCompressStreamsLeavesOtherShapes: a PDF that is not as gofpdf
// writes it comes back unchanged, uncompressed but as valid as it was.
func TestCompressStreamsLeavesOtherShapes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, pdf string }{
		{"empty", ""},
		{"a header alone", "%PDF-1.4\n"},
		{"startxref past the end", "%PDF-1.4\n1 0 obj\n<</Length 3>>\nstream\nabc\nendstream\nendobj\nstartxref\n999\n%%EOF\n"},
		{"startxref not at the table", "%PDF-1.4\n1 0 obj\n<</Length 3>>\nstream\nabc\nendstream\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<<>>\nstartxref\n12\n%%EOF\n"},
		{"an offset not at its object", "%PDF-1.4\n1 0 obj\n<</Length 3>>\nstream\nabc\nendstream\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000010 00000 n \ntrailer\n<<>>\nstartxref\n59\n%%EOF\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := compressStreams([]byte(tc.pdf)); string(got) != tc.pdf {
				t.Errorf("compressStreams(%q) = %q, want it unchanged", tc.pdf, got)
			}
		})
	}
}

// TestCompressStreamsSmallPDF compresses a minimal PDF of gofpdf's shape.
func TestCompressStreamsSmallPDF(t *testing.T) {
	t.Parallel()
	in := "%PDF-1.4\n1 0 obj\n<</Length 3>>\nstream\nabc\nendstream\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<<>>\nstartxref\n59\n%%EOF\n"
	got := string(compressStreams([]byte(in)))
	if !strings.Contains(got, "1 0 obj\n<</Filter /FlateDecode /Length ") || !strings.HasSuffix(got, "%%EOF\n") {
		t.Fatalf("not compressed: %q", got)
	}
	objs, _, ok := pdfObjects([]byte(got))
	if !ok || len(objs) != 1 || objs[0].start != len("%PDF-1.4\n") {
		t.Errorf("the rewritten table does not point at the object: %+v, %v", objs, ok)
	}
}
