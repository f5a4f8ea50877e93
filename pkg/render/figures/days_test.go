package figures

import (
	"testing"
	"time"

	"reportmailer/pkg/reports"
)

func hour(d, h int) *reports.Bucket {
	from := time.Date(2026, 11, d, h, 0, 0, 0, time.UTC)
	return &reports.Bucket{
		From: reports.Slot{Kind: reports.SlotDateTime, DateTime: from},
		To:   reports.Slot{Kind: reports.SlotDateTime, DateTime: from.Add(time.Hour)},
	}
}

// TestByDay: hour buckets fall into the local day they start in (here an
// hour behind UTC), in order; rows without a bucket are left out.
func TestByDay(t *testing.T) {
	t.Parallel()
	loc := time.FixedZone("-1", -3600)
	r1 := &reports.ChatVolumeRow{Time: hour(16, 0)} // 15 Nov 23:00 local
	r2 := &reports.ChatVolumeRow{Time: hour(16, 1)}
	r3 := &reports.ChatVolumeRow{Time: hour(16, 5)}
	days, byDay := ByDay([]any{r1, r2, &reports.ChatVolumeRow{}, r3}, func(t time.Time) time.Time { return t.In(loc) })
	if len(days) != 2 || days[0].Day() != 15 || days[1].Day() != 16 || len(byDay[0]) != 1 || len(byDay[1]) != 2 {
		t.Errorf("days %v, rows %v", days, byDay)
	}
}

// TestOverall: any miss is the worst miss; else met when a day met; too
// few and no data only when nothing was judged.
func TestOverall(t *testing.T) {
	t.Parallel()
	met, tooFew := Verdict{Status: Met}, Verdict{Status: TooFew}
	small, big := Verdict{Status: Missed, By: 1}, Verdict{Status: Missed, By: 5}
	if got := Overall([]Verdict{met, small, big, small}); got != big {
		t.Errorf("misses: %+v, want the worst", got)
	}
	if got := Overall([]Verdict{tooFew, met, {}}); got.Status != Met {
		t.Errorf("met and too few: %v", got.Status)
	}
	if got := Overall([]Verdict{tooFew, {}}); got.Status != TooFew {
		t.Errorf("only too few: %v", got.Status)
	}
	if got := Overall(nil); got.Status != NoData {
		t.Errorf("no days: %v", got.Status)
	}
	if m, x, f, n := Tally([]Verdict{met, small, tooFew}, 7); m != 1 || x != 1 || f != 1 || n != 4 {
		t.Errorf("Tally = %d %d %d %d", m, x, f, n)
	}
}
