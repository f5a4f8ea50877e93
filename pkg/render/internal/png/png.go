// Package png encodes the charts' RGBA images as PNG: an 8-bit palette
// image written from runs of one colour when the image has at most 256
// colours (almost always for a chart), else 8-bit RGB. It is render's
// encoder; it knows nothing of charts.
package png

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"io"
	"math"
	"slices"
	"sync"
)

// Email charts are a handful of flat colours on white plus the shades that
// anti-aliasing adds. The standard library's PNG encoder tries all five
// filters on every row and keeps the alpha channel; this one composites
// over white and, when the image has at most 256 colours (almost always),
// writes an 8-bit palette image, straight from runs of one colour (see
// writeIndexed and rleDeflater): a third of the bytes, a fraction of the
// time, and a smaller mail. Otherwise it writes 8-bit RGB, every row
// Up-filtered, deflated at the fastest level. The output depends only on
// the pixels: the palette is in order of first appearance.

// zlibWriters keeps deflate's large tables (about a megabyte) from being
// allocated again for each RGB chart.
var zlibWriters = sync.Pool{New: func() any {
	zw, _ := zlib.NewWriterLevel(io.Discard, zlib.BestSpeed)
	return zw
}}

// Encode writes img composited over white.
func Encode(w io.Writer, img *image.RGBA) error { return encode(w, img, false) }

// EncodeClear writes img as Encode does, except that its pixels marked
// ClearPixel stay transparent.
func EncodeClear(w io.Writer, img *image.RGBA) error { return encode(w, img, true) }

// ClearPixel marks a pixel to leave transparent. Its colour is more than
// its alpha, which no premultiplied pixel can be, so it never stands for
// a drawn one: EncodeClear writes it transparent and, like every other
// pixel of alpha 0, anything else over white.
var ClearPixel = [4]byte{1, 0, 0, 0}

// encode writes img; with alpha, its pixels marked ClearPixel stay
// transparent (a palette entry with alpha 0, in a tRNS chunk) and the
// rest are composited over white.
func encode(w io.Writer, img *image.RGBA, alpha bool) error {
	b := img.Bounds()
	width, height := b.Dx(), b.Dy()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8] = 8 // bits per sample or index

	sc := pngScratches.Get().(*pngScratch)
	defer pngScratches.Put(sc)
	idat := bytes.NewBuffer(sc.idat[:0])
	defer func() { sc.idat = idat.Bytes()[:0] }()
	if pal, trns, lut, im, ok := palettize(img, sc, alpha); ok {
		ihdr[9] = 3 // indexed colour
		writeChunk(&out, "IHDR", ihdr)
		writeChunk(&out, "PLTE", pal)
		if trns != nil {
			writeChunk(&out, "tRNS", trns)
		}
		zw := newRLEDeflater(idat, sc.rle[:0])
		writeIndexed(zw, im, lut)
		err := zw.Close()
		sc.keep(im, zw)
		if err != nil {
			return err
		}
	} else {
		ihdr[9] = 2 // truecolour (RGB)
		writeChunk(&out, "IHDR", ihdr)
		zw := zlibWriters.Get().(*zlib.Writer)
		defer zlibWriters.Put(zw)
		zw.Reset(idat)
		if err := writeRGB(zw, img); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
	}
	out.Grow(idat.Len() + 12 + 12)
	writeChunk(&out, "IDAT", idat.Bytes())
	writeChunk(&out, "IEND", nil)
	_, err := w.Write(out.Bytes())
	return err
}

// pngScratch is the working memory of one Encode, kept for the next
// (a few hundred KB a chart, which was a fifth of a digest's allocations).
type pngScratch struct {
	keys   []uint32 // palettize's colour table
	vals   []uint16
	runs   []run
	rowEnd []int32
	rgb    []uint32
	count  []int
	rle    []byte // the RLE deflater's output buffer
	idat   []byte
}

var pngScratches = sync.Pool{New: func() any { return new(pngScratch) }}

