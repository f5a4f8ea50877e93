package digest

import (
	"bytes"
	"context"
	"encoding/csv"
	"maps"
	"math"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/internal/testconfig"
	"reportmailer/pkg/config"
	"reportmailer/pkg/period"
	"reportmailer/pkg/reports"
)

// A period with a UTC offset change inside it is asked per constant-offset
// stretch and every local day appears once, with the local day's figures.
//
// The truth is independent of the code under test: the same simulator
// asked for group=hour in UTC over each local calendar day, its buckets
// summed here. The simulator's data is a function of UTC time (comm100sim's
// TestDataIsAFunctionOfUTCTime), so those sums are the local days' figures.
// Seed 1 is the demo's: the New York week is the one the issue measured
// ("most of it on Fri 6 (−37)" where the local days say Wed 4, −15).
func TestPeriodsSplitAtOffsetChanges(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, zone, kind, weekStart, start string
		days                               int
		cur, prev                          int // stretches of the period and of the one before
		highlight                          bool
	}{
		{"New York Sunday week, falls back on Sun 1", "America/New_York", "week", "sunday", "2026-11-01", 7, 2, 1, true},
		{"Sydney October, springs forward on the 4th", "Australia/Sydney", "month", "", "2026-10-01", 31, 2, 1, false},
		{"Sydney Sunday week, springs forward on Sun 4", "Australia/Sydney", "week", "sunday", "2026-10-04", 7, 2, 1, false},
		{"London Sunday week, falls back on its first day", "Europe/London", "week", "sunday", "2026-10-25", 7, 2, 1, false},
		{"London Monday week, falls back on its last Sunday", "Europe/London", "week", "monday", "2026-10-19", 7, 2, 1, false},
		{"Lord Howe Sunday week, half an hour forward on Sun 4", "Australia/Lord_Howe", "week", "sunday", "2026-10-04", 7, 2, 1, false},
		{"New York week after the change: only the comparison is split", "America/New_York", "week", "sunday", "2026-11-08", 7, 1, 2, false},
		{"New York week without a change: calls unchanged", "America/New_York", "week", "sunday", "2026-11-15", 7, 1, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			sim := comm100sim.New(comm100sim.Options{Seed: 1})
			srv := httptest.NewServer(sim)
			t.Cleanup(srv.Close)
			client := reports.New(reports.WithBaseURL(srv.URL),
				reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}))

			cfg := testconfig.Example(t)
			d, err := cfg.Digest("weekly-managers")
			if err != nil {
				t.Fatal(err)
			}
			d.Timezone, d.Period, d.WeekStart = tc.zone, tc.kind, tc.weekStart
			d.Formats = []string{"pdf", "html", "csv"}
			d.Reports = []config.ReportRef{
				{Report: "chatVolume", Group: "day"}, {Report: "waitTime", Group: "day"},
				{Report: "conversions", Group: "day"}, {Report: "chatVolume", Group: "hour", Title: "Chats by hour"},
				{Report: "rating", Group: "agent"},
				// The whole period as one bucket: the week (or month) group.
				{Report: "waitTime", Group: tc.kind, Title: "Wait time, whole period"},
			}
			later := func() time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) }
			r, err := newRun(cfg, Deps{Reports: client, Now: later}, Request{DigestID: d.ID, PeriodStart: tc.start})
			if err != nil {
				t.Fatal(err)
			}
			pl, err := resolvePeriod(r)
			if err != nil {
				t.Fatal(err)
			}
			c := unscopedCopy(r, pl)
			model, failed, err := fetchReports(t.Context(), c)
			if err != nil {
				t.Fatal(err)
			}
			out, err := renderOutput(c, model, failed)
			if err != nil {
				t.Fatal(err)
			}
			if len(failed) > 0 {
				t.Fatalf("failed sections %v", failed)
			}
			p := pl.period

			// Calls grow by one per extra stretch, and only for time groups.
			calls := sim.Calls()
			if want := 2 * (tc.cur + tc.prev); calls["chatVolume"] != want {
				t.Errorf("chatVolume (day and hour) asked %d times, want %d", calls["chatVolume"], want)
			}
			// Wait time's averages also get one whole-period call per
			// period that can be asked as one bucket (totals.go); those are
			// never split.
			wholeCalls := 0
			for _, pp := range []period.Period{pl.period, pl.previous} {
				if wholeGroup(pp) != "" {
					wholeCalls++
				}
			}
			if want := tc.cur + tc.prev; calls["waitTime"] != 2*want+wholeCalls || calls["conversions"] != want {
				t.Errorf("waitTime (day and %s) asked %d times, conversions %d, want %d (+%d whole-period) and %d", tc.kind, calls["waitTime"], calls["conversions"], 2*want, wholeCalls, want)
			}
			if calls["rating"] != 2 {
				t.Errorf("rating by agent asked %d times, want 2 (never split)", calls["rating"])
			}

			// The local days, as the calendar has them.
			var days []localDay
			for s := p.Start; s.Before(p.End); {
				l := s.In(loc)
				e := time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc)
				days = append(days, localDay{l.Format("2006-01-02"), s, e})
				s = e
			}
			if len(days) != tc.days {
				t.Fatalf("%d local days in the period, want %d (test premise)", len(days), tc.days)
			}
			truth := newHourlyTruth(client)

			got := parseCSV(t, out.CSV, loc)
			lastWall := p.End.In(loc).Format(reports.DateTimeLayout)
			firstWall := p.Start.In(loc).Format(reports.DateTimeLayout)
			for _, row := range got {
				if row.from != "" && (row.from < firstWall || row.to > lastWall) {
					t.Errorf("CSV row outside the period %s – %s: %v", firstWall, lastWall, row)
				}
			}
			byDay := func(report, metric string) map[string][]float64 {
				out := map[string][]float64{}
				for _, row := range got {
					if row.report == report && row.group == "day" && row.metric == metric {
						out[row.from[:10]] = append(out[row.from[:10]], row.value)
					}
				}
				return out
			}
			check := func(report, metric string, want func(localDay) float64, tol float64) {
				t.Helper()
				have := byDay(report, metric)
				if len(have) != len(days) {
					t.Errorf("%s %s: %d local days in the CSV, want %d: %v", report, metric, len(have), len(days), slices.Collect(maps.Keys(have)))
				}
				for _, day := range days {
					vs := have[day.date]
					if len(vs) != 1 {
						t.Errorf("%s %s on %s: %d rows, want exactly 1", report, metric, day.date, len(vs))
						continue
					}
					if w := want(day); math.Abs(vs[0]-w) > tol {
						t.Errorf("%s %s on %s: %v, the local day has %v", report, metric, day.date, vs[0], w)
					}
				}
			}
			for _, m := range []string{"chats", "missedChats", "chatRequests"} {
				check("chatVolume", m, func(d localDay) float64 { return truth.sum(t, d, "chatVolume", m) }, 0)
			}
			check("conversions", "conversions", func(d localDay) float64 { return truth.sum(t, d, "conversions", "conversions") }, 0)
			check("waitTime", "maxWaitTime", func(d localDay) float64 { return truth.max(t, d, "waitTime", "maxWaitTime") }, 0)
			// Averages: weighted by the chats that waited, within the API's
			// rounding of each bucket to whole seconds.
			check("waitTime", "avgWaitTime", func(d localDay) float64 { return truth.avgWait(t, d) }, 1)

			// The whole-period bucket: one row, the days' maximum, the
			// average over all the chats that waited.
			var whole []csvRow
			for _, row := range got {
				if row.report == "waitTime" && row.group == tc.kind {
					whole = append(whole, row)
				}
			}
			wantWhole := map[string]float64{"maxWaitTime": 0, "avgWaitTime": 0}
			var waited float64
			for _, day := range days {
				wantWhole["maxWaitTime"] = math.Max(wantWhole["maxWaitTime"], truth.max(t, day, "waitTime", "maxWaitTime"))
				w := truth.sum(t, day, "chatVolume", "chats") + truth.sum(t, day, "chatVolume", "missedChats")
				wantWhole["avgWaitTime"] += truth.avgWait(t, day) * w
				waited += w
			}
			wantWhole["avgWaitTime"] /= waited
			for _, row := range whole {
				if row.from != firstWall || row.to != lastWall {
					t.Errorf("%s bucket %s – %s, want the period %s – %s", tc.kind, row.from, row.to, firstWall, lastWall)
				}
				tol := 1.0 // an average, within the API's rounding to whole seconds
				if row.metric == "maxWaitTime" {
					tol = 0
				}
				if w, ok := wantWhole[row.metric]; ok && math.Abs(row.value-w) > tol {
					t.Errorf("%s %s: %v, the period has %v", tc.kind, row.metric, row.value, w)
				}
				delete(wantWhole, row.metric)
			}
			if len(wantWhole) > 0 {
				t.Errorf("the %s bucket misses %v (or has it twice): %v", tc.kind, wantWhole, whole)
			}

			// Hours start on local hours (one may start at a half-hour
			// change) and add up to the period.
			var hours, chats float64
			for _, row := range got {
				if row.report != "chatVolume" || row.group != "hour" || row.metric != "chats" {
					continue
				}
				hours++
				chats += row.value
				if !strings.HasSuffix(row.from, ":00:00") && !(tc.zone == "Australia/Lord_Howe" && row.from == "2026-10-04T02:30:00") {
					t.Errorf("hour bucket from %s is not a local hour", row.from)
				}
			}
			var total float64
			for _, day := range days {
				total += truth.sum(t, day, "chatVolume", "chats")
			}
			if want := math.Ceil(p.End.Sub(p.Start).Hours()); hours != want || chats != total {
				t.Errorf("%v hour buckets with %v chats, want %v with %v", hours, chats, want, total)
			}

			if tc.highlight {
				checkWhere(t, out.Text, days, truth, pl.previous.Start, loc)
			}
		})
	}
}

