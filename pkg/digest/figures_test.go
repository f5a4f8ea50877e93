package digest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/config"
	"reportmailer/pkg/digest"
	"reportmailer/pkg/reports"
)

// TestFiguresAgreeWithTheAPI checks every period figure of the example
// weekly and monthly digests, and of a copy per department, against the
// API's figures recomputed here from the simulator's raw JSON: counts
// summed from daily buckets, averages from the API's whole-period answer,
// ratios from their totals (Σchatting / Σ(chatting + idle)), maxima as the
// largest bucket. Counts must be exact, durations equal after rounding to
// the unit shown, rates within the shown precision, and every change must
// have the API's sign. It reads the digest's text part, which carries the
// same tables as the PDF.
func TestFiguresAgreeWithTheAPI(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	sim := httptest.NewServer(comm100sim.New(comm100sim.Options{Seed: 1, Now: func() time.Time { return now }}))
	defer sim.Close()
	data, err := os.ReadFile("../../reportmailer.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	// A department copy is the digest with every report filtered to the
	// department (what an audience member gets).
	base := *findDigest(t, cfg, "weekly-managers")
	for _, dep := range []string{"1487fd00-92e6-4487-a2e8-92e68d6892e0", "1487fd01-92e6-4487-a2e8-92e68d6892e1"} {
		d := base
		d.ID, d.Reports = "dept-"+dep[:8], nil
		for _, r := range base.Reports {
			spec, _ := reports.Lookup(reports.Name(r.Report))
			if spec.AllowsFilter("department") {
				r.Filter = &config.FilterRef{Name: "department", Value: dep}
				d.Reports = append(d.Reports, r)
			}
		}
		cfg.Digests = append(cfg.Digests, d)
	}
	client := reports.New(reports.WithBaseURL(sim.URL), reports.WithAuth(reports.APIKey{SiteID: "10000", Email: "demo@example.com", Key: "demo-key"}))
	api := rawAPI{t: t, base: sim.URL}
	for _, tc := range []struct {
		id string
		at time.Time
	}{
		{"weekly-managers", time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)},
		{"monthly-board", time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)}, // 2 Dec 10:00 in Sydney
		{"dept-1487fd00", time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)},
		{"dept-1487fd01", time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.id, func(t *testing.T) {
			res, err := digest.Run(context.Background(), cfg, digest.Deps{Reports: client, Now: func() time.Time { return now }},
				digest.Request{DigestID: tc.id, At: tc.at})
			if err != nil {
				t.Fatal(err)
			}
			d := findDigest(t, cfg, tc.id)
			blocks := strings.Split(res.Output.Text, "\n== ")[1:]
			if len(blocks) != len(d.Reports) {
				t.Fatalf("%d text sections, want %d", len(blocks), len(d.Reports))
			}
			p := periods{cur: [2]time.Time{res.Period.Start, res.Period.End}, prev: [2]time.Time{res.Previous.Start, res.Previous.End}}
			checked := 0
			for i, ref := range d.Reports {
				g := reports.Group(ref.Group)
				spec, _ := reports.Lookup(reports.Name(ref.Report))
				var filter *reports.Filter
				if ref.Filter != nil {
					filter = &reports.Filter{Name: ref.Filter.Name, Value: ref.Filter.Value}
				}
				switch {
				case g.IsTime():
					checked += checkTable(t, spec, blocks[i], api.figures(spec, filter, p))
				case g.IsDimension() && spec.Kind == reports.KindMetrics:
					checked += checkTotalRow(t, spec, blocks[i], api.dimensionTotals(spec, g, filter, p.cur))
				}
			}
			checked += checkKPIs(t, res.Output.Text, d, api, p)
			if checked < 8 {
				t.Errorf("only %d figures checked", checked)
			}
			t.Logf("%d figures agree with the API", checked)
		})
	}
}

func findDigest(t *testing.T, cfg *config.Config, id string) *config.Digest {
	t.Helper()
	for i := range cfg.Digests {
		if cfg.Digests[i].ID == id {
			return &cfg.Digests[i]
		}
	}
	t.Fatalf("no digest %s", id)
	return nil
}

type periods struct{ cur, prev [2]time.Time }

// figure is one metric's truth for the period and the previous one.
type figure struct {
	cur, prev float64
	unit      reports.Unit
	rate      bool // a ratio: changes in points
}

// rawAPI asks the simulator over HTTP and reads plain JSON, so nothing of
// the code under test computes the truth.
type rawAPI struct {
	t    *testing.T
	base string
}

