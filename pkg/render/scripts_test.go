package render_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

var scriptsOut = flag.String("scripts-out", "", "write the every-script digest's PDF and PNGs into this directory")

// worldNames are agent names in the ten scripts the digest must draw.
var worldNames = []struct{ script, name string }{
	{"Latin", "Oliver Smith"},
	{"Vietnamese", "Nguyễn Thị Ánh"},
	{"Cyrillic", "Дмитрий Иванов"},
	{"CJK Simplified", "王小明"},
	{"CJK Traditional", "陳美玲"},
	{"Japanese", "佐藤ひろし"},
	{"Korean", "김민준"},
	{"Arabic", "محمد العربي"},
	{"Hebrew", "דוד כהן"},
	{"Thai", "สมชาย ใจดี"},
	{"Devanagari", "राहुल शर्मा"},
}

// worldDepartments mix a Latin word with another script.
var worldDepartments = []string{"Sales 销售部", "Support サポート", "Billing الفواتير", "Onboarding 고객지원"}

// worldTitle is a digest title long enough to wrap, in CJK (no spaces:
// it wraps between characters) and Arabic.
const worldTitle = "客户服务中心每周聊天摘要报告包括所有部门和所有座席的详细统计 تقرير المحادثات الأسبوعي"

// worldDigest is the fixture digest with its title, its first agents and
// its departments in those scripts.
func worldDigest(tb testing.TB) *render.Digest {
	tb.Helper()
	d := fixtureDigest(tb)
	d.Title = worldTitle
	d.Site = "株式会社サンプル (site 10000)"
	for i, w := range worldNames {
		d.Names[reports.GroupAgent][strconv.Itoa(i+1)] = w.name
	}
	i := 0
	for id := range d.Names[reports.GroupDepartment] {
		if i < len(worldDepartments) {
			d.Names[reports.GroupDepartment][id] = worldDepartments[i]
		}
		i++
	}
	return d
}