type localDay struct {
	date       string
	start, end time.Time
}

// checkWhere checks the conversions sentence of "What changed": a day it
// names is the day whose change (day n against day n of the previous
// week, per local day) is the largest of the total's sign, by that much;
// and a day holding more than half of the change is named.
func checkWhere(t *testing.T, text string, days []localDay, truth *hourlyTruth, prevStart time.Time, loc *time.Location) {
	t.Helper()
	var curTotal, prevTotal float64
	deltas := make([]float64, len(days))
	for i, day := range days {
		ps := time.Date(prevStart.In(loc).Year(), prevStart.In(loc).Month(), prevStart.In(loc).Day()+i, 0, 0, 0, 0, loc)
		pd := localDay{ps.Format("2006-01-02"), ps, time.Date(ps.Year(), ps.Month(), ps.Day()+1, 0, 0, 0, 0, loc)}
		c, pv := truth.sum(t, day, "conversions", "conversions"), truth.sum(t, pd, "conversions", "conversions")
		curTotal, prevTotal, deltas[i] = curTotal+c, prevTotal+pv, c-pv
	}
	net := curTotal - prevTotal
	best := -1
	for i, dl := range deltas {
		if dl*net > 0 && (best < 0 || math.Abs(dl) > math.Abs(deltas[best])) {
			best = i
		}
	}
	var sentence string
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, "Conversions "); i >= 0 && (strings.Contains(line, " fell ") || strings.Contains(line, " rose ")) {
			sentence = line[i:]
		}
	}
	t.Logf("conversions %v → %v, per local day %v; highlight %q", prevTotal, curTotal, deltas, sentence)
	if sentence == "" {
		t.Fatalf("no conversions highlight in the text (the test needs one):\n%s", text)
	}
	m := regexp.MustCompile(`on ([A-Z][a-z]{2} \d+) \(([+−])([\d,]+)\)`).FindStringSubmatch(sentence)
	if m == nil {
		if best >= 0 && math.Abs(deltas[best]) > math.Abs(net)/2 {
			t.Errorf("%s holds %v of %v but the highlight names no day: %q", days[best].date, deltas[best], net, sentence)
		}
		return
	}
	if best < 0 {
		t.Fatalf("the highlight names %s but no day moved with the total", m[1])
	}
	want := days[best].start.In(loc).Format("Mon 2")
	n, _ := strconv.ParseFloat(strings.ReplaceAll(m[3], ",", ""), 64)
	if m[2] == "−" {
		n = -n
	}
	if m[1] != want || n != deltas[best] {
		t.Errorf("highlight names %s (%v); the local days' largest change is %s (%v)", m[1], n, want, deltas[best])
	}
}

