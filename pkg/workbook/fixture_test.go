package workbook_test

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

// sections are one per report (and a few reports twice with another
// group), as in render's fixture: every shape of rows reaches the workbook.
var sections = []struct {
	report reports.Name
	group  reports.Group
}{
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

var (
	siteMu    sync.Mutex
	siteCache = map[int]*render.Digest{}
)

// siteDigest is a weekly digest (Mon 16 – Sun 22 Nov 2026, Europe/London,
// with the week before) of a simulated site with this many agents, plus a
// section that could not be fetched. Cached per size.
func siteDigest(tb testing.TB, agents int) *render.Digest {
	tb.Helper()
	siteMu.Lock()
	defer siteMu.Unlock()
	if d, ok := siteCache[agents]; ok {
		return d
	}
	// New York, five hours behind UTC: the API's wall-clock times must be
	// read back in the query's offset to land on the right local hour.
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, loc)
	opts := comm100sim.Options{Seed: 7, Agents: agents, Departments: max(4, agents/50), Now: func() time.Time { return now }}
	srv := httptest.NewServer(comm100sim.New(opts))
	defer srv.Close()
	c := reports.New(reports.WithBaseURL(srv.URL), reports.WithTimeout(5*time.Minute),
		reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}))
	cur := render.Period{Start: time.Date(2026, 11, 16, 0, 0, 0, 0, loc), End: time.Date(2026, 11, 23, 0, 0, 0, 0, loc), Location: loc}
	prev := render.Period{Start: cur.Start.AddDate(0, 0, -7), End: cur.Start, Location: loc}
	_, off := cur.Start.Zone()
	offset := time.Duration(off) * time.Second
	d := &render.Digest{ID: "weekly-managers", Title: "Weekly chat digest", Site: "Example Ltd (site 10000)", Period: cur, Previous: &prev,
		Paper: render.A4, Generated: now, Names: names(comm100sim.SiteOf(opts)), Offset: offset, Currency: "EUR"}
	d.Sections = make([]render.Section, len(sections))
	errs := make([]error, len(sections))
	var wg sync.WaitGroup
	for i, fs := range sections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := reports.Query{From: cur.Start, To: cur.End, Offset: offset, Group: fs.group}
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
			tb.Fatalf("%s: %v", sections[i].report, err)
		}
	}
	d.Sections = append(d.Sections, render.Section{Report: "queue", Group: reports.GroupDepartment,
		Note: "Not available in your Comm100 edition (the Queue report needs Enterprise)."})
	siteCache[agents] = d
	return d
}

func names(dir comm100sim.Directory) format.Names {
	out := format.Names{}
	add := func(g reports.Group, es []comm100sim.Entity) {
		out[g] = map[string]string{}
		for _, e := range es {
			out[g][e.ID] = e.Name
		}
	}
	add(reports.GroupAgent, dir.Agents)
	add(reports.GroupDepartment, dir.Departments)
	add(reports.GroupCampaign, dir.Campaigns)
	add("cannedMessage", dir.CannedMessages)
	add("autoInvitation", dir.AutoInvitations)
	add("conversionAction", dir.ConversionActions)
	add("customMetric", dir.CustomMetrics)
	return out
}
