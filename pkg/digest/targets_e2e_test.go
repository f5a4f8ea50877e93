package digest_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"

	"reportmailer/pkg/appenv/digestdeps"
	"reportmailer/pkg/digest"
)

// targetsConfig has the four targets at the top level, and a
// Sales audience member with its own rating and wait targets.
const targetsConfig = `
comm100: {siteID: "10000", maxAttempts: 2}
mail: {from: "Chat reports <reports@example.com>"}
names:
  departments: {1487fd00-92e6-4487-a2e8-92e68d6892e0: Sales}
targets:
  - {metric: waitTime.avgWaitTime, max: 40s}
  - {metric: chatVolume.answeredRate, min: 95%}
  - {metric: rating.average, min: 4.5}
  - {metric: chatVolume.missedChats, max: 50, per: day}
digests:
  - id: weekly
    title: Weekly chat digest
    period: week
    timezone: Europe/London
    to: [managers@example.com]
    formats: [pdf, html, csv]
    audience:
      filter: department
      members: {1487fd00-92e6-4487-a2e8-92e68d6892e0: [sales-lead@example.com]}
      targets:
        1487fd00-92e6-4487-a2e8-92e68d6892e0:
          - {metric: rating.average, min: 4.3}
          - {metric: waitTime.avgWaitTime, max: 1m}
    reports:
      - {report: chatVolume, group: day}
      - {report: waitTime, group: day}
      - {report: rating, group: day}
`

// csvLines reads the CSV by its header's column names.
func csvLines(t *testing.T, data []byte) []map[string]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("CSV: %v", err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out = append(out, m)
	}
	return out
}

// expected is what a target must say, computed here from the report
// lines of the CSV (the API's rows), not by the renderer's code.
// The period's avg wait is the API's own whole-period answer (the CSV's
// "(whole period)" line), as the digest shows it; counts, rates and the
// rating are summed here from the day rows.
type expected struct {
	avgWait, answered, rating float64 // as shown: whole seconds, whole percent, tenths
	missedByDay               map[string]float64
}

func expectedFigures(t *testing.T, lines []map[string]string) expected {
	t.Helper()
	day := map[string]map[string]float64{} // from → "report.metric" → value
	e := expected{avgWait: -1, missedByDay: map[string]float64{}}
	for _, l := range lines {
		if l["period"] != "current" {
			continue
		}
		if l["report"] == "waitTime" && l["metric"] == "avgWaitTime" && strings.HasSuffix(l["section"], "(whole period)") {
			v, _ := strconv.ParseFloat(l["value"], 64)
			e.avgWait = math.Round(v)
		}
		if l["section"] == "Targets" || l["group"] != "day" {
			continue
		}
		v, _ := strconv.ParseFloat(l["value"], 64)
		if day[l["from"]] == nil {
			day[l["from"]] = map[string]float64{}
		}
		day[l["from"]][l["report"]+"."+l["metric"]] += v
	}
	var chats, requests, rated, stars float64
	for from, m := range day {
		chats += m["chatVolume.chats"]
		requests += m["chatVolume.chatRequests"]
		for s := 1; s <= 5; s++ {
			n := m[fmt.Sprintf("rating.score%d", s)]
			rated += n
			stars += n * float64(s)
		}
		e.missedByDay[from] = m["chatVolume.missedChats"]
	}
	if e.avgWait < 0 || requests == 0 || rated < 10 {
		t.Fatalf("the simulator's week is too thin to judge: avg wait %v, %v requests, %v rated", e.avgWait, requests, rated)
	}
	e.answered = math.Round(chats/requests*100) / 100
	e.rating = math.Round(stars/rated*10) / 10
	return e
}

// targetFigure is the CSV's Targets line of a figure for the period.
func targetFigure(lines []map[string]string, key, metric string) (string, bool) {
	for _, l := range lines {
		if l["section"] == "Targets" && l["key"] == key && l["group"] == "period" && l["metric"] == metric {
			return l["value"], true
		}
	}
	return "", false
}