type csvRow struct {
	report, group, from, to, key, metric string
	value                                float64
}

// parseCSV reads the current period's rows of the digest's own sections
// (not the previous period's, nor the API's whole-period answers), with
// their instants read as wall-clock time in loc.
func parseCSV(t *testing.T, data []byte, loc *time.Location) []csvRow {
	t.Helper()
	wall := func(s string) string {
		if at, err := time.Parse(time.RFC3339, s); err == nil {
			return at.In(loc).Format(reports.DateTimeLayout)
		}
		return s
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []csvRow
	for _, rec := range recs[1:] {
		if rec[9] != "current" || strings.HasSuffix(rec[0], "(whole period)") {
			continue
		}
		v, err := strconv.ParseFloat(rec[8], 64)
		if err != nil {
			t.Fatalf("CSV value %q: %v", rec[8], err)
		}
		out = append(out, csvRow{report: rec[1], group: rec[2], from: wall(rec[3]), to: wall(rec[4]), key: rec[5], metric: rec[7], value: v})
	}
	return out
}

// hourlyTruth is the API's hour buckets in UTC, asked per local day
// (from its midnight to the next; a day starting on a half hour, as Lord
// Howe's do, starts and ends with a partial hour, which the API cuts at
// the query's bounds).
type hourlyTruth struct {
	c     *reports.Client
	cache map[string][]any
}

func newHourlyTruth(c *reports.Client) *hourlyTruth {
	return &hourlyTruth{c: c, cache: map[string][]any{}}
}

func (h *hourlyTruth) in(t *testing.T, day localDay, name reports.Name) []any {
	t.Helper()
	k := string(name) + day.start.String()
	rows, ok := h.cache[k]
	if !ok {
		res, err := h.c.Fetch(t.Context(), name, reports.Query{From: day.start, To: day.end, Group: reports.GroupHour})
		if err != nil {
			t.Fatal(err)
		}
		rows = res.Rows()
		var covered time.Duration
		for _, r := range rows {
			b := reports.TimeOf(r)
			covered += b.To.DateTime.Sub(b.From.DateTime)
		}
		if covered != day.end.Sub(day.start) {
			t.Fatalf("%s: hour buckets cover %v of %v", day.date, covered, day.end.Sub(day.start))
		}
		h.cache[k] = rows
	}
	return rows
}

func (h *hourlyTruth) sum(t *testing.T, day localDay, name reports.Name, wire string) float64 {
	var s float64
	for _, b := range h.in(t, day, name) {
		v, _ := reports.Value(b, wire)
		s += v
	}
	return s
}

func (h *hourlyTruth) max(t *testing.T, day localDay, name reports.Name, wire string) float64 {
	var m float64
	for _, b := range h.in(t, day, name) {
		v, _ := reports.Value(b, wire)
		m = math.Max(m, v)
	}
	return m
}

// avgWait is the day's average wait over the chats that waited (answered
// and missed), from each hour's average and its chats.
func (h *hourlyTruth) avgWait(t *testing.T, day localDay) float64 {
	var waited []float64
	for _, b := range h.in(t, day, "chatVolume") {
		c, _ := reports.Value(b, "chats")
		m, _ := reports.Value(b, "missedChats")
		waited = append(waited, c+m)
	}
	var sum, n float64
	for i, b := range h.in(t, day, "waitTime") { // the same hours, in the same order
		v, _ := reports.Value(b, "avgWaitTime")
		sum += v * waited[i]
		n += waited[i]
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

// failStretch fails the calls sent in one offset and passes the rest on.
type failStretch struct {
	next   Fetcher
	offset time.Duration
}

func (f failStretch) Fetch(ctx context.Context, name reports.Name, q reports.Query) (reports.Result, error) {
	if q.Offset == f.offset {
		return reports.Result{}, &reports.APIError{Status: 500}
	}
	return f.next.Fetch(ctx, name, q)
}

// One failed stretch fails the whole: the section (never a period with a
// day missing) or, in the previous period, only the comparison.
func TestFailedStretchFailsTheWhole(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(comm100sim.New(comm100sim.Options{Seed: 1}))
	t.Cleanup(srv.Close)
	client := reports.New(reports.WithBaseURL(srv.URL), reports.WithRetry(reports.RetryPolicy{MaxAttempts: 1}),
		reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}))
	for _, tc := range []struct {
		name, start string
		wantNote    bool // the current period's second stretch fails
	}{
		{"current period's stretch after the change", "2026-11-01", true},
		{"previous period's stretch before the change", "2026-11-08", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testconfig.Example(t)
			d, err := cfg.Digest("weekly-managers")
			if err != nil {
				t.Fatal(err)
			}
			d.Timezone, d.WeekStart = "America/New_York", "sunday"
			d.Reports = []config.ReportRef{{Report: "chatVolume", Group: "day"}}
			fail := -5 * time.Hour // the Nov 1 week's second stretch
			if !tc.wantNote {
				fail = -4 * time.Hour // the Nov 8 week's comparison: its first stretch
			}
			r, err := newRun(cfg, Deps{Reports: failStretch{client, fail}}, Request{DigestID: d.ID, PeriodStart: tc.start})
			if err != nil {
				t.Fatal(err)
			}
			p, err := resolvePeriod(r)
			if err != nil {
				t.Fatal(err)
			}
			model, _, err := fetchReports(t.Context(), unscopedCopy(r, p))
			if err != nil {
				t.Fatal(err)
			}
			s := model.Sections[0]
			if tc.wantNote {
				if s.Note == "" || s.Rows != nil {
					t.Errorf("note %q, %d rows; want a note and no rows", s.Note, len(s.Rows))
				}
				return
			}
			if s.Note != "" || len(s.Rows) == 0 || s.Previous != nil {
				t.Errorf("note %q, %d rows, %d previous rows; want rows and no comparison", s.Note, len(s.Rows), len(s.Previous))
			}
		})
	}
}
