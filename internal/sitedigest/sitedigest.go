// Package sitedigest builds, for tests and benchmarks, a weekly digest of
// every report fetched from the simulator (internal/comm100sim): the
// model render draws and the workbook lays out, from one fixture.
package sitedigest

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

// Section is one report and group of the fixture.
type Section struct {
	Report reports.Name
	Group  reports.Group
}

// Sections are one per report (and a few reports twice with another
// group), so every shape of rows and every kind of chart is exercised.
var Sections = []Section{
	{"chatVolume", reports.GroupHour}, {"chatVolume", reports.GroupWeekDistribution}, {"visits", reports.GroupDay},
	{"chatSource", reports.GroupDay}, {"chatSourceRequestPage", ""}, {"queue", reports.GroupDay},
	{"waitTime", reports.GroupDay}, {"waitTime", reports.GroupHalfHour}, {"chatTransfer", reports.GroupDepartment},
	{"availability", reports.GroupAgent}, {"agentStatus", ""}, {"agentPerformance", reports.GroupAgent},
	{"workload", reports.GroupDay}, {"efficiency", reports.GroupAgent}, {"rating", reports.GroupAgent},
	{"rating", reports.GroupDay}, {"postChatSurvey", ""}, {"prechatSurvey", ""}, {"wrapupSurvey", ""},
	{"wrapupCompletion", reports.GroupAgent}, {"conversions", reports.GroupDay}, {"manualInvitation", reports.GroupAgent},
	{"autoInvitation", reports.GroupAutoInvitation}, {"offlineMessage", reports.GroupDay}, {"cannedMessage", ""},
	{"realtimeRightNow", ""}, {"realtimeToday", ""}, {"realtimeCustomMetrics", ""}, {"realtimeAgents", ""}, {"realtimeQueue", ""},
}

// Names is the display names of a simulated site's entities.
func Names(dir comm100sim.Directory) format.Names {
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

// Options say which site and where.
type Options struct {
	Agents   int    // the site's size
	Zone     string // IANA name of the digest's timezone
	Currency string // of conversion values; "" as a digest without one
}

var (
	mu    sync.Mutex
	cache = map[Options]*render.Digest{}
)

// Weekly is the weekly digest (Mon 16 – Sun 22 Nov 2026 in o.Zone, with
// the week before) of a simulated site of o.Agents agents, every Section
// asked in the zone's offset, plus a section that could not be fetched.
// Digests are cached per Options: fetching 2,000 agents takes seconds.
func Weekly(tb testing.TB, o Options) *render.Digest {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if d, ok := cache[o]; ok {
		return d
	}
	loc, err := time.LoadLocation(o.Zone)
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, loc)
	opts := comm100sim.Options{Seed: 7, Agents: o.Agents, Departments: max(4, o.Agents/50), Now: func() time.Time { return now }}
	srv := httptest.NewServer(comm100sim.New(opts))
	defer srv.Close()
	c := reports.New(reports.WithBaseURL(srv.URL), reports.WithTimeout(5*time.Minute),
		reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}))
	cur := render.Period{Start: time.Date(2026, 11, 16, 0, 0, 0, 0, loc), End: time.Date(2026, 11, 23, 0, 0, 0, 0, loc), Location: loc}
	prev := render.Period{Start: cur.Start.AddDate(0, 0, -7), End: cur.Start, Location: loc}
	// The API's wall-clock times are read back in the query's offset, so a
	// zone behind UTC lands each bucket on its local hour.
	_, off := cur.Start.Zone()
	offset := time.Duration(off) * time.Second
	d := &render.Digest{ID: "weekly-managers", Title: "Weekly chat digest", Site: "Example Ltd (site 10000)", Period: cur, Previous: &prev,
		Paper: render.A4, Generated: now, Names: Names(comm100sim.SiteOf(opts)), Offset: offset, Currency: o.Currency}
	d.Sections = make([]render.Section, len(Sections))
	errs := make([]error, len(Sections))
	var wg sync.WaitGroup
	for i, fs := range Sections {
		wg.Go(func() {
			q := reports.Query{From: cur.Start, To: cur.End, Offset: offset, Group: fs.Group}
			res, err := c.Fetch(context.Background(), fs.Report, q)
			if err != nil {
				errs[i] = err
				return
			}
			s := render.Section{Report: fs.Report, Group: fs.Group, Rows: res.Rows()}
			if fs.Group.IsTime() || fs.Group.IsDimension() {
				q.From, q.To = prev.Start, prev.End
				if pr, err := c.Fetch(context.Background(), fs.Report, q); err == nil {
					s.Previous = pr.Rows()
				}
			}
			d.Sections[i] = s
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			tb.Fatalf("%s: %v", Sections[i].Report, err)
		}
	}
	d.Sections = append(d.Sections, render.Section{Report: "queue", Group: reports.GroupDepartment,
		Note: "Not available in your Comm100 edition (the Queue report needs Enterprise)."})
	cache[o] = d
	return d
}
