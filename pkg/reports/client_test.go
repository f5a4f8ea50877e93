package reports_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/reports"
)

var (
	weekFrom = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	weekTo   = weekFrom.AddDate(0, 0, 7)
)

// setup starts a simulator and returns a client pointed at it, plus the
// recorded retry delays.
func setup(t *testing.T, opts comm100sim.Options) (*reports.Client, *comm100sim.Server, *[]time.Duration) {
	t.Helper()
	sim := comm100sim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	delays := &[]time.Duration{}
	c := reports.New(
		reports.WithBaseURL(srv.URL),
		reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}),
		reports.WithSleeper(func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			*delays = append(*delays, d)
			mu.Unlock()
			return ctx.Err()
		}),
	)
	return c, sim, delays
}

func week(g reports.Group) reports.Query {
	return reports.Query{From: weekFrom, To: weekTo, Group: g}
}

func TestEveryReportFromSimulator(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t, comm100sim.Options{Seed: 1, Now: func() time.Time { return weekTo.Add(-10 * time.Hour) }})
	ctx := context.Background()
	tests := []struct {
		name  string
		fetch func() (int, error)
	}{
		{"chatVolume", func() (int, error) {
			rows, err := c.ChatVolume(ctx, week(reports.GroupDay))
			for _, r := range rows {
				if r.Chats > r.ChatRequests || r.Time == nil {
					t.Errorf("chatVolume row %+v: chats > requests or no time", r)
				}
			}
			return len(rows), err
		}},
		{"visits", func() (int, error) {
			rows, err := c.Visits(ctx, week(reports.GroupHalfHour))
			if err == nil && (len(rows) != 48 || rows[0].Time.From.Kind != reports.SlotClock) {
				t.Errorf("visits half-hour: %d rows, first %+v", len(rows), rows[0])
			}
			return len(rows), err
		}},
		{"chatSource", func() (int, error) {
			rows, err := c.ChatSource(ctx, week(reports.GroupWeekDistribution))
			if err == nil && (len(rows) != 168 || rows[0].Time.From.String() != "Sun. 00:00") {
				t.Errorf("chatSource 24*7: %d rows, first %v", len(rows), rows[0].Time.From)
			}
			return len(rows), err
		}},
		{"chatSourceRequestPage", func() (int, error) {
			rows, err := c.ChatSourceRequestPage(ctx, week(reports.GroupNone))
			if err == nil && !strings.HasPrefix(rows[0].RequestPage, "https://") {
				t.Errorf("request page %q", rows[0].RequestPage)
			}
			return len(rows), err
		}},
		{"queue", func() (int, error) {
			rows, err := c.Queue(ctx, week(reports.GroupDepartment))
			if err == nil && len(rows) != 4 {
				t.Errorf("queue by department: %d rows", len(rows))
			}
			return len(rows), err
		}},
		{"waitTime", func() (int, error) {
			rows, err := c.WaitTime(ctx, week(reports.GroupDay))
			for _, r := range rows {
				if r.MaxWaitTime < r.AvgWaitTime {
					t.Errorf("waitTime max %v < avg %v", r.MaxWaitTime, r.AvgWaitTime)
				}
			}
			return len(rows), err
		}},
		{"chatTransfer", func() (int, error) {
			rows, err := c.ChatTransfer(ctx, week(reports.GroupDepartment))
			if err == nil && rows[0].DepartmentID == "" {
				t.Errorf("chatTransfer row without departmentId")
			}
			return len(rows), err
		}},
		{"availability", func() (int, error) {
			rows, err := c.Availability(ctx, week(reports.GroupAgent))
			if err == nil && (len(rows) != 20 || len(rows[0].StatusDistribution) != 3) {
				t.Errorf("availability by agent: %d rows", len(rows))
			}
			return len(rows), err
		}},
		{"agentStatus", func() (int, error) {
			rows, err := c.AgentStatus(ctx, week(reports.GroupNone))
			if err == nil && (rows[0].AgentID != "1" || len(rows[0].ChangeLogs) == 0) {
				t.Errorf("agentStatus first row %+v", rows[0])
			}
			return len(rows), err
		}},
		{"agentPerformance", func() (int, error) {
			rows, err := c.AgentPerformance(ctx, week(reports.GroupAgent))
			return len(rows), err
		}},
		{"workload", func() (int, error) {
			rows, err := c.Workload(ctx, week(reports.GroupDay))
			for _, r := range rows {
				if r.AgentUtilization < 0 || r.AgentUtilization > 1 {
					t.Errorf("utilization %v", r.AgentUtilization)
				}
			}
			return len(rows), err
		}},
		{"efficiency", func() (int, error) {
			rows, err := c.Efficiency(ctx, week(reports.GroupDepartment))
			return len(rows), err
		}},
		{"rating", func() (int, error) {
			rows, err := c.Rating(ctx, week(reports.GroupAgent))
			var rated float64
			for _, r := range rows {
				rated += r.Rated()
			}
			if err == nil && rated == 0 {
				t.Error("no rated chats in a week")
			}
			return len(rows), err
		}},
		{"postChatSurvey", func() (int, error) {
			rows, err := c.PostChatSurvey(ctx, week(reports.GroupNone))
			if err == nil && rows[0].Fields[0].FieldName == "" {
				t.Error("survey field without name")
			}
			return len(rows), err
		}},
		{"prechatSurvey", func() (int, error) {
			rows, err := c.PrechatSurvey(ctx, week(reports.GroupNone))
			if err == nil && rows[0].Fields[0].Groups != nil {
				t.Error("pre-chat groups should be null")
			}
			return len(rows), err
		}},
		{"wrapupSurvey", func() (int, error) {
			rows, err := c.WrapupSurvey(ctx, week(reports.GroupNone))
			if err == nil && len(rows[0].Fields[0].Groups) == 0 {
				t.Error("wrap-up category has no groups")
			}
			return len(rows), err
		}},
		{"wrapupCompletion", func() (int, error) {
			rows, err := c.WrapupCompletion(ctx, week(reports.GroupWeek))
			for _, r := range rows {
				if r.Wrapups > r.Chats {
					t.Errorf("wrapups %v > chats %v", r.Wrapups, r.Chats)
				}
			}
			return len(rows), err
		}},
		{"conversions", func() (int, error) {
			rows, err := c.Conversions(ctx, week(reports.GroupConversionAction))
			if err == nil && (len(rows) != 3 || rows[0].ConversionActionID == "") {
				t.Errorf("conversions by action: %+v", rows)
			}
			return len(rows), err
		}},
		{"manualInvitation", func() (int, error) {
			rows, err := c.ManualInvitation(ctx, week(reports.GroupAgent))
			return len(rows), err
		}},
		{"autoInvitation", func() (int, error) {
			rows, err := c.AutoInvitation(ctx, week(reports.GroupAutoInvitation))
			if err == nil && (rows[0].AutoInvitationID == "" || rows[0].CampaignID == "") {
				t.Errorf("autoInvitation row %+v", rows[0])
			}
			return len(rows), err
		}},
		{"offlineMessage", func() (int, error) {
			rows, err := c.OfflineMessage(ctx, week(reports.GroupCampaign))
			for _, r := range rows {
				if r.Messages != r.FromOfflineButton+r.FromChatQueue {
					t.Errorf("offline messages %v != %v + %v", r.Messages, r.FromOfflineButton, r.FromChatQueue)
				}
			}
			return len(rows), err
		}},
		{"cannedMessage", func() (int, error) {
			rows, err := c.CannedMessage(ctx, week(reports.GroupNone))
			return len(rows), err
		}},
		{"realtimeRightNow", func() (int, error) {
			rn, err := c.RealtimeRightNow(ctx, reports.Query{})
			if err == nil && rn.CurrentQueueLength == nil {
				t.Error("rightNow without currentQueueLength")
			}
			return 1, err
		}},
		{"realtimeToday", func() (int, error) {
			today, err := c.RealtimeToday(ctx, reports.Query{})
			if err == nil && today.ChatOverview == nil {
				t.Error("today without chatOverview")
			}
			return 1, err
		}},
		{"realtimeCustomMetrics", func() (int, error) {
			rows, err := c.RealtimeCustomMetrics(ctx, reports.Query{})
			return len(rows), err
		}},
		{"realtimeAgents", func() (int, error) {
			rows, err := c.RealtimeAgents(ctx, reports.Query{})
			if err == nil && rows[0].CurrentStatus == "" {
				t.Error("agent without status")
			}
			return len(rows), err
		}},
		{"realtimeQueue", func() (int, error) {
			rows, err := c.RealtimeQueue(ctx, reports.Query{})
			if err == nil && rows[0].RouteTo.Type != reports.RouteSite {
				t.Errorf("first queue %+v", rows[0].RouteTo)
			}
			return len(rows), err
		}},
	}
	// Reports served from our own history have no API call to test
	// (TestHistoryReportsNeverCallTheAPI).
	api := 0
	for _, s := range reports.All() {
		if !s.FromHistory() {
			api++
		}
	}
	if len(tests) != api {
		t.Fatalf("%d cases for %d API reports", len(tests), api)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := tc.fetch()
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatal("no rows")
			}
		})
	}
}

