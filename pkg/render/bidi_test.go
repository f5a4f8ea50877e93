package render_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// bidiControls are the characters that reorder the text after them: the
// embeddings and overrides, the isolates and the marks.
const bidiControls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"

// A visitor chooses the title of the page she chats from. With U+202E in it
// the rest of the line reads backwards ("Top: https://www.example.com/pay?x=
// ‮0 cod.evil//:sptth"), so the reader sees a link that is not there. The
// controls are gone by the time the text reaches any part of the mail.
func TestBidiControlsFromTheAPIReachNoPart(t *testing.T) {
	t.Parallel()
	page := "https://www.example.com/pay?x=\u202e0 cod.evil//:sptth\u2066\u200f\u061c"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// The JSON escape and the raw UTF-8 both decode to the control.
		w.Write([]byte(`[{"requestPage":"` + page + `","chats":333},{"requestPage":"https://www.example.com/\u202Dx","chats":2}]`))
	}))
	defer srv.Close()
	c := reports.New(reports.WithBaseURL(srv.URL), reports.WithAuth(reports.APIKey{SiteID: "1", Email: "a@example.com", Key: "k"}))
	d := smallDigest()
	res, err := c.Fetch(context.Background(), "chatSourceRequestPage", reports.Query{From: d.Period.Start, To: d.Period.End})
	if err != nil {
		t.Fatal(err)
	}
	d.Sections = []render.Section{{Report: "chatSourceRequestPage", Rows: res.Rows()}}
	out, err := render.Render(d, render.Options{ImageScale: 1})
	if err != nil {
		t.Fatal(err)
	}
	for part, body := range map[string]string{"text": out.Text, "HTML": out.HTML, "CSV": string(out.CSV), "PDF": pdfText(t, out.PDF)} {
		if i := strings.IndexAny(body, bidiControls); i >= 0 {
			t.Errorf("the %s part carries a bidi control: %q", part, body[max(0, i-40):min(len(body), i+40)])
		}
	}
	if !strings.Contains(out.Text, "https://www.example.com/pay?x=0 cod.evil//:sptth (333") {
		t.Errorf("the page is not named as it was, less its controls:\n%s", out.Text)
	}
}

// Ids with no configured name are cut short in labels; every part the
// mail declares UTF-8 (text, HTML, CSV) stays valid UTF-8 whatever the
// ids hold.
func TestHostileIDsLeaveEveryPartValidUTF8(t *testing.T) {
	t.Parallel()
	ids := []reports.ID{"abcdefgÑÑÑÑÑÑÑ", "abcdef€€€€€€€", "abcdefg😀😀😀😀", "ÑÑÑÑÑÑÑÑÑÑÑÑÑÑ", "a\u0301\u0301\u0301\u0301\u0301\u0301\u0301"}
	var rating []reports.RatingRow
	var work []reports.WorkloadRow
	for i, id := range ids {
		rating = append(rating, reports.RatingRow{AgentID: id, Score5: float64(10 + i)})
		work = append(work, reports.WorkloadRow{DepartmentID: id, Chats: float64(20 + i)})
	}
	d := smallDigest(
		render.Section{Report: "rating", Group: reports.GroupAgent, Rows: reports.Rows(rating)},
		render.Section{Report: "workload", Group: reports.GroupDepartment, Rows: reports.Rows(work)},
	)
	out, err := render.Render(d, render.Options{ImageScale: 1})
	if err != nil {
		t.Fatal(err)
	}
	for part, body := range map[string]string{"text": out.Text, "HTML": out.HTML, "CSV": string(out.CSV)} {
		if !utf8.ValidString(body) {
			t.Errorf("the %s part is not valid UTF-8", part)
		}
	}
}
