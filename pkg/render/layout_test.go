package render_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"reportmailer/internal/comm100sim"
	"reportmailer/internal/testtool"
	"reportmailer/pkg/render"
)

// TestLayoutAtScale renders the weekly digest of large sites and reads the
// PDF back with poppler's pdftotext -bbox: no word may leave the page box
// or the margins, run into the footer band, or overlap another word; every
// agent must be in the PDF's text or the CSV; the email's PNGs stay
// bounded and the mail fits the default message limit.
func TestLayoutAtScale(t *testing.T) {
	t.Parallel()
	testtool.Need(t, testtool.Poppler, "pdftotext")
	for _, tc := range []struct {
		agents int
		paper  render.Paper
	}{{200, render.Letter}, {2000, render.A4}} {
		agents := tc.agents
		t.Run(fmt.Sprintf("agents=%d/%s", agents, tc.paper), func(t *testing.T) {
			d := *siteDigest(t, agents)
			d.Paper = tc.paper
			out, err := render.Render(&d, render.Options{})
			if err != nil {
				t.Fatal(err)
			}
			pages := pdfWords(t, out.PDF)
			if len(pages) < 3 {
				t.Fatalf("%d pages", len(pages))
			}
			for i, p := range pages {
				checkPage(t, i+1, p)
			}
			checkAgents(t, pages, out.CSV, agents)
			checkMail(t, out)
		})
	}
}

const mmPt = 72 / 25.4

// The PDF's geometry (pdf.go): 15 mm margins, content ends 6 mm above the
// bottom margin, and the footer line sits in the bottom margin.
const (
	marginPt      = 15 * mmPt
	contentEndPt  = 21 * mmPt // from the bottom edge
	footerStartPt = 15 * mmPt
	slackPt       = 1.0 // glyph boxes include the font's ascent and descent
)

type word struct {
	x0, y0, x1, y1 float64
	text           string
}

type page struct {
	w, h  float64
	words []word
}

var (
	pageRe = regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)
	wordRe = regexp.MustCompile(`<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)</word>`)
)

func pdfWords(t *testing.T, pdf []byte) []page {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "digest.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(dir, "words.html")
	if b, err := exec.Command("pdftotext", "-bbox", in, outPath).CombinedOutput(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, b)
	}
	raw, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	var pages []page
	for _, line := range strings.Split(string(raw), "\n") {
		if m := pageRe.FindStringSubmatch(line); m != nil {
			pages = append(pages, page{w: num(m[1]), h: num(m[2])})
			continue
		}
		if m := wordRe.FindStringSubmatch(line); m != nil && len(pages) > 0 {
			p := &pages[len(pages)-1]
			p.words = append(p.words, word{num(m[1]), num(m[2]), num(m[3]), num(m[4]), html.UnescapeString(m[5])})
		}
	}
	return pages
}

func num(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func checkPage(t *testing.T, n int, p page) {
	t.Helper()
	bottom, footer := p.h-contentEndPt, p.h-footerStartPt
	bad := 0
	report := func(format string, args ...any) {
		if bad++; bad <= 5 {
			t.Errorf("page %d: "+format, append([]any{n}, args...)...)
		}
	}
	for _, w := range p.words {
		switch {
		case w.x0 < marginPt-slackPt || w.x1 > p.w-marginPt+slackPt || w.y0 < 0 || w.y1 > p.h:
			report("%q at (%.1f,%.1f)-(%.1f,%.1f) leaves the page's margins (%.0f×%.0f pt)", w.text, w.x0, w.y0, w.x1, w.y1, p.w, p.h)
		case w.y1 > bottom+slackPt && w.y0 < footer-slackPt:
			report("%q at y %.1f-%.1f runs into the footer band (%.1f-%.1f)", w.text, w.y0, w.y1, bottom, footer)
		}
	}
	// Overlaps: sweep the words by left edge.
	ws := append([]word{}, p.words...)
	sort.Slice(ws, func(i, j int) bool { return ws[i].x0 < ws[j].x0 })
	for i, a := range ws {
		for _, b := range ws[i+1:] {
			if b.x0 >= a.x1-slackPt {
				break
			}
			if min(a.y1, b.y1)-max(a.y0, b.y0) > 2*slackPt && min(a.x1, b.x1)-max(a.x0, b.x0) > slackPt {
				report("%q (%.1f,%.1f)-(%.1f,%.1f) overlaps %q (%.1f,%.1f)-(%.1f,%.1f)", a.text, a.x0, a.y0, a.x1, a.y1, b.text, b.x0, b.y0, b.x1, b.y1)
			}
		}
	}
}

// checkAgents: every agent of the site by name, in the PDF's text (its
// tables keep every row) or in the CSV.
func checkAgents(t *testing.T, pages []page, csvData []byte, agents int) {
	t.Helper()
	var text strings.Builder
	for _, p := range pages {
		for _, w := range p.words {
			text.WriteString(w.text)
			text.WriteByte(' ')
		}
		text.WriteByte('\n')
	}
	pdfText := text.String()
	inCSV := map[string]bool{}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvData, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	for _, r := range rows {
		if len(r) > 6 {
			inCSV[r[6]] = true
		}
	}
	dir := comm100sim.SiteOf(comm100sim.Options{Agents: agents})
	if len(dir.Agents) != agents {
		t.Fatalf("directory has %d agents", len(dir.Agents))
	}
	missing := 0
	for _, a := range dir.Agents {
		if !inCSV[a.Name] && !strings.Contains(pdfText, a.Name) {
			if missing++; missing <= 5 {
				t.Errorf("agent %s %q is in neither the PDF nor the CSV", a.ID, a.Name)
			}
		}
	}
}

// maxFigureH is the tallest figure (logical px, 600 wide) that fits a
// Letter page's content under a section heading: 230 mm at 0.31 mm/px.
// The PDF draws the same figures as the email's PNGs.
const maxFigureH = 740

// checkMail: bounded figures, and what the renderer puts in the mail (PDF,
// PNGs, HTML, text; base64 where MIME needs it) under the default 10 MB
// limit. The CSV attachment is the digest stage's to size.
func checkMail(t *testing.T, out *render.Output) {
	t.Helper()
	size := len(out.HTML) + len(out.Text)
	for _, img := range out.Images {
		size += len(img.PNG) * 4 / 3
		if img.Height > maxFigureH {
			t.Errorf("%s: %d px tall, over a page (%d)", img.Name, img.Height, maxFigureH)
		}
	}
	size += len(out.PDF) * 4 / 3
	if size > 10<<20 {
		t.Errorf("mail ≈ %.1f MB encoded, want under 10 MB", float64(size)/(1<<20))
	}
}
