package digest_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/config"
	"reportmailer/pkg/digest"
	"reportmailer/pkg/format"
	"reportmailer/pkg/history"
	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

const (
	salesID   = "1487fd00-92e6-4487-a2e8-92e68d6892e0"
	supportID = "1487fd01-92e6-4487-a2e8-92e68d6892e1"
)

const queueWeekConfig = `
comm100: {baseURL: "https://api1.comm100.io", siteID: "10000"}
mail: {from: "reports@example.com"}
names:
  departments:
    ` + salesID + `: Sales
    ` + supportID + `: Support
digests:
  - id: queue-week
    title: Queue week
    period: week
    timezone: Europe/Berlin
    to: [lead@example.com]
    formats: [html, csv]
    reports:
      - {report: queueHistory}
      - {report: queueHistory, title: Sales queue, waitOver: 90s, filter: {name: department, value: ` + salesID + `}}
      - {report: chatVolume, group: day}
    audience:
      filter: department
      members:
        ` + supportID + `: [support-lead@example.com]
`

// storedWeek is the simulator's scripted week as the alert poller keeps
// it, from the first minute kept (skip minutes after its start).
func storedWeek(t *testing.T, skip int) *history.Memory {
	t.Helper()
	store := &history.Memory{}
	for i, st := range comm100sim.WeekScript() {
		if i < skip {
			continue
		}
		var err error
		if st.Fail != 0 {
			err = errors.New("HTTP 503")
		}
		if err := store.Put(context.Background(), history.FromPoll(comm100sim.WeekStart.Add(time.Duration(i)*time.Minute), st.Queues, st.RightNow, err)); err != nil {
			t.Fatal(err)
		}
	}
	return store
}

// expectedDay is a day's figures recomputed straight from the snapshots.
type expectedDay struct {
	polls, peak, over, gaps int
	peakAt                  time.Time
	longest                 float64
}

// recompute walks the stored snapshots of [from, to) itself (not through
// history.Summarize): per local day in loc the peak and its first minute,
// the minutes someone had waited over wait, the longest wait, the minutes
// without a successful poll; and each weekday-hour's median queue length.
func recompute(t *testing.T, store *history.Memory, from, to time.Time, loc *time.Location, dept string, wait float64) (map[string]*expectedDay, map[string]float64) {
	t.Helper()
	snaps, err := store.Range(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	ok := map[int64]bool{}
	days := map[string]*expectedDay{}
	hours := map[string][]float64{}
	for _, s := range snaps {
		if s.Err != "" {
			continue
		}
		ok[s.At.Unix()] = true
		l := s.At.In(loc)
		k := l.Format(time.DateOnly)
		if days[k] == nil {
			days[k] = &expectedDay{peak: -1}
		}
		d := days[k]
		d.polls++
		n, longest := 0, 0.0
		for _, q := range s.Queues {
			if dept != "" && (q.RouteTo.Type != reports.RouteDepartment || string(q.RouteTo.ID) != dept) {
				continue
			}
			n += len(q.Waits)
			for _, w := range q.Waits {
				longest = max(longest, w)
			}
		}
		if n > d.peak {
			d.peak, d.peakAt = n, l
		}
		if longest > wait {
			d.over++
		}
		d.longest = max(d.longest, longest)
		cell := l.Format("Mon") + " " + l.Format("15") + ":00"
		hours[cell] = append(hours[cell], float64(n))
	}
	// Gaps: minutes without a successful poll since the first one kept.
	first := to
	if len(snaps) > 0 {
		first = snaps[0].At
	}
	for m := first; m.Before(to); m = m.Add(time.Minute) {
		if d := days[m.In(loc).Format(time.DateOnly)]; d != nil && !ok[m.Unix()] {
			d.gaps++
		}
	}
	medians := map[string]float64{}
	for k, v := range hours {
		sort.Float64s(v)
		medians[k] = (v[(len(v)-1)/2] + v[len(v)/2]) / 2
	}
	return days, medians
}

// historyCSV reads one section's current-period lines of a digest CSV:
// metric → from → value.
func historyCSV(t *testing.T, data []byte, section string) map[string]map[string]float64 {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]float64{}
	for _, r := range rows[1:] {
		if r[0] != section || r[9] != "current" {
			continue
		}
		if r[1] != "queueHistory" {
			t.Fatalf("section %q is report %s", section, r[1])
		}
		v, err := strconv.ParseFloat(r[8], 64)
		if err != nil {
			t.Fatal(err)
		}
		if out[r[7]] == nil {
			out[r[7]] = map[string]float64{}
		}
		out[r[7]][r[3]] = v
	}
	return out
}

