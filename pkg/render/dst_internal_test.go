package render

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/reports"
)

// In the week the clocks go back (London, Sun 25 Oct 2026) the API, asked
// in the offset in force at the start (+01:00), answers group=day with an
// eighth one-hour bucket. The digest folds it into Sunday: seven daily
// points whose sum is the week's total as the API gives it in one bucket.
func TestFallBackWeekHasSevenDays(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 10, 19, 0, 0, 0, 0, london)
	end := time.Date(2026, 10, 26, 0, 0, 0, 0, london)
	_, off := start.Zone()
	offset := time.Duration(off) * time.Second
	now := time.Date(2026, 10, 27, 8, 0, 0, 0, london)
	srv := httptest.NewServer(comm100sim.New(comm100sim.Options{Seed: 3, Now: func() time.Time { return now }}))
	defer srv.Close()
	c := reports.New(reports.WithBaseURL(srv.URL), reports.WithAuth(reports.APIKey{SiteID: "10000", Email: "demo@example.com", Key: "demo-key"}))
	fetch := func(name reports.Name, g reports.Group) []any {
		t.Helper()
		res, err := c.Fetch(context.Background(), name, reports.Query{From: start, To: end, Offset: offset, Group: g})
		if err != nil {
			t.Fatalf("%s %s: %v", name, g, err)
		}
		return res.Rows()
	}
	daily := fetch("chatVolume", reports.GroupDay)
	if len(daily) != 8 {
		t.Fatalf("the simulator should answer 8 day buckets in the fall-back week, got %d (test premise)", len(daily))
	}
	// group=week has the same extra hour (a second, one-hour bucket): the
	// week's total is the sum of what it returns.
	var wantChats float64
	for _, r := range fetch("chatVolume", reports.GroupWeek) {
		v, _ := reports.Value(r, "chats")
		wantChats += v
	}

	d := &Digest{Title: "DST", Period: Period{Start: start, End: end, Location: london}, Offset: offset,
		Sections: []Section{{Report: "chatVolume", Group: reports.GroupDay, Rows: daily},
			{Report: "waitTime", Group: reports.GroupDay, Rows: fetch("waitTime", reports.GroupDay)}}}
	clean := cleanDigest(d)
	m, _ := reports.Lookup("chatVolume")
	chats, _ := m.MetricByWire("chats")
	ts, vs := clean.series(clean.Sections[0].Rows, chats, 0)
	if len(ts) != 7 {
		t.Fatalf("%d daily points, want 7: %v", len(ts), ts)
	}
	var sum float64
	for i, v := range vs {
		sum += v
		if day := ts[i].In(london).Weekday(); day != []time.Weekday{1, 2, 3, 4, 5, 6, 0}[i] {
			t.Errorf("point %d is on %v", i, day)
		}
	}
	if sum != wantChats {
		t.Errorf("daily points sum to %v chats, the week has %v", sum, wantChats)
	}
	if n := len(clean.Sections[1].Rows); n != 7 {
		t.Errorf("wait time: %d daily rows, want 7", n)
	}
	if _, err := Render(d, Options{}); err != nil {
		t.Fatal(err)
	}
}
