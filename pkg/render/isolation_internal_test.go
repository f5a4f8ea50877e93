package render

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/reports"
)

// simDigest is a small weekly digest from the simulator: chat volume by
// hour, canned messages (ranked) and rating by agent.
func simDigest(t *testing.T) *Digest {
	t.Helper()
	london, _ := time.LoadLocation("Europe/London")
	start := time.Date(2026, 11, 16, 0, 0, 0, 0, london)
	end := start.AddDate(0, 0, 7)
	now := end.Add(8 * time.Hour)
	srv := httptest.NewServer(comm100sim.New(comm100sim.Options{Seed: 7, Now: func() time.Time { return now }}))
	defer srv.Close()
	c := reports.New(reports.WithBaseURL(srv.URL), reports.WithAuth(reports.APIKey{SiteID: "10000", Email: "demo@example.com", Key: "demo-key"}))
	d := &Digest{Title: "Isolation", Period: Period{Start: start, End: end, Location: london}}
	for _, x := range []struct {
		name reports.Name
		g    reports.Group
	}{{"chatVolume", reports.GroupHour}, {"cannedMessage", ""}, {"rating", reports.GroupAgent}} {
		res, err := c.Fetch(context.Background(), x.name, reports.Query{From: start, To: end, Group: x.g})
		if err != nil {
			t.Fatal(err)
		}
		d.Sections = append(d.Sections, Section{Report: x.name, Group: x.g, Rows: res.Rows()})
	}
	return d
}

// textBlocks splits the text part into its sections (after the summary).
func textBlocks(text string) []string {
	parts := strings.Split(text, "\n== ")
	return parts[1:]
}

// A viewer that panics, and a chart that panics while it is drawn, each
// become a note in their own section; the other sections render whole.
func TestPanickingSectionBecomesNote(t *testing.T) {
	t.Parallel()
	sim := simDigest(t)

	for _, tc := range []struct {
		name   string
		viewer viewer
	}{
		{"viewer panics", func(*view, *Digest, *Section, *reports.Spec) { panic("boom in viewer") }},
		{"chart panics while drawn", panicsAt(0)},
		// The mail is made while the PDF draws: a chart that fails in the
		// PDF alone must still become a note in the mail.
		{"chart panics only in the PDF", panicsAt(1)},
		{"chart panics only in the PNG", panicsAt(2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := *sim
			d.viewerFor = map[reports.View]viewer{reports.ViewRanked: tc.viewer}
			out, err := Render(&d, Options{})
			if err != nil {
				t.Fatalf("Render failed for one bad section: %v", err)
			}
			blocks := textBlocks(out.Text)
			if len(blocks) != 3 {
				t.Fatalf("%d sections in the text, want 3", len(blocks))
			}
			if !strings.Contains(blocks[1], "could not be drawn") {
				t.Errorf("the bad section has no note:\n%s", blocks[1])
			}
			for _, i := range []int{0, 2} {
				if strings.Contains(blocks[i], "could not be drawn") || !strings.Contains(blocks[i], "  ") {
					t.Errorf("section %d was affected:\n%s", i, blocks[i])
				}
			}
			if !strings.Contains(out.HTML, "could not be drawn") {
				t.Error("the HTML lacks the note")
			}
			if len(out.Images) != 2 {
				t.Errorf("%d images, want the 2 good charts", len(out.Images))
			}
			if len(out.Problems) != 1 || !strings.Contains(out.Problems[0].Reason, "boom") {
				t.Errorf("Problems = %+v, want the one panic", out.Problems)
			}
			if len(out.PDF) == 0 {
				t.Error("no PDF")
			}
		})
	}
}

// panicsAt is a viewer whose chart panics while drawn at scale (the PDF
// draws at 1, the mail's PNGs at 2), or at any scale for 0.
func panicsAt(scale float64) viewer {
	return func(v *view, _ *Digest, _ *Section, _ *reports.Spec) {
		v.Summary = "drawn"
		v.figure = func(lo layout) *Figure {
			draw := func(painter) {
				if scale == 0 || lo.scale == scale {
					panic("boom in draw")
				}
			}
			return &Figure{fig: canvas{w: 100, h: 50, lo: lo, draw: draw}, Width: 100, Height: 50, lo: lo}
		}
	}
}

// A section whose rows cannot be copied for drawing (a panic while
// cleaning, on its own goroutine) is a failed section with its reason;
// the others are cleaned as usual.
func TestSectionThatCannotBeCleanedIsAProblem(t *testing.T) {
	t.Parallel()
	d := simDigest(t)
	bad := d.Sections[1].Report
	clean := cleanDigestWith(d, func(s Section) Section {
		if s.Report == bad {
			panic("boom in cleaning")
		}
		return cleanSection(s, d)
	})
	views := buildViews(clean)
	if v := views[1]; !strings.Contains(v.Problem, "boom in cleaning") || v.NoteKind != "error" || !strings.Contains(v.Note, "could not be drawn") {
		t.Errorf("the bad section's view: problem %q, note %q (%s)", v.Problem, v.Note, v.NoteKind)
	}
	for _, i := range []int{0, 2} {
		if views[i].Problem != "" || len(clean.Sections[i].Rows) == 0 {
			t.Errorf("section %d was affected: problem %q, %d rows", i, views[i].Problem, len(clean.Sections[i].Rows))
		}
	}
}

// A section naming a report the registry lacks is a note, not a crash.
func TestUnknownReportIsANote(t *testing.T) {
	t.Parallel()
	d := simDigest(t)
	d.Sections = append(d.Sections, Section{Report: "noSuchReport"})
	out, err := Render(d, Options{ImageScale: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Text, "Unknown report") {
		t.Error("no note for the unknown report")
	}
}

// A section whose rows break the CSV (a nil row, which only a hand-built
// digest has) is left out of the CSV and reported; the CSV is made on its
// own goroutine, where a panic would end the process.
func TestSectionThatBreaksTheCSVIsAProblem(t *testing.T) {
	t.Parallel()
	d := simDigest(t)
	d.Sections = append(d.Sections, Section{Report: "postChatSurvey", Title: "Broken survey", Rows: []any{(*reports.SurveyRow)(nil)}})
	out, err := Render(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var csvProblem bool
	for _, p := range out.Problems {
		csvProblem = csvProblem || p.Section == "Broken survey" && strings.HasPrefix(p.Reason, "CSV: ")
	}
	if !csvProblem {
		t.Errorf("Problems = %+v, want the broken section's CSV", out.Problems)
	}
	if bytes.Contains(out.CSV, []byte("Broken survey")) {
		t.Error("the broken section is in the CSV")
	}
	if !bytes.Contains(out.CSV, []byte(d.Sections[0].TitleText())) {
		t.Error("the other sections are not in the CSV")
	}
}
