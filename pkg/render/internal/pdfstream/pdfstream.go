// Package pdfstream compresses the page streams of a PDF that gofpdf wrote
// uncompressed, with one reused zlib writer. It is render's PDF encoder's
// last step; it knows nothing of digests.
package pdfstream

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
)

// gofpdf compresses each page with a new zlib writer, and a writer is
// about a megabyte of tables: a third of everything a digest allocated,
// and, being fresh memory read before it is written, a tenth of its CPU
// in page faults. So gofpdf writes the pages plain (SetCompression(false))
// and Compress compresses them afterwards with one reused writer:
// the same deflate (BestSpeed, as gofpdf's) on the same bytes.

// zlibWriters keeps deflate's large tables (about a megabyte) from being
// allocated again for each PDF.
var zlibWriters = sync.Pool{New: func() any {
	zw, _ := zlib.NewWriterLevel(io.Discard, zlib.BestSpeed)
	return zw
}}

// Compress rewrites a PDF as gofpdf writes it uncompressed: each
// object that is only a stream with its /Length (page contents, ToUnicode
// maps) gets /Filter /FlateDecode and its data deflated; every other
// object is copied as it is, and the cross-reference table is written
// again with the new offsets. A PDF of any other shape comes back as it
// was: uncompressed, still valid.
func Compress(pdf []byte) []byte {
	objs, xref, ok := pdfObjects(pdf)
	if !ok {
		return pdf
	}
	zw := zlibWriters.Get().(*zlib.Writer)
	defer zlibWriters.Put(zw)
	out := bytes.NewBuffer(make([]byte, 0, len(pdf)/3))
	out.Write(pdf[:objs[0].start])
	offsets := make(map[int]int, len(objs))
	for _, o := range objs {
		offsets[o.num] = out.Len()
		body := pdf[o.start:o.end]
		head := fmt.Appendf(nil, "%d 0 obj\n<</Length ", o.num)
		data, ok := plainStream(body, head)
		if !ok {
			out.Write(body)
			continue
		}
		var z bytes.Buffer
		zw.Reset(&z)
		zw.Write(data)
		zw.Close()
		fmt.Fprintf(out, "%d 0 obj\n<</Filter /FlateDecode /Length %d>>\nstream\n", o.num, z.Len())
		out.Write(z.Bytes())
		out.WriteString("\nendstream\nendobj\n")
	}
	start := out.Len()
	fmt.Fprintf(out, "xref\n0 %d\n0000000000 65535 f \n", len(xref.nums)+1)
	for _, n := range xref.nums {
		fmt.Fprintf(out, "%010d 00000 n \n", offsets[n])
	}
	out.Write(xref.trailer)
	fmt.Fprintf(out, "startxref\n%d\n%%%%EOF\n", start)
	return out.Bytes()
}

// plainStream returns the data of an object that is exactly
// "N 0 obj\n<</Length L>>\nstream\n" + L bytes + "\nendstream\nendobj\n".
func plainStream(body, head []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(body, head)
	if !ok {
		return nil, false
	}
	digits, rest, ok := bytes.Cut(rest, []byte(">>\nstream\n"))
	if !ok || len(digits) == 0 || len(digits) > 9 {
		return nil, false
	}
	n, err := strconv.Atoi(string(digits))
	if err != nil || n < 0 || n > len(rest) || string(rest[n:]) != "\nendstream\nendobj\n" {
		return nil, false
	}
	return rest[:n], true
}

type pdfObject struct {
	num, start, end int
}

type pdfXref struct {
	nums    []int  // object numbers 1..N in table order
	trailer []byte // from "trailer" up to "startxref"
}

// pdfObjects reads a single-section cross-reference table (objects 1..N,
// generation 0, all in use, as gofpdf writes it) and returns the objects
// in file order, each spanning up to the next one or the table.
func pdfObjects(pdf []byte) ([]pdfObject, pdfXref, bool) {
	var x pdfXref
	i := bytes.LastIndex(pdf, []byte("startxref\n"))
	if i < 0 {
		return nil, x, false
	}
	line, _, _ := bytes.Cut(pdf[i+len("startxref\n"):], []byte("\n"))
	at, err := strconv.Atoi(string(line))
	if err != nil || at <= 0 || at >= i {
		return nil, x, false
	}
	table := pdf[at:i]
	rest, ok := bytes.CutPrefix(table, []byte("xref\n0 "))
	if !ok {
		return nil, x, false
	}
	countLine, rest, _ := bytes.Cut(rest, []byte("\n"))
	count, err := strconv.Atoi(string(countLine))
	if err != nil || count < 2 || len(rest) < 20*count {
		return nil, x, false
	}
	if string(rest[:20]) != "0000000000 65535 f \n" {
		return nil, x, false
	}
	var objs []pdfObject
	for n := 1; n < count; n++ {
		e := rest[20*n : 20*n+20]
		off, err := strconv.Atoi(string(e[:10]))
		if err != nil || string(e[10:]) != " 00000 n \n" || off <= 0 || off >= at {
			return nil, x, false
		}
		x.nums = append(x.nums, n)
		objs = append(objs, pdfObject{num: n, start: off})
	}
	x.trailer = rest[20*count:]
	if !bytes.HasPrefix(x.trailer, []byte("trailer\n")) {
		return nil, x, false
	}
	slices.SortFunc(objs, func(a, b pdfObject) int { return a.start - b.start })
	for k := range objs {
		objs[k].end = at
		if k+1 < len(objs) {
			objs[k].end = objs[k+1].start
		}
		if objs[k].end <= objs[k].start || !bytes.HasPrefix(pdf[objs[k].start:], fmt.Appendf(nil, "%d 0 obj\n", objs[k].num)) {
			return nil, x, false
		}
	}
	return objs, x, true
}