// keep takes back the (possibly grown) slices an encoding used.
func (sc *pngScratch) keep(im *indexed, zw *rleDeflater) {
	sc.runs, sc.rowEnd, sc.rgb, sc.count = im.runs[:0], im.rowEnd[:0], im.rgb[:0], im.count[:0]
	sc.rle = zw.buf[:0]
}

// maxColours bounds the colours palettize tracks; past it, RGB.
const maxColours = 8192

// clearColour stands for a ClearPixel in palettize's colour ids: above
// every 24-bit RGB colour, so it never meets one.
const clearColour = 0xff000000

// clearMark is ClearPixel read as palettize reads pixels (little-endian).
const clearMark = 1

// indexed is an image as runs of colour ids, row by row: charts are long
// runs of one colour, and most rows repeat the row above.
type indexed struct {
	width, height int
	rgb           []uint32 // colour id → 0xRRGGBB, in order of first appearance
	count         []int    // pixels of each colour
	runs          []run
	rowEnd        []int32 // runs[rowEnd[y-1]:rowEnd[y]] are row y's; none: same as the row above
}

type run struct{ id, n uint16 }

// palettize composites img over white and maps it to a palette of at
// most 256 colours: the PLTE bytes, and the image as runs with each
// colour's palette index. Charts with more colours (anti-aliased edges
// over several fills) keep their 256 most frequent exactly and draw each
// rarer edge shade with its nearest palette colour, which the eye cannot
// tell apart at 2× density. ok is false for images with more than
// maxColours colours, or where more than 2% of the pixels would be
// approximated: those are written as RGB. With alpha, fully transparent
// pixels get a colour of their own, transparent through trns.
func palettize(img *image.RGBA, sc *pngScratch, alpha bool) (pal, trns []byte, lut []uint8, im *indexed, ok bool) {
	b := img.Bounds()
	width, height := b.Dx(), b.Dy()
	if width >= 1<<16 || width == 0 {
		return nil, nil, nil, nil, false
	}
	if cap(sc.rowEnd) < height {
		sc.rowEnd = make([]int32, height)
	}
	im = &indexed{width: width, height: height, rowEnd: sc.rowEnd[:height], runs: sc.runs[:0], rgb: sc.rgb[:0], count: sc.count[:0]}
	// An open-addressed table from RGB (+1, so 0 is empty) to colour id.
	const tableSize = 2 * maxColours
	if sc.keys == nil {
		sc.keys, sc.vals = make([]uint32, tableSize), make([]uint16, tableSize)
	}
	clear(sc.keys) // new memory too: written before it is read (see touch)
	keys, vals := sc.keys, sc.vals
	var above []byte
	var aboveRuns []run
	for y := 0; y < height; y++ {
		src := img.Pix[(y+b.Min.Y-img.Rect.Min.Y)*img.Stride+4*(b.Min.X-img.Rect.Min.X):]
		src = src[:4*width]
		if above != nil && bytes.Equal(src, above) {
			for _, r := range aboveRuns {
				im.count[r.id] += int(r.n)
			}
			im.rowEnd[y] = int32(len(im.runs))
			continue
		}
		first := len(im.runs)
		for x := 0; x < width; {
			pix := binary.LittleEndian.Uint32(src[4*x:])
			n := 1
			// Eight pixels per step along the run, then two, then the odd one.
			pair := uint64(pix) | uint64(pix)<<32
			for x+n+8 <= width {
				q := src[4*(x+n) : 4*(x+n)+32]
				if binary.LittleEndian.Uint64(q) != pair || binary.LittleEndian.Uint64(q[8:]) != pair ||
					binary.LittleEndian.Uint64(q[16:]) != pair || binary.LittleEndian.Uint64(q[24:]) != pair {
					break
				}
				n += 8
			}
			for x+n+1 < width && binary.LittleEndian.Uint64(src[4*(x+n):]) == pair {
				n += 2
			}
			if x+n < width && binary.LittleEndian.Uint32(src[4*(x+n):]) == pix {
				n++
			}
			a := uint8(pix >> 24)
			inv := 255 - a // premultiplied RGBA over white
			c := uint32(uint8(pix)+inv)<<16 | uint32(uint8(pix>>8)+inv)<<8 | uint32(uint8(pix>>16)+inv)
			if alpha && pix == clearMark {
				c = clearColour
			}
			key := c + 1
			h := (key * 2654435761) >> 18 & (tableSize - 1)
			for keys[h] != key {
				if keys[h] == 0 {
					if len(im.rgb) == maxColours {
						return nil, nil, nil, nil, false
					}
					keys[h], vals[h] = key, uint16(len(im.rgb))
					im.rgb = append(im.rgb, c)
					im.count = append(im.count, 0)
					break
				}
				h = (h + 1) & (tableSize - 1)
			}
			id := vals[h]
			im.count[id] += n
			im.runs = append(im.runs, run{id: id, n: uint16(n)})
			x += n
		}
		im.rowEnd[y] = int32(len(im.runs))
		above, aboveRuns = src, im.runs[first:]
	}
	lut, kept := paletteLUT(im.rgb, im.count)
	if len(kept) < len(im.rgb) {
		exact := 0
		for _, id := range kept {
			exact += im.count[id]
		}
		if (width*height-exact)*50 > width*height { // more than 2% approximated: not a chart
			return nil, nil, nil, nil, false
		}
	}
	pal = make([]byte, 0, 3*len(kept))
	for n, id := range kept {
		c := im.rgb[id]
		if c == clearColour {
			trns = bytes.Repeat([]byte{255}, n+1) // entries after it are opaque
			trns[n], c = 0, 0xffffff
		}
		pal = append(pal, byte(c>>16), byte(c>>8), byte(c))
	}
	return pal, trns, lut, im, true
}

