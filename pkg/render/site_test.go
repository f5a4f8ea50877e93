package render_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/format"
	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// siteDigest builds the fixture's weekly digest (every report, Mon 16 –
// Sun 22 Nov 2026, Europe/London) from a simulated site of the given
// size, so benchmarks and layout tests cover large contact centres.
// Digests are cached per size: fetching 2,000 agents takes seconds.
func siteDigest(tb testing.TB, agents int) *render.Digest {
	tb.Helper()
	siteMu.Lock()
	defer siteMu.Unlock()
	if d, ok := siteCache[agents]; ok {
		return d
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, london)
	opts := comm100sim.Options{Seed: 7, Agents: agents, Departments: max(4, agents/50), Now: func() time.Time { return now }}
	srv := httptest.NewServer(comm100sim.New(opts))
	defer srv.Close()
	c := reports.New(reports.WithBaseURL(srv.URL), reports.WithTimeout(5*time.Minute),
		reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}))
	cur := render.Period{Start: time.Date(2026, 11, 16, 0, 0, 0, 0, london), End: time.Date(2026, 11, 23, 0, 0, 0, 0, london), Location: london}
	prev := render.Period{Start: cur.Start.AddDate(0, 0, -7), End: cur.Start, Location: london}
	d := &render.Digest{ID: "weekly-managers", Title: "Weekly chat digest", Site: "Example Ltd (site 10000)", Period: cur, Previous: &prev,
		Paper: render.A4, Generated: now, Names: siteNames(comm100sim.SiteOf(opts))}
	d.Sections = make([]render.Section, len(fixtureSections))
	var wg sync.WaitGroup
	errs := make([]error, len(fixtureSections))
	for i, fs := range fixtureSections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := reports.Query{From: cur.Start, To: cur.End, Group: fs.group}
			res, err := c.Fetch(context.Background(), fs.report, q)
			if err != nil {
				errs[i] = err
				return
			}
			s := render.Section{Report: fs.report, Group: fs.group, Rows: res.Rows()}
			if fs.group.IsTime() || fs.group.IsDimension() {
				q.From, q.To = prev.Start, prev.End
				if pr, err := c.Fetch(context.Background(), fs.report, q); err == nil {
					s.Previous = pr.Rows()
				}
			}
			d.Sections[i] = s
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			tb.Fatalf("%s: %v", fixtureSections[i].report, err)
		}
	}
	d.Sections = append(d.Sections, render.Section{Report: "queue", Group: reports.GroupDepartment,
		Note: "Not available in your Comm100 edition (the Queue report needs Enterprise)."})
	siteCache[agents] = d
	return d
}

var (
	siteMu    sync.Mutex
	siteCache = map[int]*render.Digest{}
)

func siteNames(dir comm100sim.Directory) format.Names {
	names := format.Names{}
	add := func(g reports.Group, es []comm100sim.Entity) {
		names[g] = map[string]string{}
		for _, e := range es {
			names[g][e.ID] = e.Name
		}
	}
	add(reports.GroupAgent, dir.Agents)
	add(reports.GroupDepartment, dir.Departments)
	add(reports.GroupCampaign, dir.Campaigns)
	add("cannedMessage", dir.CannedMessages)
	add("autoInvitation", dir.AutoInvitations)
	add("conversionAction", dir.ConversionActions)
	add("customMetric", dir.CustomMetrics)
	return names
}