// TestEveryScriptInPDF reads the PDF back: every string it draws is shown
// in an embedded font whose glyph for each of its characters has an
// outline (gofpdf maps a character its font lacks to glyph 0, .notdef,
// the empty box), and every word of every name is drawn whole, in the
// order text.Visual gives (Arabic shaped, right-to-left runs reversed).
func TestEveryScriptInPDF(t *testing.T) {
	t.Parallel()
	out, err := render.Render(worldDigest(t), render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if *scriptsOut != "" {
		writeScriptsOut(t, out)
	}
	shown := pdfShownText(t, out.PDF)
	var all []string
	for _, s := range shown {
		all = append(all, s.text)
		for _, r := range s.text {
			if unicode.IsSpace(r) {
				continue
			}
			if !s.font.hasOutline(r) {
				t.Errorf("%q (U+%04X) in %q is drawn without a glyph in font %s", r, r, s.text, s.font.name)
			}
		}
	}
	drawn := strings.Join(all, "\n")
	check := func(what, name string) {
		for _, word := range strings.Fields(render.Visual(name)) {
			if !strings.Contains(drawn, word) {
				t.Errorf("%s %q: word %q is not drawn whole", what, name, word)
			}
		}
	}
	for _, w := range worldNames {
		check(w.script, w.name)
		// A right-to-left name is one run: its words are in visual order
		// too (the last word leftmost), and its letters joined.
		if v := render.Visual(w.name); (w.script == "Arabic" || w.script == "Hebrew") && !strings.Contains(drawn, v) {
			t.Errorf("%s %q: %q is not drawn", w.script, w.name, v)
		}
	}
	for _, d := range worldDepartments {
		check("department", d)
	}
	check("site", "株式会社サンプル")
	check("title", "تقرير المحادثات الأسبوعي")
}

// shownString is a string a PDF content stream shows, with its font.
type shownString struct {
	text string
	font *pdfFont
}

// pdfFont is an embedded TrueType subset and its CID-to-glyph map.
type pdfFont struct {
	name     string
	cidToGID []byte
	glyphLen func(gid int) int
}

func (f *pdfFont) hasOutline(r rune) bool {
	if f == nil || f.glyphLen == nil || int(r)*2+1 >= len(f.cidToGID) {
		return false
	}
	gid := int(binary.BigEndian.Uint16(f.cidToGID[2*r:]))
	return gid != 0 && f.glyphLen(gid) > 0
}

var (
	pdfObjRE   = regexp.MustCompile(`(?s)(\d+) 0 obj\s*(.*?)endobj`)
	pdfRefRE   = regexp.MustCompile(`/(\w+) (\d+) 0 R`)
	pdfShowRE  = regexp.MustCompile(`/(\w+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj`)
	pdfFontsRE = regexp.MustCompile(`(?s)/Font\s*<<(.*?)>>`)
)

// pdfShownText parses gofpdf's output: its objects, fonts and content streams.
func pdfShownText(t *testing.T, pdf []byte) []shownString {
	t.Helper()
	type obj struct {
		dict   string
		stream []byte
	}
	objs := map[string]obj{}
	for _, m := range pdfObjRE.FindAllSubmatch(pdf, -1) {
		body := m[2]
		o := obj{dict: string(body)}
		if i := bytes.Index(body, []byte("stream")); i >= 0 {
			o.dict = string(body[:i])
			data := body[i+len("stream"):]
			data = bytes.TrimPrefix(bytes.TrimPrefix(data, []byte("\r")), []byte("\n"))
			data = data[:bytes.LastIndex(data, []byte("endstream"))]
			if strings.Contains(o.dict, "/FlateDecode") {
				zr, err := zlib.NewReader(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("object %s: %v", m[1], err)
				}
				if data, err = io.ReadAll(zr); err != nil {
					t.Fatalf("object %s: %v", m[1], err)
				}
			}
			o.stream = data
		}
		objs[string(m[1])] = o
	}
	ref := func(o obj, key string) (obj, bool) {
		for _, m := range pdfRefRE.FindAllStringSubmatch(o.dict, -1) {
			if m[1] == key {
				r, ok := objs[m[2]]
				return r, ok
			}
		}
		return obj{}, false
	}
	fonts := map[string]*pdfFont{}
	var contents []string
	for _, o := range objs {
		if m := pdfFontsRE.FindStringSubmatch(o.dict); m != nil {
			for _, r := range pdfRefRE.FindAllStringSubmatch(m[1], -1) {
				font := &pdfFont{name: r[1]}
				fonts[r[1]] = font
				t0 := objs[r[2]]
				if bf := regexp.MustCompile(`/BaseFont /(\S+)`).FindStringSubmatch(t0.dict); bf != nil {
					font.name = bf[1]
				}
				desc := regexp.MustCompile(`/DescendantFonts \[(\d+) 0 R\]`).FindStringSubmatch(t0.dict)
				if desc == nil {
					t.Errorf("font %s is not a CID font", font.name)
					continue
				}
				cid := objs[desc[1]]
				if m, ok := ref(cid, "CIDToGIDMap"); ok {
					font.cidToGID = m.stream
				}
				fd, _ := ref(cid, "FontDescriptor")
				ff, ok := ref(fd, "FontFile2")
				if !ok {
					t.Errorf("font %s is not embedded", font.name)
					continue
				}
				font.glyphLen = ttfGlyphLen(t, ff.stream)
			}
		}
		if m, ok := ref(o, "Contents"); ok && strings.Contains(o.dict, "/Type /Page") {
			contents = append(contents, string(m.stream))
		}
	}
	if len(contents) == 0 || len(fonts) == 0 {
		t.Fatalf("no pages or no fonts found (%d objects)", len(objs))
	}
	var shown []shownString
	for _, c := range contents {
		var cur *pdfFont
		for _, m := range pdfShowRE.FindAllStringSubmatch(c, -1) {
			if m[1] != "" {
				cur = fonts[m[1]]
				continue
			}
			s := strings.NewReplacer(`\\`, `\`, `\(`, `(`, `\)`, `)`, `\r`, "\r").Replace(m[2])
			shown = append(shown, shownString{utf16be(s), cur})
		}
	}
	return shown
}

func utf16be(s string) string {
	var u []uint16
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		r := rune(u[i])
		if r >= 0xD800 && r < 0xDC00 && i+1 < len(u) {
			r = (r-0xD800)<<10 | (rune(u[i+1]) - 0xDC00) + 0x10000
			i++
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ttfGlyphLen reads a TrueType font's loca table: a glyph's outline length.
func ttfGlyphLen(t *testing.T, ttf []byte) func(int) int {
	t.Helper()
	tables := map[string][]byte{}
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	for i := 0; i < n; i++ {
		e := ttf[12+16*i:]
		off, l := binary.BigEndian.Uint32(e[8:]), binary.BigEndian.Uint32(e[12:])
		tables[string(e[:4])] = ttf[off : off+l]
	}
	head, loca := tables["head"], tables["loca"]
	if head == nil || loca == nil {
		t.Fatal("embedded font has no head or loca table")
	}
	long := binary.BigEndian.Uint16(head[50:]) == 1
	return func(gid int) int {
		if long {
			if 4*gid+8 > len(loca) {
				return 0
			}
			return int(binary.BigEndian.Uint32(loca[4*gid+4:])) - int(binary.BigEndian.Uint32(loca[4*gid:]))
		}
		if 2*gid+4 > len(loca) {
			return 0
		}
		return 2 * (int(binary.BigEndian.Uint16(loca[2*gid+2:])) - int(binary.BigEndian.Uint16(loca[2*gid:])))
	}
}

// writeScriptsOut saves the digest for a look (go test -scripts-out DIR).
func writeScriptsOut(t *testing.T, out *render.Output) {
	if err := os.MkdirAll(*scriptsOut, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"scripts.pdf": out.PDF, "scripts.html": []byte(out.HTML)}
	for _, im := range out.Images {
		files["scripts-"+im.Name] = im.PNG
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(*scriptsOut, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestVisualOrder: right-to-left runs reversed, numbers and brackets kept
// readable, Arabic joined, Devanagari's i-matra before its cluster.
func TestVisualOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"latin unchanged", "Zoë Brontë (Sales) 12", "Zoë Brontë (Sales) 12"},
		{"hebrew", "דוד כהן", "ןהכ דוד"},
		{"hebrew with number", "דוד 12", "12 דוד"},
		{"latin then hebrew", "Team דוד כהן", "Team ןהכ דוד"},
		{"hebrew in brackets", "Sales (דוד)", "Sales (דוד)"},
		{"arabic joined", "محمد", "\ufeaa\ufee4\ufea4\ufee3"},
		{"lam-alef isolated", "الا", "\ufefb\ufe8d"},
		{"lam-alef final", "بلا", "\ufefc\ufe91"},
		{"devanagari i", "किताब", "िकताब"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := render.Visual(tc.in); got != tc.want {
				t.Errorf("Visual(%q) = %q (%U), want %q (%U)", tc.in, got, []rune(got), tc.want, []rune(tc.want))
			}
		})
	}
}

// BenchmarkDigestScripts is BenchmarkDigest's 20-agent digest with names
// in every script: the cost of the fallback fonts, shaping and bidi. The
// first render in a process also parses the fonts it needs (about 6 MB
// of TrueType): that one-off cost is in the first iteration.
func BenchmarkDigestScripts(b *testing.B) {
	d := worldDigest(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	var out *render.Output
	for i := 0; i < b.N; i++ {
		var err error
		if out, err = render.Render(d, render.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	reportSizes(b, out)
}