// paletteLUT maps colour ids to palette indices. Up to 256 colours map to
// themselves. Otherwise the 256 most frequent (ties: first seen) are kept,
// numbered in order of first appearance, and every other colour maps to
// its nearest kept colour in RGB. kept lists the palette's colour ids.
func paletteLUT(rgb []uint32, count []int) (lut []uint8, kept []int) {
	lut = make([]uint8, len(rgb))
	if len(rgb) <= 256 {
		kept = make([]int, len(rgb))
		for i := range lut {
			lut[i], kept[i] = uint8(i), i
		}
		return lut, kept
	}
	order := make([]int, len(rgb))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Or(count[b]-count[a], a-b) })
	kept = order[:256]
	slices.Sort(kept)
	isPal := make([]bool, len(rgb))
	for n, id := range kept {
		lut[id] = uint8(n)
		isPal[id] = true
	}
	// The nearest kept colour, searched outwards from the colour's red
	// among the kept colours ordered by red: a candidate whose red alone is
	// farther than the best so far cannot be nearer. Ties go to the lower
	// palette index, as a search of all 256 in order would give.
	type entry struct{ r, g, b, n int }
	byRed := make([]entry, len(kept))
	for n, k := range kept {
		c := rgb[k]
		byRed[n] = entry{int(c >> 16), int(c >> 8 & 0xff), int(c & 0xff), n}
	}
	slices.SortFunc(byRed, func(a, b entry) int { return cmp.Or(a.r-b.r, a.n-b.n) })
	for id, c := range rgb {
		if isPal[id] {
			continue
		}
		r, g, b := int(c>>16), int(c>>8&0xff), int(c&0xff)
		best, bestD := 0, math.MaxInt
		try := func(e entry) bool {
			dr := r - e.r
			if dr*dr > bestD {
				return false
			}
			dg, db := g-e.g, b-e.b
			if d := dr*dr + dg*dg + db*db; d < bestD || d == bestD && e.n < best {
				best, bestD = e.n, d
			}
			return true
		}
		i, _ := slices.BinarySearchFunc(byRed, r, func(e entry, r int) int { return e.r - r })
		for j := i; j < len(byRed) && try(byRed[j]); j++ {
		}
		for j := i - 1; j >= 0 && try(byRed[j]); j-- {
		}
		lut[id] = uint8(best)
	}
	return lut, kept
}

