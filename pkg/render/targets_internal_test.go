package render

import (
	"strings"
	"testing"
	"time"

	"reportmailer/pkg/reports"
)

func f64(v float64) *float64 { return &v }

// targetDigest is a week of daily chat volume (requests, chats, missed per
// day) and rating rows (score5, score1 per day), against a previous week.
func targetDigest(cur, prev [][3]float64, ratings [][2]float64) *Digest {
	d := volumeDigest(cur, prev)
	var rows []any
	for i, r := range ratings {
		rows = append(rows, &reports.RatingRow{Time: dayBucket(d.Period.Start, i), Score5: r[0], Score1: r[1]})
	}
	d.Sections = append(d.Sections, Section{Report: "rating", Group: reports.GroupDay, Rows: rows})
	return d
}

func dayBucket(start time.Time, i int) *reports.Bucket {
	return &reports.Bucket{From: reports.Slot{Kind: reports.SlotDateTime, DateTime: start.AddDate(0, 0, i)},
		To: reports.Slot{Kind: reports.SlotDateTime, DateTime: start.AddDate(0, 0, i+1)}}
}

func attainmentOf(t *testing.T, d *Digest, tg Target) Attainment {
	t.Helper()
	d.Targets = []Target{tg}
	as := attainments(cleanDigest(d))
	if len(as) != 1 {
		t.Fatalf("%d attainments", len(as))
	}
	return as[0]
}

func TestAttainmentPerPeriod(t *testing.T) {
	t.Parallel()
	t.Run("rate missed, previous met", func(t *testing.T) {
		t.Parallel()
		// 630 of 700 answered = 90%; last week 693 of 700 = 99%.
		a := attainmentOf(t, targetDigest(week(100, 90, 10), week(100, 99, 1), nil), Target{Metric: "chatVolume.answeredRate", Min: f64(0.95)})
		if a.Status != Missed || a.Value != 0.9 || a.Prev.Status != Met {
			t.Errorf("got %+v", a)
		}
		if got := byText(a.By, reports.Ratio, format2); got != "5 pts" {
			t.Errorf("by %q", got)
		}
	})
	t.Run("count max per period", func(t *testing.T) {
		t.Parallel()
		a := attainmentOf(t, targetDigest(week(100, 90, 10), nil, nil), Target{Metric: "chatVolume.missedChats", Max: f64(70)})
		if a.Status != Met || a.Value != 70 || a.Prev.Status != NoData {
			t.Errorf("tie at 70 missed chats: %+v", a)
		}
	})
	t.Run("one rating is not a miss", func(t *testing.T) {
		t.Parallel()
		a := attainmentOf(t, targetDigest(week(100, 90, 10), nil, [][2]float64{{0, 1}}), Target{Metric: "rating.average", Min: f64(4.5)})
		if a.Status != TooFew || !strings.Contains(a.Reason, "too few ratings") {
			t.Errorf("got %+v", a)
		}
	})
	t.Run("an average of a handful of chats is not a miss", func(t *testing.T) {
		t.Parallel()
		withWait := func(cur [][3]float64, minChats int) *Digest {
			d := targetDigest(cur, nil, nil)
			d.MinChats = minChats
			var rows []any
			for i := range cur {
				rows = append(rows, &reports.WaitTimeRow{Time: dayBucket(d.Period.Start, i), AvgWaitTime: 90})
			}
			d.Sections = append(d.Sections, Section{Report: "waitTime", Group: reports.GroupDay, Rows: rows})
			return d
		}
		wait := Target{Metric: "waitTime.avgWaitTime", Max: f64(40)}
		// 14 chats waited over the week (1 answered, 1 missed a day):
		// under the digest's minimum (20 by default), over a minimum of 10.
		if a := attainmentOf(t, withWait(week(2, 1, 1), 0), wait); a.Status != TooFew || a.Reason != "too few chats to judge (14, needs 20)" {
			t.Errorf("14 chats: %+v", a)
		}
		if a := attainmentOf(t, withWait(week(2, 1, 1), 10), wait); a.Status != Missed || a.Value != 90 {
			t.Errorf("14 chats, minSample.chats 10: %+v", a)
		}
		if a := attainmentOf(t, withWait(week(100, 90, 10), 0), wait); a.Status != Missed {
			t.Errorf("700 chats: %+v", a)
		}
	})
	t.Run("missing report says so", func(t *testing.T) {
		t.Parallel()
		d := targetDigest(week(100, 90, 10), nil, nil)
		d.Sections = append(d.Sections, Section{Report: "waitTime", Group: reports.GroupDay, Note: "Not available in your Comm100 edition"})
		a := attainmentOf(t, d, Target{Metric: "waitTime.avgWaitTime", Max: f64(40)})
		if a.Status != NoData || a.Reason != "Not available in your Comm100 edition" {
			t.Errorf("got %+v", a)
		}
		a = attainmentOf(t, d, Target{Metric: "visits.visits", Min: f64(1)})
		if a.Status != NoData || a.Reason != "not in this digest" {
			t.Errorf("absent report: %+v", a)
		}
	})
}

