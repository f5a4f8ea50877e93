package render_test

import (
	"context"
	"math"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/config"
	"reportmailer/pkg/format"
	"reportmailer/pkg/period"
	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// exampleDigest renders one digest of reportmailer.example.yaml for the
// period starting on date, against the simulator, and returns its text
// part with the client used (for the reference figures).
func exampleDigest(t *testing.T, id, date string, now func(*time.Location) time.Time) (string, *reports.Client, period.Period) {
	t.Helper()
	raw, err := os.ReadFile("../../reportmailer.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(raw)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := cfg.Digest(id)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(dc.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	spec := period.Spec{Kind: period.Kind(dc.Period), WeekStart: time.Monday, Location: loc}
	cur, err := spec.Starting(date)
	if err != nil {
		t.Fatal(err)
	}
	prev := cur.Previous(spec)
	at := now(loc)
	srv := httptest.NewServer(comm100sim.New(comm100sim.Options{Seed: 11, Now: func() time.Time { return at }}))
	t.Cleanup(srv.Close)
	c := reports.New(reports.WithBaseURL(srv.URL), reports.WithAuth(reports.APIKey{SiteID: "10000", Email: "demo@example.com", Key: "demo-key"}))
	_, _, offset := cur.Query()
	d := &render.Digest{ID: dc.ID, Title: dc.Title, Period: render.Period{Start: cur.Start, End: cur.End, Location: loc},
		Previous: &render.Period{Start: prev.Start, End: prev.End, Location: loc}, Generated: at, Offset: offset}
	for _, ref := range dc.Reports {
		rs, _ := reports.Lookup(reports.Name(ref.Report))
		g := reports.Group(ref.Group)
		if g == "" {
			g = rs.DefaultGroup()
		}
		s := render.Section{Report: rs.Name, Group: g, Title: ref.Title}
		from, to, off := cur.Query()
		res, err := c.Fetch(context.Background(), rs.Name, reports.Query{From: from, To: to, Offset: off, Group: g})
		if err != nil {
			t.Fatalf("%s: %v", rs.Name, err)
		}
		s.Rows = res.Rows()
		if g.IsTime() || g.IsDimension() {
			from, to, off := prev.Query()
			if pr, err := c.Fetch(context.Background(), rs.Name, reports.Query{From: from, To: to, Offset: off, Group: g}); err == nil {
				s.Previous = pr.Rows()
			}
		}
		d.Sections = append(d.Sections, s)
	}
	out, err := render.Render(d, render.Options{ImageScale: 1})
	if err != nil {
		t.Fatal(err)
	}
	return out.Text, c, cur
}

// kpisOf reads the SUMMARY block of a text part: label → value.
func kpisOf(t *testing.T, text string) map[string]string {
	t.Helper()
	_, block, ok := strings.Cut(text, "SUMMARY\n")
	if !ok {
		t.Fatal("no SUMMARY in the text part")
	}
	block, _, _ = strings.Cut(block, "\n\n")
	out := map[string]string{}
	for _, l := range strings.Split(block, "\n") {
		if len(l) < 19 {
			continue
		}
		label := strings.TrimSpace(l[2:18])
		value := strings.TrimSpace(l[19:])
		if i := strings.Index(value, "  "); i >= 0 {
			value = value[:i]
		}
		out[label] = value
	}
	return out
}

var durationPart = regexp.MustCompile(`(\d+)([dhms])`)

func seconds(s string) float64 {
	var total float64
	for _, m := range durationPart.FindAllStringSubmatch(s, -1) {
		n, _ := strconv.ParseFloat(m[1], 64)
		total += n * map[string]float64{"d": 86400, "h": 3600, "m": 60, "s": 1}[m[2]]
	}
	return total
}

// Every KPI of the example's weekly and monthly digests equals the
// simulator API's figure for the whole period asked in one bucket
// (group=week / group=month): exactly for counts, within rounding for
// averages (the API rounds each bucket's average to whole seconds).
func TestKPIsEqualTheAPIsWholePeriodFigures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		digest, start string
		group         reports.Group
		now           func(*time.Location) time.Time
		want          []string
	}{
		{"weekly-managers", "2026-11-23", reports.GroupWeek,
			func(l *time.Location) time.Time { return time.Date(2026, 11, 30, 8, 0, 0, 0, l) },
			[]string{"Chats", "Missed chats", "Avg wait", "Avg chat time", "Satisfaction", "Conversions"}},
		{"monthly-board", "2026-11-01", reports.GroupMonth,
			func(l *time.Location) time.Time { return time.Date(2026, 12, 1, 8, 0, 0, 0, l) },
			[]string{"Chats", "Missed chats", "Avg wait", "Satisfaction", "Conversions"}},
	} {
		t.Run(tc.digest, func(t *testing.T) {
			text, c, cur := exampleDigest(t, tc.digest, tc.start, tc.now)
			got := kpisOf(t, text)
			whole := func(name reports.Name) any {
				t.Helper()
				from, to, off := cur.Query()
				res, err := c.Fetch(context.Background(), name, reports.Query{From: from, To: to, Offset: off, Group: tc.group})
				if err != nil {
					t.Fatal(err)
				}
				rows := res.Rows()
				if len(rows) != 1 {
					t.Fatalf("%s group=%s: %d buckets, want one", name, tc.group, len(rows))
				}
				return rows[0]
			}
			val := func(r any, wire string) float64 { v, _ := reports.Value(r, wire); return v }
			for _, label := range tc.want {
				if _, ok := got[label]; !ok {
					t.Errorf("no %q KPI (have %v)", label, got)
				}
			}
			vol := whole("chatVolume")
			exact := map[string]string{
				"Chats":        format.Count(val(vol, "chats")),
				"Missed chats": format.Count(val(vol, "missedChats")),
				"Conversions":  format.Count(val(whole("conversions"), "conversions")),
			}
			rating := whole("rating")
			var rated, sum float64
			for s := 1; s <= 5; s++ {
				n := val(rating, "score"+strconv.Itoa(s))
				rated += n
				sum += n * float64(s)
			}
			exact["Satisfaction"] = format.Count(math.Round(sum/rated*10)/10) + " / 5"
			for label, want := range exact {
				if got[label] != want {
					t.Errorf("%s: KPI %q, API %q", label, got[label], want)
				}
			}
			approx := map[string]float64{"Avg wait": val(whole("waitTime"), "avgWaitTime")}
			if _, ok := got["Avg chat time"]; ok {
				approx["Avg chat time"] = val(whole("agentPerformance"), "avgChatTime")
			}
			// The same metric reads the same everywhere in the digest: every
			// "Avg wait" totals row (daily, "typical day") shows the KPI.
			rowsRe := regexp.MustCompile(`(?m)^  Avg wait  +(\S+)`)
			for _, m := range rowsRe.FindAllStringSubmatch(text, -1) {
				if m[1] != got["Avg wait"] {
					t.Errorf("an Avg wait row says %s, the KPI %s", m[1], got["Avg wait"])
				}
			}
			for label, want := range approx {
				if g := seconds(got[label]); math.Abs(g-want) > 1+want*0.002 {
					t.Errorf("%s: KPI %s (%vs), API %vs", label, got[label], g, want)
				}
			}
		})
	}
}