// TestTargetsInTheDigest renders a week from the simulator with the
// issue's four targets and checks the Targets block, the cards, the chart
// line and What changed in the PDF (pdftotext), the HTML, the text part
// and the CSV against figures computed here; the Sales copy is judged by
// its own targets.
func TestTargetsInTheDigest(t *testing.T) {
	e := setupLinks(t, targetsConfig)
	resp, err := digest.Handler(e.app.Config, digestdeps.New(e.app))(context.Background(), json.RawMessage(`{"digest":"weekly","periodStart":"2026-11-16"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Messages) != 2 {
		t.Fatalf("%d messages, want the managers' and Sales' copies", len(resp.Messages))
	}
	judged := map[string]bool{}
	for _, s := range e.moto.SentEmails(t) {
		m := parse(t, s.RawData)
		sales := strings.Contains(m.header.Get("To"), "sales-lead@")
		lines := csvLines(t, m.csv)
		want := expectedFigures(t, lines)
		pdf := pdftotext(t, m.pdf)
		who := map[bool]string{false: "managers", true: "Sales"}[sales]

		waitMax, ratingMin := 40.0, 4.5
		if sales {
			waitMax, ratingMin = 60, 4.3 // the member's own
		}
		daysMet := 0
		for _, v := range want.missedByDay {
			if v <= 50 {
				daysMet++
			}
		}
		type check struct {
			key, limit, figure string
			met                bool
			targetKey          string
			target             float64
		}
		checks := []check{
			{"waitTime.avgWaitTime", fmt.Sprintf("≤ %s", map[float64]string{40: "40s", 60: "1m"}[waitMax]), strconv.FormatFloat(want.avgWait, 'f', -1, 64), want.avgWait <= waitMax, "target max", waitMax},
			{"chatVolume.answeredRate", "≥ 95%", strconv.FormatFloat(want.answered, 'f', -1, 64), want.answered >= 0.95, "target min", 0.95},
			{"rating.average", fmt.Sprintf("≥ %g", ratingMin), strconv.FormatFloat(want.rating, 'f', -1, 64), want.rating >= ratingMin, "target min", ratingMin},
		}
		for _, c := range checks {
			if got, _ := targetFigure(lines, c.key, "figure"); got != c.figure {
				t.Errorf("%s: CSV %s figure %s, computed %s", who, c.key, got, c.figure)
			}
			if got, _ := targetFigure(lines, c.key, c.targetKey); got != strconv.FormatFloat(c.target, 'f', -1, 64) {
				t.Errorf("%s: CSV %s %s = %s, want %v", who, c.key, c.targetKey, got, c.target)
			}
			met, _ := targetFigure(lines, c.key, "met")
			if (met == "1") != c.met {
				t.Errorf("%s: CSV %s met=%s, computed met=%v", who, c.key, met, c.met)
			}
			judged[c.key+"/"+strconv.FormatBool(c.met)] = true
		}
		if got, _ := targetFigure(lines, "chatVolume.missedChats", "days met"); got != strconv.Itoa(daysMet) {
			t.Errorf("%s: CSV days met %s, computed %d of %v", who, got, daysMet, want.missedByDay)
		}
		judged["missedChats/"+strconv.FormatBool(daysMet == 7)] = true

		// The Targets block, in the PDF, the HTML and the text part alike.
		waitText := fmt.Sprintf("%ds", int(want.avgWait))
		ratingText := strconv.FormatFloat(want.rating, 'f', 1, 64) + " / 5"
		answeredText := fmt.Sprintf("%d%%", int(math.Round(want.answered*100)))
		verdict := func(met bool) string {
			if met {
				return "Met"
			}
			return "Missed by"
		}
		days := fmt.Sprintf("on target %d of 7 days", daysMet)
		for part, body := range map[string]string{"PDF": squash(pdf), "HTML": squash(htmlText(m.html)), "text": squash(m.text)} {
			if !strings.Contains(body, "Targets") && !strings.Contains(body, "TARGETS") {
				t.Errorf("%s %s: no Targets block", who, part)
			}
			for _, want := range []string{
				"Avg wait " + checks[0].limit, waitText + " · " + verdict(checks[0].met),
				"Answered rate ≥ 95%", answeredText + " · " + verdict(checks[1].met),
				"Average rating " + checks[2].limit, ratingText + " · " + verdict(checks[2].met),
				"Missed chats ≤ 50 a day", days,
				"last period:",
			} {
				if part == "text" {
					want = strings.Replace(want, " · ", " — ", 1)
				}
				if !strings.Contains(body, want) {
					t.Errorf("%s %s: no %q", who, part, want)
				}
			}
		}
		// The cards carry their target and its verdict in a word.
		card := "Target " + checks[0].limit + " · " + map[bool]string{true: "met", false: "missed"}[checks[0].met]
		if !strings.Contains(squash(htmlText(m.html)), card) || !strings.Contains(squash(pdf), card) {
			t.Errorf("%s: the Avg wait card does not say %q", who, card)
		}
		// The wait chart's legend names the target in the PDF, and the
		// mail's PNG of the same chart draws its dashed line.
		if n := strings.Count(squash(pdf), "Target "+checks[0].limit); n < 2 {
			t.Errorf("%s: PDF names the wait target %d times, want the card and the chart's legend", who, n)
		}
		if n := targetPNGs(t, m.parts); n != 1 {
			t.Errorf("%s: %d chart PNGs draw a target line, want 1 (the daily wait chart)", who, n)
		}
		// What changed leads with new misses and recoveries, never more than five lines.
		if news := whatChanged(t, who, m.text); sales && news == 0 {
			t.Errorf("Sales: no target moved since last period; the What changed check proves less than it should")
		}
	}
	// The four targets, judged on the simulator's week, are not all one way.
	met, missed := 0, 0
	for k := range judged {
		if strings.HasSuffix(k, "/true") {
			met++
		} else {
			missed++
		}
	}
	if met == 0 || missed == 0 {
		t.Errorf("the simulator's week meets or misses every target (%v): the test proves less than it should", judged)
	}
}

// whatChanged checks the text part's What changed block: target lines
// first, one for each target whose verdict moved since last period.
func whatChanged(t *testing.T, who, text string) int {
	t.Helper()
	text = strings.ReplaceAll(text, "\r\n", "\n")
	block := between(text, "WHAT CHANGED", "\n\n")
	targets := between(text, "TARGETS", "\n\n")
	var items []string
	for _, l := range strings.Split(block, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			items = append(items, l)
		}
	}
	if len(items) > 5 {
		t.Errorf("%s: %d What changed lines, want at most 5", who, len(items))
	}
	wantNews := 0
	for _, l := range strings.Split(targets, "\n") {
		missed := strings.Contains(l, "— Missed")
		met := strings.Contains(l, "— Met")
		prevMet := strings.Contains(l, "last period: met") || strings.Contains(l, "last period: on target 7 of 7")
		prevMissed := strings.Contains(l, "last period: missed") || (strings.Contains(l, "last period: on target") && !prevMet)
		if (missed && prevMet) || (met && prevMissed) {
			wantNews++
		}
	}
	for i, item := range items {
		isNews := strings.Contains(item, "its target of")
		if isNews != (i < wantNews) {
			t.Errorf("%s: What changed line %d %q: want %d target lines first\n%s\n%s", who, i, item, wantNews, targets, block)
		}
	}
	return wantNews
}

func between(s, from, to string) string {
	_, after, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	before, _, _ := strings.Cut(after, to)
	return before
}

// squash collapses whitespace so text broken across lines still matches.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// htmlText is the HTML's text: tags dropped, the entities we use read.
func htmlText(h string) string {
	var b strings.Builder
	in := false
	for _, r := range h {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.NewReplacer("&bull;", "•", "&nbsp;", " ", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#43;", "+", "&#34;", `"`, "&#39;", "'").Replace(b.String())
}

// targetPNGs counts the PNGs with the target line's colour in them.
func targetPNGs(t *testing.T, parts map[string][]byte) int {
	t.Helper()
	var names []string
	for cid := range parts {
		names = append(names, cid)
	}
	sort.Strings(names)
	n := 0
	for _, cid := range names {
		img, err := png.Decode(bytes.NewReader(parts[cid]))
		if err != nil {
			continue
		}
		found := 0
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, a := img.At(x, y).RGBA()
				if a>>8 == 255 && r>>8 == 0xb9 && g>>8 == 0x1c && bl>>8 == 0x1c {
					found++
				}
			}
		}
		if found > 20 {
			n++
		}
	}
	return n
}