// writeIndexed writes the palette indices straight from the runs, never
// as bytes. A row that repeats the one above is an Up-filtered row of
// zeros; any other row is written unfiltered or Up-filtered (its
// difference from the row above, worked out run by run), whichever has
// fewer runs.
func writeIndexed(d *rleDeflater, im *indexed, lut []uint8) {
	var above, cur, up []pixRun
	start := int32(0)
	for y := 0; y < im.height; y++ {
		runs := im.runs[start:im.rowEnd[y]]
		start = im.rowEnd[y]
		if len(runs) == 0 {
			d.repeat(2, 1) // Up
			d.repeat(0, im.width)
			continue
		}
		cur = cur[:0]
		for _, r := range runs {
			cur = appendRun(cur, lut[r.id], int(r.n))
		}
		filter, row := byte(0), cur // None
		if above != nil {
			up = upRuns(up[:0], cur, above)
			if len(up) < len(cur) {
				filter, row = 2, up
			}
		}
		d.repeat(filter, 1)
		for _, r := range row {
			d.repeat(r.v, r.n)
		}
		above, cur = cur, above
	}
}

// pixRun is n pixels of palette index (or difference) v.
type pixRun struct {
	v byte
	n int
}

// appendRun appends n of v, merging with a last run of the same value.
func appendRun(rs []pixRun, v byte, n int) []pixRun {
	if k := len(rs) - 1; k >= 0 && rs[k].v == v {
		rs[k].n += n
		return rs
	}
	return append(rs, pixRun{v, n})
}

// upRuns appends to dst the Up filter of row cur over row above (both the
// same width), as runs: each byte minus the one above it.
func upRuns(dst, cur, above []pixRun) []pixRun {
	i, j := 0, 0
	ci, aj := cur[0].n, above[0].n // pixels left in cur[i] and above[j]
	for i < len(cur) && j < len(above) {
		n := min(ci, aj)
		dst = appendRun(dst, cur[i].v-above[j].v, n)
		if ci -= n; ci == 0 {
			if i++; i < len(cur) {
				ci = cur[i].n
			}
		}
		if aj -= n; aj == 0 {
			if j++; j < len(above) {
				aj = above[j].n
			}
		}
	}
	return dst
}

// writeRGB writes opaque RGB composited over white, each row "Up"-filtered.
func writeRGB(w io.Writer, img *image.RGBA) error {
	b := img.Bounds()
	width, height := b.Dx(), b.Dy()
	row := make([]byte, 1+3*width)
	row[0] = 2 // Up
	prev := make([]byte, 3*width)
	cur := make([]byte, 3*width)
	for y := 0; y < height; y++ {
		src := img.Pix[(y+b.Min.Y-img.Rect.Min.Y)*img.Stride+4*(b.Min.X-img.Rect.Min.X):]
		src = src[:4*width]
		out := row[1 : 1+3*width]
		for x, j := 0, 0; x+3 < len(src) && j+2 < len(cur); x, j = x+4, j+3 {
			inv := 255 - src[x+3]
			r, g, bl := src[x]+inv, src[x+1]+inv, src[x+2]+inv
			cur[j], cur[j+1], cur[j+2] = r, g, bl
			out[j], out[j+1], out[j+2] = r-prev[j], g-prev[j+1], bl-prev[j+2]
		}
		if _, err := w.Write(row); err != nil {
			return err
		}
		prev, cur = cur, prev
	}
	return nil
}

func writeChunk(w *bytes.Buffer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	w.WriteString(kind)
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}

// rleDeflater writes a zlib stream (RFC 1950/1951) of runs: one block of
// fixed Huffman codes, each run as its byte and matches at distance 1.
// That is zlib's Z_RLE strategy, which suits chart rows (long runs of one
// colour, rows that repeat the row above) and costs a fraction of a
// general deflate: no hashing, no Huffman tables to build per block, and
// the runs come from palettize, never looked for byte by byte.
type rleDeflater struct {
	w      io.Writer
	buf    []byte
	bits   uint64
	nbits  uint
	adlerA uint32
	adlerB uint32
	last   int   // the previous byte written, -1 at the start
	err    error // from w, returned by Close
}