// textBlock is one section of the text part, from its "== title" line.
func textBlock(t *testing.T, text, title string) string {
	t.Helper()
	for _, b := range strings.Split(text, "\n== ")[1:] {
		if strings.HasPrefix(b, title+"\n") || strings.HasPrefix(b, title+" ") {
			return b
		}
	}
	t.Fatalf("no section %q in the text part:\n%s", title, text)
	return ""
}

// checkSection compares a queueHistory section's CSV lines and text rows
// with the figures recomputed from the stored snapshots.
func checkSection(t *testing.T, csvData []byte, text, title string, days map[string]*expectedDay, medians map[string]float64, loc *time.Location, wait float64) {
	t.Helper()
	got := historyCSV(t, csvData, title)
	if got["waitOver"][""] != wait {
		t.Errorf("%s: waitOver %v, want %v", title, got["waitOver"], wait)
	}
	block := textBlock(t, text, title)
	for k, want := range days {
		day, _ := time.ParseInLocation(time.DateOnly, k, loc)
		from := day.Format(time.RFC3339)
		for metric, w := range map[string]float64{"peakQueue": float64(want.peak), "minutesOverWait": float64(want.over),
			"longestWait": want.longest, "gapMinutes": float64(want.gaps), "polls": float64(want.polls)} {
			if g, ok := got[metric][from]; !ok || g != w {
				t.Errorf("%s %s: CSV %s = %v (present %v), want %v", title, k, metric, g, ok, w)
			}
		}
		if g, ok := got["peakQueueAt"][want.peakAt.Format(time.RFC3339)]; !ok || g != float64(want.peak) {
			t.Errorf("%s %s: no peak line at %s (%v)", title, k, want.peakAt.Format(time.RFC3339), got["peakQueueAt"])
		}
		// The text part's table row for the day, as a reader sees it.
		row := fmt.Sprintf("%s %d %s %d %s", day.Format("Mon 2 Jan"), want.peak, want.peakAt.Format("15:04"), want.over, format.Duration(want.longest))
		if !slices.ContainsFunc(strings.Split(block, "\n"), func(l string) bool { return strings.HasPrefix(strings.Join(strings.Fields(l), " "), row) }) {
			t.Errorf("%s: the text part has no row %q:\n%s", title, row, block)
		}
	}
	if len(got["peakQueue"]) != len(days) {
		t.Errorf("%s: %d days in the CSV, want %d covered days", title, len(got["peakQueue"]), len(days))
	}
	if len(got["medianQueue"]) != len(medians) {
		t.Errorf("%s: %d heatmap cells in the CSV, want %d with data", title, len(got["medianQueue"]), len(medians))
	}
	for cell, want := range medians {
		if g, ok := got["medianQueue"][cell]; !ok || g != want {
			t.Errorf("%s: median queue %s = %v (present %v), want %v", title, cell, g, ok, want)
		}
	}
}

