package comm100sim_test

import (
	"context"
	"encoding/json"
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

func TestSurveyCountsAreSane(t *testing.T) {
	t.Parallel()
	c, _ := start(t, comm100sim.Options{Seed: 4})
	rows, err := c.WrapupSurvey(context.Background(), reports.Query{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		for _, f := range r.Fields {
			for _, o := range f.Options {
				if o.Count < 0 {
					t.Errorf("%s/%s negative", f.FieldName, o.Name)
				}
			}
		}
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
	if _, err := comm100sim.ParseFault("*:wobble=1"); err == nil || !strings.Contains(err.Error(), "unknown knob") {
		t.Errorf("bad knob: %v", err)
	}
}
