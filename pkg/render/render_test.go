package render_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"reportmailer/internal/testtool"
	"reportmailer/pkg/format"
	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// pdfText extracts a PDF's text with poppler's pdftotext. The test suite's
// setup (scripts/ensure-tools.sh) installs it; a missing tool fails loudly.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := testtool.Need(t, testtool.Poppler, "pdftotext")
	f, err := os.CreateTemp(t.TempDir(), "*.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(pdf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", f.Name(), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

var (
	renderMu     sync.Mutex // parallel tests share the one rendering
	renderOnce   *render.Output
	renderDigest *render.Digest
)

func rendered(t *testing.T) (*render.Digest, *render.Output) {
	t.Helper()
	renderMu.Lock()
	defer renderMu.Unlock()
	if renderOnce == nil {
		renderDigest = fixtureDigest(t)
		out, err := render.Render(renderDigest, render.Options{})
		if err != nil {
			t.Fatal(err)
		}
		renderOnce = out
	}
	return renderDigest, renderOnce
}

func TestDigestContainsEverySectionAndNumber(t *testing.T) {
	t.Parallel()
	d, out := rendered(t)
	text := pdfText(t, out.PDF)
	must := []string{
		"Weekly chat digest", "Mon 16 – Sun 22 Nov 2026, Europe/London", "Compared with Mon 9 – Sun 15 Nov 2026",
		// Accented, Greek and Cyrillic names must survive.
		"José Núñez", "Zoë Brontë", "Αλέξης Παπαδόπουλος", "Дмитрий Иванов", "Łukasz Wróbel",
		"Not available in your Comm100 edition",
	}
	for _, s := range d.Sections {
		must = append(must, s.TitleText())
	}
	// The KPI values are the key numbers; they must agree across PDF, HTML and text.
	kpiValue := regexp.MustCompile(`(?s)Chats.*?<div[^>]*>([0-9,]+)</div>`).FindStringSubmatch(out.HTML)
	if kpiValue == nil {
		t.Fatal("no Chats KPI in the HTML")
	}
	must = append(must, kpiValue[1])
	for _, s := range must {
		if !strings.Contains(text, s) {
			t.Errorf("PDF text lacks %q", s)
		}
	}
	for _, s := range []string{kpiValue[1], "José Núñez", "Αλέξης Παπαδόπουλος", "Дмитрий Иванов", "Not available in your Comm100 edition"} {
		if !strings.Contains(out.HTML, s) {
			t.Errorf("HTML lacks %q", s)
		}
		if !strings.Contains(out.Text, s) {
			t.Errorf("text lacks %q", s)
		}
	}
	if n := strings.Count(text, "\f"); n < 10 {
		t.Errorf("%d pages", n)
	}
	if !strings.Contains(text, "Page 1 of") {
		t.Error("no page numbers")
	}
}

func TestHTMLIsEmailSafe(t *testing.T) {
	t.Parallel()
	_, out := rendered(t)
	if len(out.HTML) > 100_000 {
		t.Errorf("HTML is %d bytes: Gmail clips over ~102 KB", len(out.HTML))
	}
	if strings.Contains(out.HTML, "data:") {
		t.Error("HTML uses data: URIs, which Gmail strips")
	}
	cids := regexp.MustCompile(`src="cid:([^"]+)"`).FindAllStringSubmatch(out.HTML, -1)
	if len(cids) == 0 || len(cids) != len(out.Images) {
		t.Fatalf("%d cid references for %d images", len(cids), len(out.Images))
	}
	have := map[string]bool{}
	for _, img := range out.Images {
		have[img.CID] = true
		if !bytes.HasPrefix(img.PNG, []byte("\x89PNG")) || img.Alt == "" {
			t.Errorf("image %s: not a PNG or no alt text", img.CID)
		}
	}
	for _, c := range cids {
		if !have[c[1]] {
			t.Errorf("cid:%s has no image", c[1])
		}
	}
	if n := strings.Count(out.HTML, "<img "); n != strings.Count(out.HTML, `alt="`) {
		t.Errorf("an image lacks alt text")
	}
	for _, bad := range []string{"display:flex", "display:grid", "<script"} {
		if strings.Contains(out.HTML, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	t.Parallel()
	d, out := rendered(t)
	again, err := render.Render(d, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.PDF, again.PDF) || out.HTML != again.HTML || out.Text != again.Text {
		t.Error("two renders of the same model differ")
	}
	for i := range out.Images {
		if !bytes.Equal(out.Images[i].PNG, again.Images[i].PNG) {
			t.Errorf("image %d differs", i)
		}
	}
}

func smallDigest(sections ...render.Section) *render.Digest {
	loc := time.UTC
	start := time.Date(2026, 11, 16, 0, 0, 0, 0, loc)
	return &render.Digest{Title: "T", Period: render.Period{Start: start, End: start.AddDate(0, 0, 7), Location: loc},
		Generated: start, Sections: sections}
}

func TestEmptyAndHostileData(t *testing.T) {
	t.Parallel()
	long := "https://www.example.com/" + strings.Repeat("very-long-path-segment/", 20) + "?q=<script>alert(1)</script>"
	d := smallDigest(
		render.Section{Report: "chatVolume", Group: reports.GroupDay, Rows: []any{}},
		render.Section{Report: "rating", Group: reports.GroupAgent, Rows: reports.Rows([]reports.RatingRow{{AgentID: "1"}})},
		render.Section{Report: "chatSourceRequestPage", Rows: reports.Rows([]reports.RequestPageRow{{RequestPage: long, Chats: 3}, {RequestPage: "<b>bold</b>", Chats: 1}})},
	)
	d.Names = format.Names{reports.GroupAgent: {"1": `<img src=x onerror=alert(1)>`}}
	out, err := render.Render(d, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out.HTML, "No chats in this period.") != 2 {
		t.Error("empty sections should say 'No chats in this period.'")
	}
	if strings.Contains(out.HTML, "<script>") || strings.Contains(out.HTML, "<b>bold") || strings.Contains(out.HTML, "<img src=x") {
		t.Error("API text reached the HTML unescaped")
	}
	text := pdfText(t, out.PDF)
	if !strings.Contains(text, "No chats in this period.") || !strings.Contains(text, "…") {
		t.Errorf("PDF: empty note or ellipsis missing:\n%s", text)
	}
}

func TestPaperSizes(t *testing.T) {
	t.Parallel()
	for paper, box := range map[render.Paper]string{render.A4: "/MediaBox [0 0 595.28 841.89]", render.Letter: "/MediaBox [0 0 612.00 792.00]"} {
		d := smallDigest()
		d.Paper = paper
		out, err := render.Render(d, render.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(out.PDF, []byte(box)) {
			t.Errorf("%s: no %s", paper, box)
		}
	}
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{format.Duration(750), "12m 30s"}, {format.Duration(45), "45s"}, {format.Duration(3600 * 3.5), "3h 30m"},
		{format.Duration(2678400), "31d 0h"}, {format.Count(1234567), "1,234,567"}, {format.Count(2.6), "2.6"},
		{format.Percent(0.823), "82%"}, {format.Percent(0.052), "5.2%"}, {format.Money(1234.5), "1,234.50"},
		{format.Change(110, 100, false, false).Text, "▲ 10%"}, {format.Change(110, 100, true, false).Tone, "bad"},
		{format.Change(90, 100, true, false).Tone, "good"}, {format.Change(0, 0, false, false).Text, "no change"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	london, _ := time.LoadLocation("Europe/London")
	for _, tc := range []struct {
		p    render.Period
		want string
	}{
		{render.Period{Start: time.Date(2026, 11, 16, 0, 0, 0, 0, london), End: time.Date(2026, 11, 23, 0, 0, 0, 0, london), Location: london}, "Mon 16 – Sun 22 Nov 2026"},
		{render.Period{Start: time.Date(2026, 10, 26, 0, 0, 0, 0, london), End: time.Date(2026, 11, 2, 0, 0, 0, 0, london), Location: london}, "Mon 26 Oct – Sun 1 Nov 2026"},
		{render.Period{Start: time.Date(2026, 11, 1, 0, 0, 0, 0, london), End: time.Date(2026, 12, 1, 0, 0, 0, 0, london), Location: london}, "November 2026"},
		{render.Period{Start: time.Date(2026, 11, 22, 0, 0, 0, 0, london), End: time.Date(2026, 11, 23, 0, 0, 0, 0, london), Location: london}, "Sun 22 Nov 2026"},
	} {
		if got := tc.p.Label(); got != tc.want {
			t.Errorf("label %q, want %q", got, tc.want)
		}
	}
}

func TestManySectionsStayUnderGmailsClip(t *testing.T) {
	t.Parallel()
	d := fixtureDigest(t)
	base := d.Sections
	for i := 0; i < 2; i++ {
		d.Sections = append(d.Sections, base...)
	}
	out, err := render.Render(d, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.HTML) > 100_000 {
		t.Errorf("HTML is %d bytes with %d sections", len(out.HTML), len(d.Sections))
	}
	if got := strings.Count(out.HTML, "<h2 "); got != len(d.Sections) {
		t.Errorf("%d section headings in the HTML, want %d", got, len(d.Sections))
	}
}

func TestCSVHasEveryNumberInLongFormat(t *testing.T) {
	t.Parallel()
	d, out := rendered(t)
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out.CSV, []byte("\ufeff"))))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "section,report,group,from,to,key,name,metric,value,period" {
		t.Fatalf("header %v", recs[0])
	}
	seen := map[string]bool{}
	var hourly int
	for _, rec := range recs[1:] {
		seen[rec[1]] = true
		if rec[1] == "chatVolume" && rec[2] == "hour" && rec[7] == "chats" && rec[9] == "current" {
			hourly++
			if _, err := time.Parse(time.RFC3339, rec[3]); err != nil || !strings.HasSuffix(rec[3], "Z") && !strings.Contains(rec[3][10:], "+") {
				t.Errorf("from %q is not an RFC 3339 instant with its offset", rec[3])
			}
		}
		if rec[9] == "previous" {
			seen["previous"] = true
		}
		if rec[1] == "autoInvitation" && rec[6] == "Website" {
			t.Errorf("auto invitation keyed by its campaign: %v", rec)
		}
		if rec[1] == "chatTransfer" && rec[2] == "department" && (rec[7] == "totalTransferredChats" || rec[7] == "departmentTransferredChats") {
			t.Errorf("a field the API does not return for departments: %v", rec)
		}
		if strings.HasSuffix(rec[6], "› true") || strings.HasSuffix(rec[6], "› false") {
			t.Errorf("survey answer reads %q, the PDF says Yes/No", rec[6])
		}
		if rec[6] == "José Núñez" {
			seen["accented name"] = true
		}
	}
	if hourly != 168 {
		t.Errorf("%d hourly chat values, want 168", hourly)
	}
	for _, s := range d.Sections {
		if s.Note == "" && s.Report != "realtimeToday" && !seen[string(s.Report)] {
			t.Errorf("no CSV lines for %s", s.Report)
		}
	}
	if !seen["accented name"] {
		t.Error("names missing from the CSV")
	}
	if !seen["previous"] {
		t.Error("no previous-period rows: the 'was' figures cannot be checked from the CSV")
	}
}

// Concurrent renders in one process (a CLI, a test, a future batch) must
// not share mutable state; run under -race.
func TestConcurrentRendersAreIndependent(t *testing.T) {
	t.Parallel()
	d := smallDigest(render.Section{Report: "chatSourceRequestPage", Rows: reports.Rows([]reports.RequestPageRow{{RequestPage: "https://example.com/Zoë", Chats: 3}})})
	want, err := render.Render(d, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := render.Render(d, render.Options{})
			if err != nil || !bytes.Equal(got.PDF, want.PDF) {
				t.Errorf("concurrent render differs (%v)", err)
			}
		}()
	}
	wg.Wait()
}

// TestPreviewHTMLInlinesImages: every cid: reference to an image becomes
// its PNG as a data: URI; anything else is left as it was.
func TestPreviewHTMLInlinesImages(t *testing.T) {
	t.Parallel()
	out := &render.Output{
		HTML:   "<img src=\"cid:a@x\"><p>cid: is how mail names parts</p><img src='cid:b@x'><img src=\"cid:missing@x\">cid:a@x<br>cid:b@x\n",
		Images: []render.Image{{CID: "a@x", PNG: []byte("first")}, {CID: "b@x", PNG: []byte("second\x00")}},
	}
	want := `<img src="data:image/png;base64,Zmlyc3Q="><p>cid: is how mail names parts</p><img src='data:image/png;base64,c2Vjb25kAA=='>` +
		"<img src=\"cid:missing@x\">data:image/png;base64,Zmlyc3Q=<br>data:image/png;base64,c2Vjb25kAA==\n"
	if got := render.PreviewHTML(out); got != want {
		t.Errorf("PreviewHTML =\n%s\nwant\n%s", got, want)
	}
}