// TestQueueHistorySectionFromTheStoredWeek runs a digest with "Queue over
// the week" sections over the scripted week's stored history and checks
// every figure of its text part and CSV against the stored snapshots,
// recomputed here; the department filter (its own and the audience
// member's) applies; and the Comm100 API is never asked for the section.
func TestQueueHistorySectionFromTheStoredWeek(t *testing.T) {
	cfg, err := config.Load([]byte(queueWeekConfig))
	if err != nil {
		t.Fatal(err)
	}
	sim := comm100sim.New(comm100sim.Options{Seed: 3})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	client := reports.New(reports.WithBaseURL(srv.URL), reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}))
	store := storedWeek(t, 0)
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	res, err := digest.Run(context.Background(), cfg, digest.Deps{Reports: client, History: store, Now: func() time.Time { return now }},
		digest.Request{DigestID: "queue-week", At: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	from, to := res.Period.Start, res.Period.End
	if from.In(berlin).Format(time.DateOnly) != "2026-11-16" {
		t.Fatalf("period %s", res.Period.Key())
	}
	if len(res.Copies) != 2 {
		t.Fatalf("%d copies, want the digest's and Support's", len(res.Copies))
	}
	// The whole site, then Sales with a 90 s wait, in the unfiltered copy.
	whole := res.Copies[0].Output
	days, medians := recompute(t, store, from, to, berlin, "", 60)
	checkSection(t, whole.CSV, whole.Text, "Queue over the week", days, medians, berlin, 60)
	salesDays, salesMedians := recompute(t, store, from, to, berlin, salesID, 90)
	checkSection(t, whole.CSV, whole.Text, "Sales queue", salesDays, salesMedians, berlin, 90)
	// Support's copy: the site's section narrowed to Support.
	sup := res.Copies[1].Output
	supDays, supMedians := recompute(t, store, from, to, berlin, supportID, 60)
	checkSection(t, sup.CSV, sup.Text, "Queue over the week", supDays, supMedians, berlin, 60)
	if !strings.Contains(textBlock(t, sup.Text, "Sales queue"), "already filtered by department") {
		t.Error("Support's copy should leave out the Sales section")
	}
	// The filter changes the figures: Monday's Sales flood is not Support's.
	mon := from.In(berlin).Format(time.DateOnly)
	if salesDays[mon].peak <= supDays[mon].peak || days[mon].peak < salesDays[mon].peak {
		t.Errorf("Monday's peaks: site %d, Sales %d, Support %d", days[mon].peak, salesDays[mon].peak, supDays[mon].peak)
	}
	// Thursday's outage is a gap, said as one.
	if thu := days["2026-11-19"]; thu.gaps < 25 {
		t.Errorf("Thursday's gaps %d, want the 25-minute outage", thu.gaps)
	}
	// Only chatVolume reached the API: the history sections never do.
	calls := sim.Calls()
	for name := range calls {
		if name != "chatVolume" {
			t.Errorf("the API was asked for %s (%d calls)", name, calls[name])
		}
	}
	if calls["chatVolume"] == 0 {
		t.Error("chatVolume was not fetched; the test would prove nothing")
	}
	if !slices.ContainsFunc(whole.Images, func(i render.Image) bool { return strings.Contains(i.Alt, "median queue length") }) {
		t.Error("the mail has no heatmap of the median queue length")
	}
}

// TestQueueHistorySectionSaysWhatItCovers: a new stack's history starts
// inside the period (the section says from when, and the days before
// have no figures), a period before any history says none covers it,
// and a run without a history store says none is kept; none of them
// asks the API for the section.
func TestQueueHistorySectionSaysWhatItCovers(t *testing.T) {
	only, err := config.Load([]byte(strings.Replace(queueWeekConfig, "      - {report: chatVolume, group: day}\n", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	mixed, err := config.Load([]byte(queueWeekConfig))
	if err != nil {
		t.Fatal(err)
	}
	sim := comm100sim.New(comm100sim.Options{Seed: 3})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	client := reports.New(reports.WithBaseURL(srv.URL), reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}))
	late := storedWeek(t, 1440+8*60) // from Tuesday 08:00 UTC, 09:00 in Berlin
	now := time.Date(2026, 12, 24, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		cfg    *config.Config
		store  digest.HistoryReader
		at     time.Time
		want   []string
		nohave []string
	}{
		{"history starts mid-period", only, late, time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC),
			[]string{"History starts Tue 17 Nov 09:00; the days before it have no figures.", "Mon 16 Nov — no history",
				"27 minutes have no successful poll"}, []string{"Tue 17 Nov — no history", "540 min"}},
		{"period before the history", only, late, time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC),
			[]string{"No queue history covers this period"}, nil},
		{"no history store", mixed, nil, time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC),
			[]string{"No queue history is kept for this digest"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			deps := digest.Deps{Reports: client, Now: func() time.Time { return now }}
			if tc.store != nil {
				deps.History = tc.store
			}
			res, err := digest.Run(context.Background(), tc.cfg, deps, digest.Request{DigestID: "queue-week", At: tc.at})
			if err != nil {
				t.Fatal(err)
			}
			block := strings.Join(strings.Fields(textBlock(t, res.Copies[0].Output.Text, "Queue over the week")), " ")
			for _, w := range tc.want {
				if !strings.Contains(block, w) {
					t.Errorf("the section does not say %q:\n%s", w, block)
				}
			}
			for _, w := range tc.nohave {
				if strings.Contains(block, w) {
					t.Errorf("the section says %q:\n%s", w, block)
				}
			}
		})
	}
	for name, n := range sim.Calls() {
		if name != "chatVolume" {
			t.Errorf("the API was asked for %s (%d calls)", name, n)
		}
	}
}