func newRLEDeflater(w io.Writer, buf []byte) *rleDeflater {
	if cap(buf) < 64<<10 {
		buf = make([]byte, 0, 64<<10)
	}
	d := &rleDeflater{w: w, adlerA: 1, last: -1, buf: buf[:0]}
	d.buf = append(d.buf, 0x78, 0x01) // zlib header: deflate, 32K window, fastest
	d.put(1, 1)                       // BFINAL
	d.put(1, 2)                       // BTYPE 01: fixed Huffman codes
	return d
}

// Fixed Huffman codes, bit-reversed for LSB-first output.
var (
	litCode [286]uint16
	litLen  [286]uint8
	// lengthCode maps a match length (3..258) to its code (257..285),
	// extra-bit count and extra-bit value base.
	lenSym   [259]uint16
	lenExtra [259]uint8
	lenBase  [259]uint16
)

func init() {
	rev := func(code uint16, n uint8) uint16 {
		var r uint16
		for i := uint8(0); i < n; i++ {
			r = r<<1 | code&1
			code >>= 1
		}
		return r
	}
	for v := 0; v < 286; v++ {
		var code uint16
		var n uint8
		switch {
		case v < 144:
			code, n = uint16(0x30+v), 8
		case v < 256:
			code, n = uint16(0x190+v-144), 9
		case v < 280:
			code, n = uint16(v-256), 7
		default:
			code, n = uint16(0xc0+v-280), 8
		}
		litCode[v], litLen[v] = rev(code, n), n
	}
	bases := []uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	extras := []uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	for i, b := range bases {
		end := 259
		if i+1 < len(bases) {
			end = int(bases[i+1])
		}
		if b == 258 {
			end = 259
		}
		for l := int(b); l < end; l++ {
			lenSym[l], lenExtra[l], lenBase[l] = uint16(257+i), extras[i], b
		}
	}
}

// put appends n bits of v, least significant first.
func (d *rleDeflater) put(v uint64, n uint) {
	d.bits |= v << d.nbits
	d.nbits += n
	for d.nbits >= 8 {
		d.buf = append(d.buf, byte(d.bits))
		d.bits >>= 8
		d.nbits -= 8
	}
}

func (d *rleDeflater) literal(b byte) { d.put(uint64(litCode[b]), uint(litLen[b])) }

// match emits a run of n (3..258) copies of the previous byte.
func (d *rleDeflater) match(n int) {
	sym := lenSym[n]
	d.put(uint64(litCode[sym]), uint(litLen[sym]))
	if e := lenExtra[n]; e > 0 {
		d.put(uint64(n-int(lenBase[n])), uint(e))
	}
	d.put(0, 5) // distance code 0: distance 1
}

// repeat writes n copies of v: v as a literal (unless the byte before
// was v too), then matches at distance 1 for the rest.
func (d *rleDeflater) repeat(v byte, n int) {
	d.adlerRun(v, n)
	if int(v) != d.last {
		d.literal(v)
		d.last = int(v)
		n--
	}
	for ; n >= 258; n -= 258 {
		d.match(258)
	}
	if n >= 3 {
		d.match(n)
	} else {
		for ; n > 0; n-- {
			d.literal(v)
		}
	}
	if len(d.buf) >= 48<<10 && d.err == nil {
		_, d.err = d.w.Write(d.buf)
		d.buf = d.buf[:0]
	}
}

// adlerRun adds n copies of v to the Adler-32 sums, in closed form:
// each byte adds v to the first sum and the first sum to the second.
func (d *rleDeflater) adlerRun(v byte, n int) {
	const mod = 65521
	a, b, k := uint64(d.adlerA), uint64(d.adlerB), uint64(n)
	d.adlerB = uint32((b + k*a + uint64(v)*(k*(k+1)/2)) % mod)
	d.adlerA = uint32((a + k*uint64(v)) % mod)
}

// Close ends the block and writes the checksum.
func (d *rleDeflater) Close() error {
	d.put(uint64(litCode[256]), uint(litLen[256])) // end of block
	if d.nbits > 0 {
		d.put(0, 8-d.nbits%8)
	}
	d.buf = binary.BigEndian.AppendUint32(d.buf, d.adlerB<<16|d.adlerA)
	if d.err != nil {
		return d.err
	}
	_, err := d.w.Write(d.buf)
	d.buf = d.buf[:0]
	return err
}