func TestAttainmentPerDay(t *testing.T) {
	t.Parallel()
	cur := week(100, 90, 10)
	cur[2] = [3]float64{100, 40, 60} // Wednesday: 60 missed
	cur[4] = [3]float64{100, 50, 50} // Friday: 50, on the limit
	d := targetDigest(cur, week(100, 90, 10), nil)
	a := attainmentOf(t, d, Target{Metric: "chatVolume.missedChats", Max: f64(50), PerDay: true})
	met, missed, tooFew, noData := count(a.Days, a.DaysInPeriod)
	if a.Status != Missed || a.By != 10 || met != 6 || missed != 1 || tooFew+noData != 0 {
		t.Fatalf("got %+v (met %d missed %d)", a, met, missed)
	}
	if a.Prev.Status != Met || len(a.PrevDays) != 7 {
		t.Errorf("previous: %+v", a.Prev)
	}
	if got := daysText(met, a.DaysInPeriod, tooFew, noData); got != "on target 6 of 7 days" {
		t.Errorf("%q", got)
	}
	if !a.Days[2].Day.Equal(d.Period.Start.AddDate(0, 0, 2)) || a.Days[2].Status != Missed {
		t.Errorf("Wednesday: %+v", a.Days[2])
	}

	t.Run("missing days and small samples", func(t *testing.T) {
		t.Parallel()
		// Five days of ratings: two days of one rating each, three of 12.
		d := targetDigest(week(100, 90, 10), nil, [][2]float64{{12, 0}, {0, 1}, {1, 0}, {10, 2}, {12, 0}})
		a := attainmentOf(t, d, Target{Metric: "rating.average", Min: f64(4.5), PerDay: true})
		met, missed, tooFew, noData := count(a.Days, a.DaysInPeriod)
		if met != 2 || missed != 1 || tooFew != 2 || noData != 2 {
			t.Errorf("met %d missed %d tooFew %d noData %d", met, missed, tooFew, noData)
		}
		if got := daysText(met, a.DaysInPeriod, tooFew, noData); got != "on target 2 of 7 days (2 too few to judge, 2 without data)" {
			t.Errorf("%q", got)
		}
	})
}

func format2(v float64, u reports.Unit) string { return (&Digest{}).value(v, u) }

// TestTargetNewsLeadsWhatChanged: a new miss and a recovery come first,
// and the block stays within maxHighlights.
func TestTargetNewsLeadsWhatChanged(t *testing.T) {
	t.Parallel()
	cur := week(100, 90, 10)
	cur[1] = [3]float64{160, 100, 60} // Tuesday: 60 missed (a big change, and a miss of ≤ 50 a day)
	d := targetDigest(cur, week(100, 70, 30), nil)
	d.Targets = []Target{
		{Metric: "chatVolume.missedChats", Max: f64(50), PerDay: true}, // met every day last week, missed Tuesday
		{Metric: "chatVolume.answeredRate", Min: f64(0.8)},             // 70% last week, 640 of 760 = 84% now: recovered
		{Metric: "chatVolume.chats", Min: f64(1)},                      // met both weeks: no news
	}
	hs := highlightsOf(d)
	if len(hs) < 3 || len(hs) > maxHighlights {
		t.Fatalf("%d lines: %+v", len(hs), hs)
	}
	if want := "Missed chats went over its target of 50 a day on 1 day (Tue 17); it was met every day last period."; hs[0].Text != want {
		t.Errorf("first line %q, want %q", hs[0].Text, want)
	}
	if want := "Answered rate is back at or above its target of 80% (84%); it was missed last period."; hs[1].Text != want {
		t.Errorf("second line %q, want %q", hs[1].Text, want)
	}
	for _, h := range hs[2:] {
		if strings.Contains(h.Text, "target") || h.Text == quiet {
			t.Errorf("target or quiet line after the news: %q", h.Text)
		}
	}
	for _, h := range hs[:2] {
		if h.Anchor == "" || h.section != 0 {
			t.Errorf("news not linked to its section: %+v", h)
		}
	}
}

