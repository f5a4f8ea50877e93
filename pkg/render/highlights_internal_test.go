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