// A report served from the stack's history (queueHistory) is refused by
// the client before any request: the simulator counts no call at all,
// whatever the query.
func TestHistoryReportsNeverCallTheAPI(t *testing.T) {
	t.Parallel()
	c, sim, _ := setup(t, comm100sim.Options{Seed: 2})
	n := 0
	for _, spec := range reports.All() {
		if !spec.FromHistory() {
			continue
		}
		n++
		if len(spec.Paths) != 0 {
			t.Errorf("%s is served from history but has API paths %v", spec.Name, spec.Paths)
		}
		for _, q := range []reports.Query{week(reports.GroupNone), {}, {Filter: &reports.Filter{Name: "department", Value: "1"}}} {
			if _, err := c.Fetch(context.Background(), spec.Name, q); !errors.Is(err, reports.ErrFromHistory) {
				t.Errorf("%s: Fetch error %v, want ErrFromHistory", spec.Name, err)
			}
		}
	}
	if n == 0 {
		t.Fatal("no report is served from history; queueHistory should be")
	}
	if calls := sim.Calls(); len(calls) != 0 {
		t.Errorf("the simulator saw calls %v", calls)
	}
}

func TestHourGroupOverAWeek(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t, comm100sim.Options{Seed: 2})
	rows, err := c.ChatVolume(context.Background(), week(reports.GroupHour))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 168 {
		t.Fatalf("%d hour buckets, want 168", len(rows))
	}
	if got := rows[1].Time.From.String(); got != "2026-11-16T01:00:00" {
		t.Errorf("second bucket from %s", got)
	}
	if got := rows[167].Time.To.String(); got != "2026-11-23T00:00:00" {
		t.Errorf("last bucket to %s", got)
	}
}

