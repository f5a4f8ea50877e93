package pdfstream

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// TestCompressStreams writes a PDF as render does (plainPDF: gofpdf, its
// own page compression off, UTF-8 fonts with their ToUnicode maps, several
// pages) and checks what Compress makes of it: every plain
// stream deflated to the same bytes, every other object unchanged, and a
// cross-reference table whose offsets each point at their object.
func TestCompressStreams(t *testing.T) {
	t.Parallel()
	plain, err := plainPDF()
	if err != nil {
		t.Fatal(err)
	}
	got := Compress(plain)
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
			if got := Compress([]byte(tc.pdf)); string(got) != tc.pdf {
				t.Errorf("Compress(%q) = %q, want it unchanged", tc.pdf, got)
			}
		})
	}
}

// TestCompressStreamsSmallPDF compresses a minimal PDF of gofpdf's shape.
func TestCompressStreamsSmallPDF(t *testing.T) {
	t.Parallel()
	in := "%PDF-1.4\n1 0 obj\n<</Length 3>>\nstream\nabc\nendstream\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<<>>\nstartxref\n59\n%%EOF\n"
	got := string(Compress([]byte(in)))
	if !strings.Contains(got, "1 0 obj\n<</Filter /FlateDecode /Length ") || !strings.HasSuffix(got, "%%EOF\n") {
		t.Fatalf("not compressed: %q", got)
	}
	objs, _, ok := pdfObjects([]byte(got))
	if !ok || len(objs) != 1 || objs[0].start != len("%PDF-1.4\n") {
		t.Errorf("the rewritten table does not point at the object: %+v, %v", objs, ok)
	}
}

// plainPDF writes a few pages of text and lines the way render's newPDF
// sets gofpdf up: UTF-8 Go fonts, page aliases, compression off; enough
// pages that their streams, not the font subsets, make most of the bytes.
func plainPDF() ([]byte, error) {
	pdf := gofpdf.NewCustom(&gofpdf.InitType{UnitStr: "mm", SizeStr: "A4"})
	pdf.AddUTF8FontFromBytes("Go", "", bytes.Clone(goregular.TTF))
	pdf.AddUTF8FontFromBytes("Go", "B", bytes.Clone(gobold.TTF))
	pdf.SetTitle("Weekly digest – Support", true)
	pdf.AliasNbPages("{nb}")
	pdf.SetCompression(false)
	for page := 1; page <= 20; page++ {
		pdf.AddPage()
		pdf.SetFont("Go", "B", 14)
		pdf.Cell(0, 10, fmt.Sprintf("Section %d — chats, ratings, wait times", page))
		pdf.Ln(12)
		pdf.SetFont("Go", "", 9)
		for row := 0; row < 30; row++ {
			pdf.Cell(0, 5, fmt.Sprintf("Agent %c · %d chats · 4.%d ★ · page %d of {nb}", 'A'+row%26, 100-row, row%10, page))
			pdf.Ln(5)
			pdf.Line(10, 30+float64(row)*5, 200, 30+float64(row)*5)
		}
	}
	var buf bytes.Buffer
	err := pdf.Output(&buf)
	return buf.Bytes(), err
}