// TestTargetChartLines: a daily chart of a target's metric gets the dashed
// limit across the period and a mark on each day that misses it; an hourly
// chart of a count does not (a day's limit is no hour's).
func TestTargetChartLines(t *testing.T) {
	t.Parallel()
	cur := week(100, 90, 10)
	cur[3] = [3]float64{100, 30, 70}
	d := cleanDigest(targetDigest(cur, nil, nil))
	d.Targets = []Target{{Metric: "chatVolume.missedChats", Max: f64(50), PerDay: true}}
	spec, _ := reports.Lookup("chatVolume")
	missed, _ := spec.MetricByWire("missedChats")
	ls := d.targetLines(&d.Sections[0], []reports.Metric{missed})
	if len(ls) != 2 || ls[0].kind != targetLine || ls[1].kind != missedMarks {
		t.Fatalf("lines %+v", ls)
	}
	if ls[0].name != "Target ≤ 50" || ls[0].values[0] != 50 || !ls[0].times[0].Equal(d.Period.Start) || !ls[0].times[1].Equal(d.Period.End) {
		t.Errorf("target line %+v", ls[0])
	}
	if len(ls[1].values) != 1 || ls[1].values[0] != 70 {
		t.Errorf("marks %+v, want Thursday's 70", ls[1])
	}
	if ls := d.targetLines(&d.Sections[0], []reports.Metric{spec.Metrics[0]}); len(ls) != 0 {
		t.Errorf("a chart without the metric got %+v", ls)
	}
	d.Sections[0].Group = reports.GroupHour
	if ls := d.targetLines(&d.Sections[0], []reports.Metric{missed}); len(ls) != 0 {
		t.Errorf("an hourly chart got a day's count limit: %+v", ls)
	}
}

// TestTargetsCSV: the CSV's Targets lines carry the limit, the figure and
// met for the period, and per day for a per-day target.
func TestTargetsCSV(t *testing.T) {
	t.Parallel()
	cur := week(100, 90, 10)
	cur[3] = [3]float64{100, 30, 70}
	d := targetDigest(cur, nil, nil)
	d.Targets = []Target{
		{Metric: "chatVolume.answeredRate", Min: f64(0.95)},
		{Metric: "chatVolume.missedChats", Max: f64(50), PerDay: true},
	}
	got := map[string]string{}
	for _, l := range strings.Split(string(CSV(d)), "\n") {
		if !strings.HasPrefix(l, "Targets,") {
			continue
		}
		f := strings.Split(l, ",")
		if len(f) != 10 || f[9] != PeriodCurrent {
			t.Errorf("%q: want the period column, %q", l, PeriodCurrent)
			continue
		}
		if _, err := time.Parse(time.RFC3339, f[3]); err != nil {
			t.Errorf("%q: from is no RFC 3339 instant: %v", l, err)
		}
		got[f[2]+"|"+f[3][:10]+"|"+f[5]+"|"+f[7]] = f[8]
	}
	for k, want := range map[string]string{
		"period|2026-11-16|chatVolume.answeredRate|target min": "0.95",
		"period|2026-11-16|chatVolume.answeredRate|figure":     "0.81", // 570 of 700
		"period|2026-11-16|chatVolume.answeredRate|met":        "0",
		"day|2026-11-19|chatVolume.missedChats|figure":         "70",
		"day|2026-11-19|chatVolume.missedChats|met":            "0",
		"day|2026-11-20|chatVolume.missedChats|met":            "1",
		"period|2026-11-16|chatVolume.missedChats|days met":    "6",
		"period|2026-11-16|chatVolume.missedChats|days":        "7",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
}

// TestTargetMailLegend: in the mail, whose legends are HTML, a target's
// line and its missed days join the chart's legend beside the series, in
// the target's red with their own marks; a band's second line adds no entry.
func TestTargetMailLegend(t *testing.T) {
	t.Parallel()
	cur := week(100, 90, 10)
	cur[3] = [3]float64{100, 30, 70}
	d := cleanDigest(targetDigest(cur, nil, nil))
	d.Targets = []Target{{Metric: "chatVolume.missedChats", Min: f64(5), Max: f64(50), PerDay: true}}
	spec, _ := reports.Lookup("chatVolume")
	missed, _ := spec.MetricByWire("missedChats")
	ts, vs := d.series(d.Sections[0].Rows, missed, 0)
	lines := append([]line{{name: "Missed chats", times: ts, values: vs, color: colPrimary}}, d.targetLines(&d.Sections[0], []reports.Metric{missed})...)
	f := lineFigure(lines, d.Period.Start, d.Period.End, nil, "Mon 2", time.UTC, func(float64) string { return "" }, "alt", mailLayout(2))
	red := hexColor(colTarget)
	want := []LegendEntry{{Label: "Missed chats", Color: hexColor(colPrimary)}, {Label: "Target 5 – 50", Color: red, Mark: "- -"}, {Label: "Missed days", Color: red, Mark: "●"}}
	if len(f.legend) != len(want) {
		t.Fatalf("legend %+v, want %+v", f.legend, want)
	}
	for i := range want {
		if f.legend[i].Color != want[i].Color || f.legend[i].Mark != want[i].Mark || f.legend[i].Label != want[i].Label {
			t.Errorf("legend[%d] = %+v, want %+v", i, f.legend[i], want[i])
		}
	}
	if pdf := lineFigure(lines, d.Period.Start, d.Period.End, nil, "Mon 2", time.UTC, func(float64) string { return "" }, "alt", pdfLayout); pdf.legend != nil {
		t.Errorf("the PDF's chart draws its legend itself, got %+v", pdf.legend)
	}
}