func TestSamplesDecode(t *testing.T) {
	t.Parallel()
	for _, spec := range reports.All() {
		t.Run(string(spec.Name), func(t *testing.T) {
			if spec.FromHistory() {
				// Not an API report: no sample, and nothing to decode.
				if _, err := reports.Decode(spec.Name, []byte("{}")); !errors.Is(err, reports.ErrFromHistory) {
					t.Errorf("Decode error %v, want ErrFromHistory", err)
				}
				return
			}
			body, err := os.ReadFile(filepath.Join("testdata", "samples", string(spec.Name)+".json"))
			if err != nil {
				t.Fatal(err)
			}
			data, err := reports.Decode(spec.Name, body)
			if err != nil {
				t.Fatal(err)
			}
			if spec.IsObject() {
				return
			}
			if len(reports.Rows(data)) == 0 {
				t.Fatal("no rows")
			}
		})
	}
	// Values and quirks from the reference's samples.
	chk := func(name reports.Name, check func(data any) bool) {
		body, _ := os.ReadFile(filepath.Join("testdata", "samples", string(name)+".json"))
		data, err := reports.Decode(name, body)
		if err != nil || !check(data) {
			t.Errorf("%s sample: unexpected decode %+v (%v)", name, data, err)
		}
	}
	chk("chatVolume", func(d any) bool {
		r := d.([]reports.ChatVolumeRow)[0]
		return r.ChatRequests == 36 && r.Time.From.DateTime.Equal(time.Date(2017, 12, 1, 0, 0, 0, 0, time.UTC))
	})
	chk("chatSource", func(d any) bool {
		r := d.([]reports.ChatSourceRow)[0]
		return r.AvgChatsInitiatedByVisitors == 2.6 && r.Time.From.Weekday == time.Sunday
	})
	chk("visits", func(d any) bool { r := d.([]reports.VisitsRow)[0]; return r.Visits == 231 && r.Time.To.Minute == 30 })
	chk("availability", func(d any) bool {
		r := d.([]reports.AvailabilityRow)[1]
		return r.AgentID == "2" && r.StatusDistribution[2].Time == 1382400
	})
	chk("chatTransfer", func(d any) bool {
		r := d.([]reports.ChatTransferRow)[0]
		return r.DepartmentID == "1487fc9d-92e6-4487-a2e8-92e68d6892e6" && r.DepartmentTransferredInChats == 4
	})
	chk("wrapupSurvey", func(d any) bool { return d.([]reports.SurveyRow)[0].Fields[0].Groups[0].Options[1].Count == 2 })
	chk("realtimeRightNow", func(d any) bool { r := d.(*reports.RightNow); return *r.ChatUtilization == 0.22 })
	chk("realtimeQueue", func(d any) bool { return d.([]reports.RealtimeQueue)[0].Queue[0].WaitTime == 50 })
}

