package render_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// withRequestPages returns a copy of d whose request-page section has the
// given URLs (the visitors choose them).
func withRequestPages(t *testing.T, d *render.Digest, pages ...string) *render.Digest {
	t.Helper()
	c := *d
	c.Sections = append([]render.Section{}, d.Sections...)
	for i, s := range c.Sections {
		if s.Report != "chatSourceRequestPage" {
			continue
		}
		var rows []any
		for j, p := range pages {
			rows = append(rows, &reports.RequestPageRow{RequestPage: p, Chats: float64(100 - j)})
		}
		c.Sections[i].Rows = rows
		return &c
	}
	t.Fatal("the fixture has no request-page section")
	return nil
}

// One emoji in a name or a URL used to panic gofpdf (index out of range
// [65536]); a 20 KB URL took minutes to truncate. Both now render, the
// emoji as a visible □. (No time bound: the test's default timeout is the
// bound, as a hang used to exceed it.)
func TestEmojiAndHugeStringsRender(t *testing.T) {
	t.Parallel()
	base := fixtureDigest(t)
	d := withRequestPages(t, base, "https://example.com/"+strings.Repeat("a", 20_000), "https://example.com/🎉-party", "=HYPERLINK(\"http://evil\",\"x\")")
	d.Title = "Weekly 📈 digest"
	names := hostileNames(base, func(s string) string { return s })
	for id := range names[reports.GroupAgent] {
		names[reports.GroupAgent][id] += " 😀"
		break
	}
	d.Names = names
	out, err := render.Render(d, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, out.PDF)
	if !strings.Contains(text, "Weekly □ digest") {
		t.Errorf("the PDF title lacks the replacement glyph:\n%.300s", text)
	}
	if !strings.Contains(text, "example.com/aaaa") || strings.Contains(text, strings.Repeat("a", 2000)) {
		t.Error("the 20 KB URL is missing or not truncated in the PDF")
	}
	if len(out.PDF) == 0 {
		t.Error("Render made no PDF")
	}
}

// CSV cells a spreadsheet would run as formulas are neutralised (OWASP):
// a leading apostrophe for text starting with = + - @ tab or CR, while
// numbers stay numbers.
func TestCSVNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	d := withRequestPages(t, fixtureDigest(t), "=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", "https://ok.example/")
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(render.CSV(d), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range recs[1:] {
		if r[1] != "chatSourceRequestPage" {
			if strings.HasPrefix(r[8], "'") {
				t.Errorf("a number was prefixed: %q", r)
			}
			continue
		}
		seen++
		for _, cell := range r[:8] {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
		if r[5] == "https://ok.example/" != (r[6] == "https://ok.example/") {
			t.Errorf("a harmless cell was changed: %q", r)
		}
	}
	if seen != 7 {
		t.Errorf("%d request-page lines, want 7", seen)
	}
}

// The text says what is really attached, a partial period says so in the
// title, and money carries the configured currency.
func TestHonestMail(t *testing.T) {
	t.Parallel()
	base := fixtureDigest(t)
	for _, tc := range []struct {
		name      string
		attached  []string
		want, not []string
	}{
		{"default is the PDF", nil, []string{"attached as a PDF"}, []string{"CSV"}},
		{"html only", []string{}, []string{"Tables in this mail show their first rows", "more rows not shown"}, []string{"attached as a PDF", "attached PDF"}},
		{"csv only", []string{"csv"}, []string{"attached as a CSV file", "more rows in the attached CSV"}, []string{"attached as a PDF", "attached PDF"}},
		{"pdf and csv", []string{"pdf", "csv"}, []string{"attached as a PDF; every number is attached as a CSV file"}, nil},
		{"xlsx only", []string{"xlsx"}, []string{"Every number of this report is attached as an Excel workbook.", "more rows in the attached Excel workbook"},
			[]string{"attached as a PDF", "CSV"}},
		{"pdf, csv and xlsx", []string{"pdf", "csv", "xlsx"},
			[]string{"attached as a PDF; every number is attached as an Excel workbook and a CSV file.", "more rows in the attached PDF"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := render.Render(base, render.Options{Attached: tc.attached, ImageScale: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.want {
				if !strings.Contains(out.Text, s) {
					t.Errorf("text lacks %q", s)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(out.Text, s) || strings.Contains(out.HTML, s) {
					t.Errorf("mail says %q", s)
				}
			}
		})
	}
	d := *base
	d.Partial, d.Currency = true, "EUR"
	out, err := render.Render(&d, render.Options{ImageScale: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.Text, "Weekly chat digest (partial)\n") || !strings.Contains(out.HTML, "Weekly chat digest (partial)") {
		t.Errorf("a partial period is not labelled:\n%.100s", out.Text)
	}
	if !strings.Contains(out.Text, "Value            EUR ") && !strings.Contains(out.Text, "EUR ") {
		t.Error("conversion value has no currency")
	}
	if strings.Contains(out.Text, " true ") || strings.Contains(out.Text, " false ") {
		t.Error("survey answers read true/false")
	}
}

// A workbook too large to attach is linked at the top, like the PDF, and
// the footer says so.
func TestLinkedWorkbook(t *testing.T) {
	out, err := render.Render(fixtureDigest(t), render.Options{PDFURL: "https://archive.example/d.pdf", XLSXURL: "https://archive.example/d.xlsx",
		Attached: []string{"csv"}, ImageScale: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Every number (Excel workbook, link valid 7 days): https://archive.example/d.xlsx",
		"The full report is linked above as a PDF; every number is attached as a CSV file, and linked above as an Excel workbook."} {
		if !strings.Contains(out.Text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if !strings.Contains(out.HTML, `href="https://archive.example/d.xlsx"`) {
		t.Error("HTML lacks the workbook's link")
	}
}
