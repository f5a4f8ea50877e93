package history_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/history"
	"reportmailer/pkg/reports"
)

// TestSummaryFromTheStoredWeek recomputes the "queue over the week"
// figures straight from the stored snapshots, for one department in a
// timezone whose days are not UTC's, with history that begins a day late.
func TestSummaryFromTheStoredWeek(t *testing.T) {
	ctx := context.Background()
	store := &history.Memory{}
	steps := comm100sim.WeekScript()
	for i, st := range steps {
		at := comm100sim.WeekStart.Add(time.Duration(i) * time.Minute)
		if i < 1440+300 { // a new stack: history from Tuesday 05:00 UTC
			continue
		}
		var err error
		if st.Fail != 0 {
			err = errors.New("HTTP 503")
		}
		_ = store.Put(ctx, history.FromPoll(at, st.Queues, st.RightNow, err))
	}
	ny, _ := time.LoadLocation("America/New_York")
	from := time.Date(2026, 11, 16, 0, 0, 0, 0, ny)
	to := time.Date(2026, 11, 23, 0, 0, 0, 0, ny)
	snaps, err := store.Range(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	sales := string(steps[0].Queues[1].RouteTo.ID) // the script's first department: Sales
	got := history.Summarize(snaps, from, to, history.SummaryOptions{Location: ny, Departments: []string{sales}, Wait: 90 * time.Second})

	// Independently: walk the stored snapshots.
	type day struct {
		polls, peak, over int
		peakAt            time.Time
		longest           float64
	}
	days := map[string]*day{}
	hours := map[[2]int][]float64{}
	for _, s := range snaps {
		if s.Err != "" {
			continue
		}
		l := s.At.In(ny)
		k := l.Format("2006-01-02")
		if days[k] == nil {
			days[k] = &day{peak: -1}
		}
		d := days[k]
		d.polls++
		n, longest := 0, 0.0
		for _, q := range s.Queues {
			if q.RouteTo.Type == reports.RouteDepartment && string(q.RouteTo.ID) == sales {
				n += len(q.Waits)
				for _, w := range q.Waits {
					if w > longest {
						longest = w
					}
				}
			}
		}
		if n > d.peak {
			d.peak, d.peakAt = n, l
		}
		if longest > 90 {
			d.over++
		}
		if longest > d.longest {
			d.longest = longest
		}
		hours[[2]int{int(l.Weekday()), l.Hour()}] = append(hours[[2]int{int(l.Weekday()), l.Hour()}], float64(n))
	}
	if len(got.Days) != 7 {
		t.Fatalf("%d days, want 7", len(got.Days))
	}
	for _, g := range got.Days {
		w := days[g.Date.Format("2006-01-02")]
		if w == nil {
			if g.Covered || g.Polls != 0 {
				t.Errorf("%s: covered with %d polls; the history does not reach it", g.Date, g.Polls)
			}
			continue
		}
		if g.Polls != w.polls || g.Peak != w.peak || !g.PeakAt.Equal(w.peakAt) || g.MinutesOverWait != w.over || g.LongestWait != w.longest {
			t.Errorf("%s: got polls %d peak %d at %s, over %d, longest %v; want %d, %d at %s, %d, %v", g.Date.Format("Mon 02"),
				g.Polls, g.Peak, g.PeakAt.Format("15:04"), g.MinutesOverWait, g.LongestWait, w.polls, w.peak, w.peakAt.Format("15:04"), w.over, w.longest)
		}
	}
	for wd := range 7 {
		for h := range 24 {
			v := hours[[2]int{wd, h}]
			c := got.Heatmap[wd][h]
			if len(v) == 0 {
				if c.Polls != 0 {
					t.Errorf("heatmap %d %02d:00 has %d polls, want none (a gap)", wd, h, c.Polls)
				}
				continue
			}
			sort.Float64s(v)
			m := v[len(v)/2]
			if len(v)%2 == 0 {
				m = (v[len(v)/2-1] + v[len(v)/2]) / 2
			}
			if c.Polls != len(v) || c.Median != m {
				t.Errorf("heatmap %d %02d:00 = %+v, want median %v of %d: %v", wd, h, c, m, len(v), v)
			}
		}
	}
	if want := comm100sim.WeekStart.Add(29 * time.Hour); !got.CoveredFrom.Equal(want) {
		t.Errorf("covered from %s, want %s (the first poll kept)", got.CoveredFrom, want)
	}
	// Tuesday's Support surge is outside the filter, inside the whole site.
	all := history.Summarize(snaps, from, to, history.SummaryOptions{Location: ny})
	if all.Days[1].Peak <= got.Days[1].Peak || all.Wait != history.DefaultWait {
		t.Errorf("Tuesday's peak: %d for the site, %d for Sales; want the site's larger", all.Days[1].Peak, got.Days[1].Peak)
	}
	// Monday (New York) is before the history: not covered; Thursday has the outage.
	if got.Days[0].Covered {
		t.Error("Monday is covered; the history begins on Tuesday")
	}
	if thu := got.Days[3]; thu.GapMinutes < 25 || thu.Peak == 0 {
		t.Errorf("Thursday: %+v, want the 25-minute outage as a gap", thu)
	}
}