func TestTolerantSpellings(t *testing.T) {
	t.Parallel()
	data, err := reports.Decode("queue", []byte(`[{"avgMaxQueueSize": 3.5}, {"avgMmaxQueueSize": 2}]`))
	if err != nil {
		t.Fatal(err)
	}
	rows := data.([]reports.QueueRow)
	if rows[0].AvgMaxQueueSize != 3.5 || rows[1].AvgMaxQueueSize != 2 {
		t.Errorf("avg max queue size: %+v", rows)
	}
	data, err = reports.Decode("chatSource", []byte(`[{"chatsInitiatedByVisitors": 7}]`))
	if err != nil || data.([]reports.ChatSourceRow)[0].ChatsInitiatedByVisitors != 7 {
		t.Errorf("corrected spelling not accepted: %+v %v", data, err)
	}
}

// countingServer answers 200 [] and counts requests.
func countingServer(t *testing.T) (*reports.Client, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		_, _ = w.Write([]byte("[]"))
	}))
	t.Cleanup(srv.Close)
	return reports.New(reports.WithBaseURL(srv.URL)), &n
}

func TestInvalidQueriesMakeNoRequest(t *testing.T) {
	t.Parallel()
	c, n := countingServer(t)
	tests := []struct {
		name   string
		report reports.Name
		q      reports.Query
		want   string
	}{
		{"group not allowed", "chatTransfer", week(reports.GroupHalfHour), `invalid group "halfHourDistribution" (allowed: hour, day, week, month, department)`},
		{"group missing", "chatVolume", week(reports.GroupNone), `invalid group "": required`},
		{"group on a report without", "cannedMessage", week(reports.GroupDay), "this report takes no group"},
		{"filter not allowed", "visits", reports.Query{From: weekFrom, To: weekTo, Group: reports.GroupDay, Filter: &reports.Filter{Name: "agent", Value: "1"}},
			`invalid filterName "agent" (allowed: campaign)`},
		{"filter without value", "visits", reports.Query{From: weekFrom, To: weekTo, Group: reports.GroupDay, Filter: &reports.Filter{Name: "campaign"}},
			"required with filterName campaign"},
		{"range reversed", "chatVolume", reports.Query{From: weekTo, To: weekFrom, Group: reports.GroupDay}, "must be after timeFrom"},
		{"range missing", "rating", reports.Query{Group: reports.GroupDay}, "invalid timeFrom"},
		{"odd offset", "chatVolume", reports.Query{From: weekFrom, To: weekTo, Group: reports.GroupDay, Offset: 30 * time.Second}, "whole minutes"},
	}
	for _, tc := range tests {
		_, err := c.Fetch(context.Background(), tc.report, tc.q)
		var verr *reports.ValidationError
		if !errors.As(err, &verr) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), string(tc.report)) {
			t.Errorf("%s: err = %v, want ValidationError containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := c.Fetch(context.Background(), "nope", week(reports.GroupDay)); err == nil || !strings.Contains(err.Error(), "unknown report") {
		t.Errorf("unknown report: %v", err)
	}
	if got := n.Load(); got != 0 {
		t.Errorf("%d requests made for invalid queries", got)
	}
}

