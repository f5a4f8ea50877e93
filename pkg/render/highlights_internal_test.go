package render

import (
	"strings"
	"testing"
	"time"

	"reportmailer/pkg/reports"
)

// volumeDigest is a week of daily chat volume against the previous week:
// cur and prev give each day's (requests, chats, missed).
func volumeDigest(cur, prev [][3]float64) *Digest {
	start := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	rows := func(days [][3]float64, from time.Time) []any {
		var out []any
		for i, v := range days {
			b := &reports.Bucket{From: reports.Slot{Kind: reports.SlotDateTime, DateTime: from.AddDate(0, 0, i)},
				To: reports.Slot{Kind: reports.SlotDateTime, DateTime: from.AddDate(0, 0, i+1)}}
			out = append(out, &reports.ChatVolumeRow{Time: b, ChatRequests: v[0], Chats: v[1], MissedChats: v[2]})
		}
		return out
	}
	return &Digest{Title: "T", Period: Period{Start: start, End: start.AddDate(0, 0, 7), Location: time.UTC},
		Previous: &Period{Start: start.AddDate(0, 0, -7), End: start, Location: time.UTC},
		Sections: []Section{{Report: "chatVolume", Group: reports.GroupDay, Rows: rows(cur, start), Previous: rows(prev, start.AddDate(0, 0, -7))}}}
}

func week(requests, chats, missed float64) [][3]float64 {
	out := make([][3]float64, 7)
	for i := range out {
		out[i] = [3]float64{requests, chats, missed}
	}
	return out
}

func highlightsOf(d *Digest) []Highlight {
	c := cleanDigest(d)
	return highlights(c, buildViews(c))
}

func TestHighlights(t *testing.T) {
	t.Parallel()
	t.Run("all quiet", func(t *testing.T) {
		hs := highlightsOf(volumeDigest(week(100, 90, 10), week(100, 90, 10)))
		if len(hs) != 1 || hs[0].Text != quiet || hs[0].Anchor != "" {
			t.Errorf("got %+v, want the all-quiet line", hs)
		}
	})
	t.Run("volume floor: 1 to 2 missed a day is no news", func(t *testing.T) {
		hs := highlightsOf(volumeDigest(week(100, 98, 2), week(100, 99, 1)))
		for _, h := range hs {
			if strings.Contains(h.Text, "Missed") {
				t.Errorf("small numbers reported: %q", h.Text)
			}
		}
	})
	t.Run("ranking and where", func(t *testing.T) {
		cur := week(100, 90, 10)
		cur[1] = [3]float64{160, 100, 60} // Tuesday: 50 more missed, 60 more requests
		hs := highlightsOf(volumeDigest(cur, week(100, 90, 10)))
		if len(hs) < 2 {
			t.Fatalf("got %+v", hs)
		}
		if !strings.HasPrefix(hs[0].Text, "Missed chats (Chat volume) rose 71% (70 → 120), most of it on Tue 17 (+50)") {
			t.Errorf("first highlight %q", hs[0].Text)
		}
		if hs[0].Anchor == "" || hs[0].score < hs[1].score {
			t.Errorf("not ranked or not linked: %+v", hs)
		}
		if len(hs) > maxHighlights {
			t.Errorf("%d highlights", len(hs))
		}
	})
	t.Run("ties keep the digest's order", func(t *testing.T) {
		d := volumeDigest(week(100, 90, 10), week(100, 90, 10))
		d.Sections[0].Rows = volumeDigest(week(120, 90, 10), nil).Sections[0].Rows
		other := d.Sections[0]
		other.Filter = &reports.Filter{Name: "department", Value: "x"}
		d.Sections = append(d.Sections, other)
		hs := highlightsOf(d)
		if len(hs) < 2 || hs[0].section != 0 || hs[1].section != 1 || hs[0].score != hs[1].score {
			t.Errorf("got %+v, want the two equal changes in section order", hs)
		}
	})
	t.Run("near-duplicates are said once", func(t *testing.T) {
		// Requests and chats move by the same numbers: one statement.
		hs := highlightsOf(volumeDigest(week(150, 150, 0), week(100, 100, 0)))
		if len(hs) != 1 || !strings.Contains(hs[0].Text, "(700 → 1,050)") {
			t.Errorf("got %+v, want one statement", hs)
		}
	})
	t.Run("no previous period, no block", func(t *testing.T) {
		d := volumeDigest(week(100, 90, 10), week(100, 90, 10))
		d.Previous = nil
		if hs := highlightsOf(d); hs != nil {
			t.Errorf("got %+v", hs)
		}
	})
}