func (a rawAPI) rows(spec *reports.Spec, g reports.Group, f *reports.Filter, span [2]time.Time) []map[string]any {
	a.t.Helper()
	_, off := span[0].Zone()
	zone := time.FixedZone("", off)
	v := url.Values{"siteId": {"10000"}, "timeFrom": {span[0].In(zone).Format("2006-01-02T15:04:05")},
		"timeTo": {span[1].In(zone).Format("2006-01-02T15:04:05")}, "timezone": {fmt.Sprintf("%+03d:%02d", off/3600, abs(off%3600/60))}, "group": {string(g)}}
	if f != nil {
		v.Set("filterName", f.Name)
		v.Set("filterValue", f.Value)
	}
	req, _ := http.NewRequest("GET", a.base+"/api/v3/livechat/reports/"+spec.Paths[0]+"?"+v.Encode(), nil)
	req.SetBasicAuth("demo@example.com", "demo-key")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		a.t.Fatalf("%s %s: %v", spec.Name, g, err)
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func num(r map[string]any, k string) float64 { f, _ := r[k].(float64); return f }

// figures computes every metric and rate of a report for both periods.
func (a rawAPI) figures(spec *reports.Spec, f *reports.Filter, p periods) map[string]figure {
	out := map[string]figure{}
	one := func(span [2]time.Time) map[string]float64 {
		days := a.rows(spec, reports.GroupDay, f, span)
		whole := a.rows(spec, reports.GroupMonth, f, span)
		v := map[string]float64{}
		sum := func(k string) float64 {
			var s float64
			for _, r := range days {
				s += num(r, k)
			}
			return s
		}
		for _, m := range spec.Metrics {
			switch {
			case m.Wire == "agentUtilization":
				v[m.Wire] = sum("linearChatTime") / (sum("linearChatTime") + sum("idleTime"))
			case m.Wire == "avgConcurrentChats":
				v[m.Wire] = sum("totalChatTime") / sum("linearChatTime")
			case strings.HasPrefix(m.Wire, "max"):
				for _, r := range days {
					v[m.Wire] = math.Max(v[m.Wire], num(r, m.Wire))
				}
			case strings.HasPrefix(m.Wire, "avg"):
				if len(whole) != 1 {
					a.t.Fatalf("%s: %d whole-period rows", spec.Name, len(whole))
				}
				v[m.Wire] = num(whole[0], m.Wire)
			default:
				v[m.Wire] = sum(m.Wire)
			}
		}
		for _, r := range spec.Rates {
			v[r.Label] = sum(r.Num) / sum(r.Den)
		}
		return v
	}
	cur, prev := one(p.cur), one(p.prev)
	for _, m := range spec.Metrics {
		out[m.Label] = figure{cur: cur[m.Wire], prev: prev[m.Wire], unit: m.Unit, rate: m.Unit == reports.Ratio}
	}
	for _, r := range spec.Rates {
		out[r.Label] = figure{cur: cur[r.Label], prev: prev[r.Label], unit: reports.Ratio, rate: true}
	}
	return out
}

// checkTable checks a time section's totals table: Metric, This period,
// Previous, Change.
func checkTable(t *testing.T, spec *reports.Spec, block string, truth map[string]figure) int {
	t.Helper()
	n := 0
	for _, line := range strings.Split(block, "\n") {
		if !strings.HasPrefix(line, "  ") {
			continue
		}
		fields := splitCells(line)
		if len(fields) != 4 {
			continue
		}
		f, ok := truth[fields[0]]
		if !ok {
			continue
		}
		where := spec.Title + " / " + fields[0]
		checkValue(t, where, fields[1], f.cur, f.unit)
		checkValue(t, where+" (previous)", fields[2], f.prev, f.unit)
		checkChange(t, where, fields[3], f)
		n++
	}
	return n
}

// dimensionTotals is each metric's period total for a dimension section:
// counts summed over the API's entity rows, averages the API's own
// whole-period figure.
func (a rawAPI) dimensionTotals(spec *reports.Spec, g reports.Group, f *reports.Filter, span [2]time.Time) map[string]figure {
	rows := a.rows(spec, g, f, span)
	var whole []map[string]any
	if spec.AllowsGroup(reports.GroupMonth) {
		whole = a.rows(spec, reports.GroupMonth, f, span)
	}
	out := map[string]figure{}
	for _, m := range spec.Metrics {
		var v float64
		switch {
		case strings.HasPrefix(m.Wire, "avg") || m.Unit == reports.Ratio:
			if len(whole) != 1 {
				continue
			}
			v = num(whole[0], m.Wire)
		case strings.HasPrefix(m.Wire, "max"):
			for _, r := range rows {
				v = math.Max(v, num(r, m.Wire))
			}
		default:
			for _, r := range rows {
				v += num(r, m.Wire)
			}
		}
		out[m.Label] = figure{cur: v, unit: m.Unit}
	}
	return out
}

// checkTotalRow checks a dimension table's Total row, column by column.
func checkTotalRow(t *testing.T, spec *reports.Spec, block string, truth map[string]figure) int {
	t.Helper()
	var head, total []string
	for _, line := range strings.Split(block, "\n") {
		if !strings.HasPrefix(line, "  ") {
			continue
		}
		cells := splitCells(line)
		if head == nil {
			head = cells
		}
		if len(cells) > 0 && cells[0] == "Total" {
			total = cells
		}
	}
	if total == nil || len(total) != len(head) {
		t.Errorf("%s: no Total row matching its head %q", spec.Title, head)
		return 0
	}
	n := 0
	for i := 1; i < len(head); i++ {
		if f, ok := truth[head[i]]; ok {
			checkValue(t, spec.Title+" / Total "+head[i], total[i], f.cur, f.unit)
			n++
		}
	}
	return n
}

var gaps = regexp.MustCompile(`\s{2,}`)

// splitCells splits a text-table line on runs of two or more spaces.
func splitCells(line string) []string {
	var out []string
	for _, c := range gaps.Split(strings.TrimSpace(line), -1) {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// checkKPIs checks the summary strip: "  Chats   1,274   ▼ 2% (was 1,298)".
func checkKPIs(t *testing.T, text string, d *config.Digest, api rawAPI, p periods) int {
	t.Helper()
	var filter *reports.Filter
	if len(d.Reports) > 0 && d.Reports[0].Filter != nil {
		filter = &reports.Filter{Name: d.Reports[0].Filter.Name, Value: d.Reports[0].Filter.Value}
	}
	sources := map[string][2]string{"Chats": {"chatVolume", "Chats"}, "Missed chats": {"chatVolume", "Missed chats"},
		"Avg wait": {"waitTime", "Avg wait"}, "Avg chat time": {"agentPerformance", "Avg chat time"}, "Conversions": {"conversions", "Conversions"}}
	has := map[string]bool{}
	for _, r := range d.Reports {
		has[r.Report] = true
	}
	summary, _, _ := strings.Cut(text, "\n\n\n")
	_, summary, _ = strings.Cut(summary, "SUMMARY\n")
	summary, _, _ = strings.Cut(summary, "\n\n")
	n := 0
	for _, line := range strings.Split(summary, "\n") {
		fields := splitCells(line)
		if len(fields) < 3 {
			continue
		}
		src, ok := sources[fields[0]]
		if !ok || !has[src[0]] {
			continue
		}
		spec, _ := reports.Lookup(reports.Name(src[0]))
		f := api.figures(spec, filter, p)[src[1]]
		checkValue(t, "KPI "+fields[0], fields[1], f.cur, f.unit)
		change, was, _ := strings.Cut(fields[2], " (was ")
		checkValue(t, "KPI "+fields[0]+" (was)", strings.TrimSuffix(was, ")"), f.prev, f.unit)
		checkChange(t, "KPI "+fields[0], change, f)
		n++
	}
	return n
}

// checkValue compares a shown figure with the truth at the precision shown.
func checkValue(t *testing.T, where, shown string, truth float64, u reports.Unit) {
	t.Helper()
	v, half, ok := parseShown(shown, u)
	if !ok {
		t.Errorf("%s: cannot read %q", where, shown)
		return
	}
	if math.Abs(v-truth) > half+1e-9 {
		t.Errorf("%s: shows %q, the API's figure is %v", where, shown, truth)
	}
}

// parseShown reads a formatted figure and the rounding it was shown with.
func parseShown(s string, u reports.Unit) (v, half float64, ok bool) {
	switch u {
	case reports.Seconds:
		units := map[byte]float64{'s': 1, 'm': 60, 'h': 3600, 'd': 86400}
		smallest := math.Inf(1)
		for _, part := range strings.Fields(s) {
			n, err := strconv.ParseFloat(part[:len(part)-1], 64)
			k, known := units[part[len(part)-1]]
			if err != nil || !known {
				return 0, 0, false
			}
			v += n * k
			smallest = math.Min(smallest, k)
		}
		if smallest == 1 {
			return v, 0.5, true
		}
		return v, smallest / 2, true
	case reports.Ratio:
		p, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil {
			return 0, 0, false
		}
		half = 0.005
		if strings.Contains(s, ".") {
			half = 0.0005
		}
		return p / 100, half + 0.0005, true // + 0.05 points
	}
	clean := strings.Map(func(r rune) rune {
		if r == ',' || (r > 127) || r == '€' {
			return -1
		}
		return r
	}, s)
	clean = strings.TrimSpace(strings.TrimPrefix(clean, "EUR"))
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil {
		return 0, 0, false
	}
	half = 0.5
	if i := strings.IndexByte(clean, '.'); i >= 0 {
		half = 0.5 * math.Pow(10, -float64(len(clean)-i-1))
	}
	if u == reports.Count || u == reports.Money {
		half = math.Min(half, 0.005) // counts exact, money to the cent
		if !strings.Contains(clean, ".") {
			half = 0
		}
	}
	return f, half, true
}

// checkChange: the arrow has the API's sign; "no change" only for a change
// too small to show.
func checkChange(t *testing.T, where, shown string, f figure) {
	t.Helper()
	d := f.cur - f.prev
	switch {
	case strings.HasPrefix(shown, "▲"):
		if d <= 0 {
			t.Errorf("%s: %q, but the API's figure went %v → %v", where, shown, f.prev, f.cur)
		}
	case strings.HasPrefix(shown, "▼"):
		if d >= 0 {
			t.Errorf("%s: %q, but the API's figure went %v → %v", where, shown, f.prev, f.cur)
		}
	case shown == "no change":
		small := f.prev != 0 && math.Abs(d/f.prev) < 0.005
		if f.rate {
			small = math.Abs(d) < 0.0005
		}
		if d != 0 && !small {
			t.Errorf("%s: %q, but the API's figure went %v → %v", where, shown, f.prev, f.cur)
		}
	}
	if f.rate && (strings.HasPrefix(shown, "▲") || strings.HasPrefix(shown, "▼")) && !strings.HasSuffix(shown, " pts") {
		t.Errorf("%s: a rate's change %q is not in points", where, shown)
	}
}

// TestLargeSiteDigestIsBounded: at 2,000 agents the weekly digest fits in
// 30 pages, every ranked section lists the top N, "N others (average)" and
// a Total, and the CSV keeps every agent of every per-agent report.
func TestLargeSiteDigestIsBounded(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	sim := httptest.NewServer(comm100sim.New(comm100sim.Options{Seed: 1, Agents: 2000, Now: func() time.Time { return now }}))
	defer sim.Close()
	data, err := os.ReadFile("../../reportmailer.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	client := reports.New(reports.WithBaseURL(sim.URL), reports.WithAuth(reports.APIKey{SiteID: "10000", Email: "demo@example.com", Key: "demo-key"}))
	res, err := digest.Run(context.Background(), cfg, digest.Deps{Reports: client, Now: func() time.Time { return now }},
		digest.Request{DigestID: "weekly-managers", At: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page\b`).FindAll(res.Output.PDF, -1))
	t.Logf("2,000 agents: %d PDF pages, %d KB CSV", pages, len(res.Output.CSV)>>10)
	if pages > 30 || pages == 0 {
		t.Errorf("%d PDF pages, want at most 30", pages)
	}
	// Seven per-agent sections (availability, agent status, agent
	// performance, efficiency, rating, wrap-up completion, manual
	// invitations): each lists the top 25, the others and a total, and
	// says where the rest is.
	text := pdftotext(t, res.Output.PDF)
	count := func(re string) int { return len(regexp.MustCompile(`(?m)`+re).FindAllString(text, -1)) }
	if n := count(`^The top 25 of 2,000 agents are listed; the CSV attachment has every one\.$`); n < 7 {
		t.Errorf("%d sections say where the full list is, want 7", n)
	}
	if n := count(`^1,9\d\d others \(average\)$`); n < 7 {
		t.Errorf("%d 'others (average)' rows, want at least 7", n)
	}
	if n := count(`^Total$`); n < 7 {
		t.Errorf("%d Total rows, want at least 7", n)
	}
	if n := count(`^\d others \(average\)$`); n > 0 {
		t.Errorf("%d charts fold the others bar with single agents", n)
	}
	agents := map[string]map[string]bool{}
	for _, line := range strings.Split(string(res.Output.CSV), "\n") {
		f := strings.Split(line, ",")
		if len(f) < 10 || f[9] != "current" || (f[2] != "agent" && f[1] != "agentStatus") || f[5] == "" {
			continue
		}
		if agents[f[1]] == nil {
			agents[f[1]] = map[string]bool{}
		}
		agents[f[1]][f[5]] = true
	}
	for _, r := range []string{"availability", "agentStatus", "agentPerformance", "efficiency", "rating", "wrapupCompletion", "manualInvitation"} {
		if n := len(agents[r]); n != 2000 {
			t.Errorf("CSV has %d agents for %s, want 2000", n, r)
		}
	}
}