func TestQueryEncoding(t *testing.T) {
	t.Parallel()
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Path + "?" + r.URL.RawQuery
		user, pass, _ := r.BasicAuth()
		if user != "a@b.c" || pass != "k" {
			t.Errorf("basic auth %q %q", user, pass)
		}
		_, _ = w.Write([]byte("[]"))
	}))
	defer srv.Close()
	c := reports.New(reports.WithBaseURL(srv.URL+"/prefix"), reports.WithAuth(reports.APIKey{SiteID: "42", Email: "a@b.c", Key: "k"}))
	// Europe/London's week of the spring change, expressed in +00:00.
	london, _ := time.LoadLocation("Europe/London")
	q := reports.Query{From: time.Date(2026, 3, 23, 0, 0, 0, 0, london), To: time.Date(2026, 3, 30, 0, 0, 0, 0, london),
		Group: reports.GroupDay, Filter: &reports.Filter{Name: "department", Value: "d-1"}}
	if _, err := c.ChatVolume(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	want := "/prefix/api/v3/livechat/reports/chatVolume?filterName=department&filterValue=d-1&group=day&siteId=42&timeFrom=2026-03-23T00%3A00%3A00&timeTo=2026-03-29T23%3A00%3A00&timezone=%2B00%3A00"
	if got != want {
		t.Errorf("request\n got %s\nwant %s", got, want)
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	t.Run("429 honours Retry-After", func(t *testing.T) {
		c, sim, delays := setup(t, comm100sim.Options{})
		sim.AddFault(comm100sim.Fault{Report: "visits", Status: 429, RetryAfter: 7, Times: 1})
		if _, err := c.Visits(context.Background(), week(reports.GroupDay)); err != nil {
			t.Fatal(err)
		}
		if len(*delays) != 1 || (*delays)[0] != 7*time.Second {
			t.Errorf("delays %v, want [7s]", *delays)
		}
	})
	t.Run("500 retried then succeeds", func(t *testing.T) {
		c, sim, delays := setup(t, comm100sim.Options{})
		sim.AddFault(comm100sim.Fault{Report: "rating", Status: 500, Times: 2})
		if _, err := c.Rating(context.Background(), week(reports.GroupDay)); err != nil {
			t.Fatal(err)
		}
		if len(*delays) != 2 || (*delays)[1] < (*delays)[0]/2 {
			t.Errorf("delays %v", *delays)
		}
		if got := sim.Calls()["rating"]; got != 3 {
			t.Errorf("%d calls, want 3", got)
		}
	})
	t.Run("bounded attempts", func(t *testing.T) {
		c, sim, _ := setup(t, comm100sim.Options{})
		sim.AddFault(comm100sim.Fault{Report: "queue", Status: 503})
		_, err := c.Queue(context.Background(), week(reports.GroupDay))
		var apiErr *reports.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != 503 || apiErr.Attempts != 4 {
			t.Fatalf("err = %v", err)
		}
		if !strings.Contains(err.Error(), "HTTP 503 Service Unavailable after 4 attempts") {
			t.Errorf("message %q", err)
		}
	})
	t.Run("403 is not in edition, not retried", func(t *testing.T) {
		c, sim, delays := setup(t, comm100sim.Options{Edition: reports.Business})
		_, err := c.Workload(context.Background(), week(reports.GroupDay))
		if !errors.Is(err, reports.ErrNotInEdition) {
			t.Fatalf("err = %v", err)
		}
		if len(*delays) != 0 || sim.Calls()["workload"] != 1 {
			t.Errorf("403 retried: %v", *delays)
		}
		if _, err := c.ChatVolume(context.Background(), week(reports.GroupDay)); err != nil {
			t.Errorf("business edition chatVolume: %v", err)
		}
	})
	t.Run("401 is unauthorized and leaks no key", func(t *testing.T) {
		sim := comm100sim.New(comm100sim.Options{})
		srv := httptest.NewServer(sim)
		defer srv.Close()
		c := reports.New(reports.WithBaseURL(srv.URL), reports.WithAuth(reports.APIKey{SiteID: "10000", Email: "demo@example.com", Key: "sup3r-s3cret"}))
		_, err := c.Visits(context.Background(), week(reports.GroupDay))
		if !errors.Is(err, reports.ErrUnauthorized) || strings.Contains(err.Error(), "sup3r-s3cret") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("malformed and truncated bodies", func(t *testing.T) {
		c, sim, _ := setup(t, comm100sim.Options{})
		sim.AddFault(comm100sim.Fault{Report: "visits", Malformed: true})
		sim.AddFault(comm100sim.Fault{Report: "rating", Truncate: true})
		for _, name := range []reports.Name{"visits", "rating"} {
			_, err := c.Fetch(context.Background(), name, week(reports.GroupDay))
			if !errors.Is(err, reports.ErrBadResponse) {
				t.Errorf("%s: err = %v", name, err)
			}
		}
	})
	t.Run("cancellation stops promptly", func(t *testing.T) {
		c, sim, _ := setup(t, comm100sim.Options{})
		sim.AddFault(comm100sim.Fault{Report: "visits", Latency: time.Minute})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := c.Visits(ctx, week(reports.GroupDay))
			done <- err
		}()
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) || reports.Reason(err) != "cancelled" {
				t.Errorf("err = %v (reason %s)", err, reports.Reason(err))
			}
		case <-time.After(10 * time.Second):
			t.Fatal("request did not stop after cancel")
		}
	})
}