// TestFraming: "most of it" only for more than half of the net change,
// else the largest contributor named as such; rates change in points;
// a satisfaction figure from too few ratings shows its n and no change.
func TestFraming(t *testing.T) {
	t.Run("largest drop is not most of it", func(t *testing.T) {
		// Missed chats fall by 38: Tue −13, Thu −13, Fri −12 (issue 22's shape).
		prev := week(100, 80, 20)
		cur := week(100, 80, 20)
		cur[1][2], cur[3][2], cur[4][2] = 7, 7, 8
		cur[1][1], cur[3][1], cur[4][1] = 93, 93, 92
		hs := highlightsOf(volumeDigest(cur, prev))
		var text string
		for _, h := range hs {
			if strings.HasPrefix(h.Text, "Missed chats") {
				text = h.Text
			}
		}
		if !strings.Contains(text, "the largest drop was on Tue 17 (−13)") || strings.Contains(text, "most of it") {
			t.Errorf("got %q", text)
		}
	})
	t.Run("exactly half is not most", func(t *testing.T) {
		prev := week(100, 80, 20)
		cur := week(100, 80, 20)
		cur[1][2], cur[2][2] = 0, 0 // two days of −20: each exactly half
		cur[1][1], cur[2][1] = 100, 100
		for _, h := range highlightsOf(volumeDigest(cur, prev)) {
			if strings.HasPrefix(h.Text, "Missed chats") && strings.Contains(h.Text, "most of it") {
				t.Errorf("half called most: %q", h.Text)
			}
		}
	})
	t.Run("rates in points", func(t *testing.T) {
		d := cleanDigest(volumeDigest(week(100, 92, 8), week(100, 90, 10)))
		v := buildViews(d)[0]
		var got string
		for _, r := range v.Table.Rows {
			if r[0] == "Answered rate" {
				got = r[3]
			}
		}
		if got != "▲ 2.0 pts" {
			t.Errorf("answered rate change %q, want ▲ 2.0 pts", got)
		}
	})
	t.Run("one rating is no satisfaction figure", func(t *testing.T) {
		start := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
		d := &Digest{Title: "T", Period: Period{Start: start, End: start.AddDate(0, 0, 1), Location: time.UTC},
			Previous: &Period{Start: start.AddDate(0, 0, -7), End: start.AddDate(0, 0, -6), Location: time.UTC},
			Sections: []Section{{Report: "rating", Group: reports.GroupAgent,
				Rows:     []any{&reports.RatingRow{AgentID: "1", Score2: 1}},
				Previous: []any{&reports.RatingRow{AgentID: "1", Score4: 3, Score5: 2}}}}}
		for _, k := range kpis(cleanDigest(d)) {
			if k.Label == "Satisfaction" && (k.Delta.Text != "" || k.Previous != "from 1 rated") {
				t.Errorf("KPI %+v: want its n and no change", k)
			}
		}
	})
	t.Run("an average of a handful of chats shows its n", func(t *testing.T) {
		d := volumeDigest(week(3, 2, 0), week(3, 2, 0))
		wait := func(v float64, from time.Time) []any {
			var out []any
			for i := 0; i < 7; i++ {
				b := &reports.Bucket{From: reports.Slot{Kind: reports.SlotDateTime, DateTime: from.AddDate(0, 0, i)},
					To: reports.Slot{Kind: reports.SlotDateTime, DateTime: from.AddDate(0, 0, i+1)}}
				out = append(out, &reports.WaitTimeRow{Time: b, AvgWaitTime: v})
			}
			return out
		}
		d.Sections = append(d.Sections, Section{Report: "waitTime", Group: reports.GroupDay,
			Rows: wait(90, d.Period.Start), Previous: wait(30, d.Previous.Start)})
		c := cleanDigest(d)
		for _, k := range kpis(c) {
			if k.Label == "Avg wait" && (k.Delta.Text != "" || k.Previous != "from 14 chats") {
				t.Errorf("KPI %+v: want its n and no change", k)
			}
		}
		for _, h := range highlights(c, buildViews(c)) {
			if strings.Contains(h.Text, "Avg wait") {
				t.Errorf("highlighted from 14 chats: %q", h.Text)
			}
		}
		row := buildViews(c)[1].Table.Rows[0]
		if row[1] != "1m 30s (n=14)" || row[3] != "" {
			t.Errorf("table row %q, want its n and no change", row)
		}
	})
	t.Run("small counts change by their difference; the quiet line names the comparison", func(t *testing.T) {
		start := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
		d := volumeDigest([][3]float64{{7, 7, 0}}, [][3]float64{{7, 6, 1}})
		d.Period = Period{Start: start, End: start.AddDate(0, 0, 1), Location: time.UTC}
		d.Previous = &Period{Start: start.AddDate(0, 0, -7), End: start.AddDate(0, 0, -6), Location: time.UTC}
		d.CompareLabel = "the same day last week"
		c := cleanDigest(d)
		for _, k := range kpis(c) {
			if k.Label == "Chats" && (k.Delta.Text != "▲ 1" || k.Delta.Tone != "flat") {
				t.Errorf("KPI %+v: want ▲ 1, uncoloured", k)
			}
		}
		hs := highlights(c, buildViews(c))
		if len(hs) != 1 || hs[0].Text != "No notable changes against the same day last week." {
			t.Errorf("got %+v", hs)
		}
		for _, r := range buildViews(c)[0].Table.Rows {
			if r[0] == "Answered rate" && (r[1] != "100% (n=7)" || r[3] != "") {
				t.Errorf("rate of 7 chats: %q", r)
			}
		}
	})
}
