package comm100sim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/reports"
)

func start(t *testing.T, opts comm100sim.Options) (*reports.Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(comm100sim.New(opts))
	t.Cleanup(srv.Close)
	return reports.New(reports.WithBaseURL(srv.URL),
		reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey})), srv
}

var (
	from = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	to   = from.AddDate(0, 0, 7)
)

func TestHoursSumToDaysAndAgentsToSite(t *testing.T) {
	t.Parallel()
	c, _ := start(t, comm100sim.Options{Seed: 3})
	ctx := context.Background()
	// A +05:30 offset: hour buckets that are not UTC hours must still add up.
	kolkata := time.FixedZone("+05:30", 5*3600+1800)
	q := reports.Query{From: time.Date(2026, 11, 16, 0, 0, 0, 0, kolkata), To: time.Date(2026, 11, 23, 0, 0, 0, 0, kolkata), Offset: 5*time.Hour + 30*time.Minute}
	q.Group = reports.GroupHour
	hours, err := c.ChatVolume(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	q.Group = reports.GroupDay
	days, err := c.ChatVolume(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	q.Group = reports.GroupWeek
	weeks, err := c.ChatVolume(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var h, d, w float64
	for _, r := range hours {
		h += r.Chats
	}
	for _, r := range days {
		d += r.Chats
	}
	for _, r := range weeks {
		w += r.Chats
	}
	if h != d || d != w || h == 0 {
		t.Errorf("chats: hours %v, days %v, weeks %v", h, d, w)
	}
	if len(hours) != 168 || hours[0].Time.From.String() != "2026-11-16T00:00:00" || hours[1].Time.From.String() != "2026-11-16T01:00:00" {
		t.Errorf("%d hours, first from %s", len(hours), hours[0].Time.From)
	}
	// Per-agent ratings add up to the site's, and scores to rated chats.
	q.Group = reports.GroupAgent
	perAgent, err := c.Rating(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	q.Group = reports.GroupWeek
	site, err := c.Rating(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var agents, total float64
	for _, r := range perAgent {
		agents += r.Rated()
	}
	for _, r := range site {
		total += r.Rated()
	}
	if agents != total || total == 0 {
		t.Errorf("rated chats: agents %v, site %v", agents, total)
	}
}

// TestSurveyCountsAreSane checks the wrap-up survey against the wrap-ups
// the site recorded: one row per campaign, every question answered by each
// wrap-up exactly once (options and grouped options alike), no negative
// counts, and the campaigns adding up to the site's wrap-ups.
func TestSurveyCountsAreSane(t *testing.T) {
	t.Parallel()
	c, _ := start(t, comm100sim.Options{Seed: 4})
	ctx := context.Background()
	rows, err := c.WrapupSurvey(ctx, reports.Query{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(comm100sim.Site(0).Campaigns); len(rows) != want {
		t.Fatalf("wrap-up survey: %d rows, want one per campaign (%d)", len(rows), want)
	}
	var answered float64
	for _, r := range rows {
		if len(r.Fields) < 2 {
			t.Fatalf("campaign %s: %d fields, want the category and the resolution", r.CampaignID, len(r.Fields))
		}
		var first float64
		for i, f := range r.Fields {
			var n float64
			count := func(o reports.SurveyOption, name string) {
				if o.Count < 0 {
					t.Errorf("%s/%s: negative count %v", f.FieldName, name, o.Count)
				}
				n += o.Count
			}
			for _, o := range f.Options {
				count(o, o.Name)
			}
			for _, g := range f.Groups {
				for _, o := range g.Options {
					count(o, g.Name+" › "+o.Name)
				}
			}
			if i == 0 {
				first = n
			} else if n != first {
				t.Errorf("campaign %s: %q has %v answers, %q has %v: every wrap-up answers each question", r.CampaignID, f.FieldName, n, r.Fields[0].FieldName, first)
			}
		}
		if first == 0 {
			t.Errorf("campaign %s: no answers in a busy week", r.CampaignID)
		}
		answered += first
	}
	days, err := c.WrapupCompletion(ctx, reports.Query{From: from, To: to, Group: reports.GroupDay})
	if err != nil {
		t.Fatal(err)
	}
	var wrapups float64
	for _, d := range days {
		wrapups += d.Wrapups
	}
	if answered != wrapups {
		t.Errorf("survey answers %v, site wrap-ups %v: the campaigns must add up to the site", answered, wrapups)
	}
}

// TestLargeSite: a simulated contact centre of any size keeps its first
// agents' numbers, gives every agent a unique name, and its agents and
// departments add up to the site.
func TestLargeSite(t *testing.T) {
	t.Parallel()
	big := comm100sim.SiteOf(comm100sim.Options{Agents: 5000, Departments: 60})
	if len(big.Agents) != 5000 || len(big.Departments) != 60 {
		t.Fatalf("site of %d agents, %d departments; want 5000, 60", len(big.Agents), len(big.Departments))
	}
	seen := map[string]bool{}
	for i, a := range big.Agents {
		if seen[a.Name] {
			t.Fatalf("agent %d: name %q repeats", i+1, a.Name)
		}
		seen[a.Name] = true
	}
	small := comm100sim.Site(20)
	for i, a := range small.Agents {
		if big.Agents[i] != a {
			t.Errorf("agent %d: %v at 5,000 agents, %v at 20", i+1, big.Agents[i], a)
		}
	}

	ctx := context.Background()
	q := reports.Query{From: from, To: from.AddDate(0, 0, 2), Group: reports.GroupAgent}
	cs, _ := start(t, comm100sim.Options{Seed: 3})
	cb, _ := start(t, comm100sim.Options{Seed: 3, Agents: 600, Departments: 12})
	smallRows, err := cs.Workload(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	bigRows, err := cb.Workload(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(bigRows) != 600 {
		t.Fatalf("%d agent rows, want 600", len(bigRows))
	}
	for i, r := range smallRows {
		if bigRows[i] != r {
			t.Errorf("agent %s: %+v in the big site, %+v in the small one", r.AgentID, bigRows[i], r)
		}
	}
	sum := func(rows []reports.WorkloadRow) (chats float64) {
		for _, r := range rows {
			chats += r.Chats
		}
		return chats
	}
	q.Group = reports.GroupDepartment
	depts, err := cb.Workload(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(depts) != 12 {
		t.Fatalf("%d department rows, want 12", len(depts))
	}
	q.Group = reports.GroupDay
	days, err := cb.Workload(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	agents, site := sum(bigRows), sum(days)
	if agents != site || sum(depts) != site || site == 0 {
		t.Errorf("chats: agents %v, departments %v, site %v", agents, sum(depts), site)
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	_, a := start(t, comm100sim.Options{Seed: 9})
	_, b := start(t, comm100sim.Options{Seed: 9})
	_, other := start(t, comm100sim.Options{Seed: 10})
	get := func(base string) string {
		req, _ := http.NewRequest("GET", base+"/api/v3/livechat/reports/workload?siteId=10000&timeFrom=2026-11-16T00:00:00&timeTo=2026-11-23T00:00:00&group=agent", nil)
		req.SetBasicAuth(comm100sim.DefaultEmail, comm100sim.DefaultAPIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	if x, y := get(a.URL), get(b.URL); x != y {
		t.Error("same seed, different bytes")
	}
	if get(a.URL) == get(other.URL) {
		t.Error("different seeds, same bytes")
	}
}

func TestChecksRequestsLikeTheAPI(t *testing.T) {
	t.Parallel()
	_, srv := start(t, comm100sim.Options{})
	tests := []struct {
		name, path     string
		user, pass     string
		status         int
		messageContain string
	}{
		{"bad credentials", "/chatVolume?siteId=10000&timeFrom=2026-11-16T00:00:00&timeTo=2026-11-17T00:00:00&group=day", "demo@example.com", "wrong", 401, "invalid email or API key"},
		{"missing siteId", "/chatVolume?timeFrom=2026-11-16T00:00:00&timeTo=2026-11-17T00:00:00&group=day", "", "", 400, "siteId is required"},
		{"missing timeFrom", "/chatVolume?siteId=10000&timeTo=2026-11-17T00:00:00&group=day", "", "", 400, "timeFrom is required"},
		{"malformed timeTo", "/chatVolume?siteId=10000&timeFrom=2026-11-16T00:00:00&timeTo=17/11/2026&group=day", "", "", 400, "want yyyy-MM-ddTHH:mm:ss"},
		{"group not allowed", "/chatTransfer?siteId=10000&timeFrom=2026-11-16T00:00:00&timeTo=2026-11-17T00:00:00&group=agent", "", "", 400, `is not allowed for chatTransfer`},
		{"group missing", "/rating?siteId=10000&timeFrom=2026-11-16T00:00:00&timeTo=2026-11-17T00:00:00", "", "", 400, "group is required"},
		{"both rightNow spellings", "/realtime/rightnow?siteId=10000", "", "", 200, "ongoingChats"},
		{"other request page spelling", "/chatSourceRequestPage?siteId=10000&timeFrom=2026-11-16T00:00:00&timeTo=2026-11-17T00:00:00", "", "", 200, "requestPage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+"/api/v3/livechat/reports"+tc.path, nil)
			user, pass := tc.user, tc.pass
			if user == "" {
				user, pass = comm100sim.DefaultEmail, comm100sim.DefaultAPIKey
			}
			req.SetBasicAuth(user, pass)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.messageContain) {
				t.Errorf("%d %s", resp.StatusCode, body)
			}
			if tc.status >= 400 {
				var e map[string]any
				if json.Unmarshal(body, &e) != nil {
					t.Errorf("error body is not JSON: %s", body)
				}
			}
		})
	}
}

func TestScriptedQueue(t *testing.T) {
	t.Parallel()
	sim := comm100sim.New(comm100sim.Options{})
	sim.SetScript(comm100sim.NewScript(comm100sim.SurgeScript(), true))
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c := reports.New(reports.WithBaseURL(srv.URL), reports.WithAuth(reports.APIKey{SiteID: "10000", Email: "demo@example.com", Key: "demo-key"}))
	var lengths []int
	for i := 0; i < 8; i++ {
		qs, err := c.RealtimeQueue(context.Background(), reports.Query{})
		if err != nil {
			t.Fatal(err)
		}
		lengths = append(lengths, len(qs[1].Queue))
	}
	if lengths[0] != 0 || lengths[6] != 15 {
		t.Errorf("queue lengths %v", lengths)
	}
}

func TestParseFault(t *testing.T) {
	f, err := comm100sim.ParseFault("chatVolume:status=429,retryAfter=2,times=1")
	if err != nil || f.Status != 429 || f.RetryAfter != 2 || f.Times != 1 || f.Report != "chatVolume" {
		t.Errorf("%+v %v", f, err)
	}
	if f, err := comm100sim.ParseFault("*:status=500,filter=department=d1"); err != nil || f.Filter != "department=d1" {
		t.Errorf("filter: %+v, %v", f, err)
	}
	if _, err := comm100sim.ParseFault("*:wobble=1"); err == nil || !strings.Contains(err.Error(), "unknown knob") {
		t.Errorf("bad knob: %v", err)
	}
}

// The simulator's data is a function of UTC time: a range of instants has
// the same figures whatever offset it is asked in and however it is cut
// into buckets. That is what makes "the API asked for group=hour in UTC,
// summed per local day" a true measure of a local day (the DST tests of
// pkg/digest rely on it).
func TestDataIsAFunctionOfUTCTime(t *testing.T) {
	t.Parallel()
	c, _ := start(t, comm100sim.Options{Seed: 5})
	ctx := context.Background()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// Sun 1 Nov 2026 in New York: 25 hours, the clocks go back at 02:00.
	day := reports.Query{From: time.Date(2026, 11, 1, 0, 0, 0, 0, ny), To: time.Date(2026, 11, 2, 0, 0, 0, 0, ny), Group: reports.GroupDay}
	sums := func(rows []reports.ChatVolumeRow) [2]float64 {
		var s [2]float64
		for _, r := range rows {
			s[0] += r.Chats
			s[1] += r.MissedChats
		}
		return s
	}
	var got []string
	var first [2]float64
	for i, q := range []reports.Query{
		{From: day.From, To: day.To, Offset: -4 * time.Hour, Group: reports.GroupDay},
		{From: day.From, To: day.To, Offset: -5 * time.Hour, Group: reports.GroupDay},
		{From: day.From, To: day.To, Offset: 0, Group: reports.GroupHour},
		{From: day.From, To: day.To, Offset: 5*time.Hour + 30*time.Minute, Group: reports.GroupHour},
	} {
		rows, err := c.ChatVolume(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		s := sums(rows)
		if i == 0 {
			first = s
		}
		got = append(got, fmt.Sprintf("%s %s: %v", reports.FormatOffset(q.Offset), q.Group, s))
		if s != first || s[0] == 0 {
			t.Errorf("the same 25 hours give different totals:\n%s", strings.Join(got, "\n"))
		}
	}
	// One UTC hour reads the same in any offset.
	hour := reports.Query{From: time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 1, 15, 0, 0, 0, time.UTC), Group: reports.GroupHour}
	var wait []float64
	for _, off := range []time.Duration{0, -5 * time.Hour, 11 * time.Hour} {
		hour.Offset = off
		rows, err := c.WaitTime(ctx, hour)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("%d rows for one hour", len(rows))
		}
		wait = append(wait, rows[0].AvgWaitTime, rows[0].MaxWaitTime)
	}
	if wait[0] != wait[2] || wait[0] != wait[4] || wait[1] != wait[3] || wait[1] != wait[5] {
		t.Errorf("one UTC hour's wait times differ by offset: %v", wait)
	}
}