func TestPathFallbackIsRemembered(t *testing.T) {
	t.Parallel()
	var paths []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		if !strings.HasSuffix(r.URL.Path, "/chatSourceRequestPage") {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`[{"requestPage":"https://x","chats":1}]`))
	}))
	defer srv.Close()
	c := reports.New(reports.WithBaseURL(srv.URL))
	for i := 0; i < 2; i++ {
		rows, err := c.ChatSourceRequestPage(context.Background(), week(reports.GroupNone))
		if err != nil || len(rows) != 1 {
			t.Fatalf("call %d: %v %v", i, rows, err)
		}
	}
	if len(paths) != 3 || !strings.HasSuffix(paths[2], "/chatSourceRequestPage") {
		t.Errorf("paths %v: want one 404, then the fallback twice", paths)
	}
}

func TestRateLimitIsShared(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("[]")) }))
	defer srv.Close()
	c := reports.New(reports.WithBaseURL(srv.URL), reports.WithRateLimit(2, 0.001))
	// The limiter refuses at once a wait that would pass the deadline (1000 s > 5 s).
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Visits(ctx, week(reports.GroupDay)); err != nil {
				errs.Add(1)
			}
		}()
	}
	wg.Wait()
	if errs.Load() != 1 {
		t.Errorf("%d calls refused by a burst-2 limiter, want 1", errs.Load())
	}
}
