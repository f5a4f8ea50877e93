package render_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/internal/sitedigest"
	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// fixtureDigest builds a full weekly digest (Mon 16 – Sun 22 Nov 2026,
// Europe/London) from the deterministic simulator, with a failed section.
func fixtureDigest(tb testing.TB) *render.Digest {
	tb.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, london)
	srv := httptest.NewServer(comm100sim.New(comm100sim.Options{Seed: 7, Now: func() time.Time { return now }}))
	defer srv.Close()
	c := reports.New(reports.WithBaseURL(srv.URL), reports.WithAuth(reports.APIKey{SiteID: "10000", Email: "demo@example.com", Key: "demo-key"}))
	cur := render.Period{Start: time.Date(2026, 11, 16, 0, 0, 0, 0, london), End: time.Date(2026, 11, 23, 0, 0, 0, 0, london), Location: london}
	prev := render.Period{Start: cur.Start.AddDate(0, 0, -7), End: cur.Start, Location: london}
	dir := comm100sim.Site(20)
	names := sitedigest.Names(dir)
	d := &render.Digest{ID: "weekly-managers", Title: "Weekly chat digest", Site: "Example Ltd (site 10000)", Period: cur, Previous: &prev,
		Paper: render.A4, Generated: now, Names: names}
	for _, fs := range sitedigest.Sections {
		q := reports.Query{From: cur.Start, To: cur.End, Group: fs.Group}
		res, err := c.Fetch(context.Background(), fs.Report, q)
		if err != nil {
			tb.Fatalf("%s: %v", fs.Report, err)
		}
		s := render.Section{Report: fs.Report, Group: fs.Group, Rows: res.Rows()}
		if fs.Group.IsTime() || fs.Group.IsDimension() {
			q.From, q.To = prev.Start, prev.End
			if pr, err := c.Fetch(context.Background(), fs.Report, q); err == nil {
				s.Previous = pr.Rows()
			}
		}
		d.Sections = append(d.Sections, s)
	}
	// The API's whole-period figures, as the digest asks for them (group=month
	// covers a week inside one month).
	for _, name := range []reports.Name{"queue", "waitTime", "agentPerformance", "workload", "efficiency"} {
		t := render.Totals{Report: name}
		for _, p := range []render.Period{cur, prev} {
			res, err := c.Fetch(context.Background(), name, reports.Query{From: p.Start, To: p.End, Group: reports.GroupMonth})
			if err != nil {
				tb.Fatalf("%s totals: %v", name, err)
			}
			if p == cur {
				t.Rows = res.Rows()
			} else {
				t.Previous = res.Rows()
			}
		}
		d.Totals = append(d.Totals, t)
	}
	d.Sections = append(d.Sections, render.Section{Report: "queue", Group: reports.GroupDepartment,
		Note: "Not available in your Comm100 edition (the Queue report needs Enterprise)."})
	return d
}
