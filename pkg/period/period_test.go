package period_test

import (
	"strings"
	"testing"
	"time"

	"reportmailer/pkg/period"
	"reportmailer/pkg/reports"
)

func loc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestPrior(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		zone      string
		kind      period.Kind
		weekStart time.Weekday
		at        string // RFC 3339
		start     string // local, 2006-01-02 15:04
		end       string
		hours     float64
	}{
		{"weekly on Monday 08:00 London", "Europe/London", period.Week, time.Monday, "2026-11-23T08:00:00Z", "2026-11-16 00:00", "2026-11-23 00:00", 168},
		{"retry after midnight, same period", "Europe/London", period.Week, time.Monday, "2026-11-24T00:30:00Z", "2026-11-16 00:00", "2026-11-23 00:00", 168},
		{"spring forward London", "Europe/London", period.Week, time.Monday, "2026-03-30T07:00:00Z", "2026-03-23 00:00", "2026-03-30 00:00", 167},
		{"autumn back London", "Europe/London", period.Week, time.Monday, "2026-10-26T08:00:00Z", "2026-10-19 00:00", "2026-10-26 00:00", 169},
		{"spring forward New York", "America/New_York", period.Week, time.Monday, "2026-03-09T12:00:00Z", "2026-03-02 00:00", "2026-03-09 00:00", 167},
		{"autumn back New York", "America/New_York", period.Week, time.Monday, "2026-11-02T13:00:00Z", "2026-10-26 00:00", "2026-11-02 00:00", 169},
		{"Sydney spring forward (October)", "Australia/Sydney", period.Week, time.Monday, "2026-10-05T00:00:00Z", "2026-09-28 00:00", "2026-10-05 00:00", 167},
		{"Sydney autumn back (April)", "Australia/Sydney", period.Week, time.Monday, "2026-04-06T00:00:00Z", "2026-03-30 00:00", "2026-04-06 00:00", 169},
		{"Kolkata +05:30", "Asia/Kolkata", period.Day, time.Monday, "2026-11-23T02:30:00Z", "2026-11-22 00:00", "2026-11-23 00:00", 24},
		{"Adelaide +10:30 daily across DST", "Australia/Adelaide", period.Day, time.Monday, "2026-10-04T20:00:00Z", "2026-10-04 00:00", "2026-10-05 00:00", 23},
		{"week starting Sunday", "Europe/London", period.Week, time.Sunday, "2026-11-23T08:00:00Z", "2026-11-15 00:00", "2026-11-22 00:00", 168},
		{"daily yesterday", "Europe/London", period.Day, time.Monday, "2026-11-23T08:00:00Z", "2026-11-22 00:00", "2026-11-23 00:00", 24},
		{"monthly", "Europe/London", period.Month, time.Monday, "2026-12-01T08:00:00Z", "2026-11-01 00:00", "2026-12-01 00:00", 720},
		{"month end to leap February", "America/New_York", period.Month, time.Monday, "2028-03-01T14:00:00Z", "2028-02-01 00:00", "2028-03-01 00:00", 29 * 24},
		{"leap day daily", "Asia/Kolkata", period.Day, time.Monday, "2028-03-01T03:00:00Z", "2028-02-29 00:00", "2028-03-01 00:00", 24},
		{"monthly run at 02:00 UTC on 1 Jan is still 31 Dec in New York: November", "America/New_York", period.Month, time.Monday, "2027-01-01T02:00:00Z", "2026-11-01 00:00", "2026-12-01 00:00", 721},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := loc(t, tc.zone)
			at, _ := time.Parse(time.RFC3339, tc.at)
			p := period.Spec{Kind: tc.kind, WeekStart: tc.weekStart, Location: l}.Prior(at)
			if got := p.Start.In(l).Format("2006-01-02 15:04"); got != tc.start {
				t.Errorf("start %s, want %s", got, tc.start)
			}
			if got := p.End.In(l).Format("2006-01-02 15:04"); got != tc.end {
				t.Errorf("end %s, want %s", got, tc.end)
			}
			if h := p.End.Sub(p.Start).Hours(); h != tc.hours {
				t.Errorf("%v hours, want %v", h, tc.hours)
			}
		})
	}
}

func TestQueryAcrossDST(t *testing.T) {
	t.Parallel()
	london := loc(t, "Europe/London")
	p := period.Spec{Kind: period.Week, WeekStart: time.Monday, Location: london}.Prior(time.Date(2026, 3, 30, 8, 0, 0, 0, london))
	from, to, off := p.Query()
	q := reports.Query{From: from, To: to, Offset: off}
	zone := q.Zone()
	if got := from.In(zone).Format(reports.DateTimeLayout) + " " + to.In(zone).Format(reports.DateTimeLayout) + " " + reports.FormatOffset(off); got != "2026-03-23T00:00:00 2026-03-29T23:00:00 +00:00" {
		t.Errorf("query %s", got)
	}
	adelaide := loc(t, "Australia/Adelaide")
	p = period.Spec{Kind: period.Day, Location: adelaide}.Prior(time.Date(2026, 11, 23, 8, 0, 0, 0, adelaide))
	if _, _, off := p.Query(); reports.FormatOffset(off) != "+10:30" {
		t.Errorf("Adelaide summer offset %s", reports.FormatOffset(off))
	}
}

func TestPreviousAndStarting(t *testing.T) {
	t.Parallel()
	london := loc(t, "Europe/London")
	s := period.Spec{Kind: period.Week, WeekStart: time.Monday, Location: london}
	p, err := s.Starting("2026-11-16")
	if err != nil {
		t.Fatal(err)
	}
	if prev := p.Previous(s); prev.Key() != "2026-11-09" || !prev.End.Equal(p.Start) {
		t.Errorf("previous %s – %s", prev.Start, prev.End)
	}
	if p.Key() != "2026-11-16" || p.LastDay() != "2026-11-22" {
		t.Errorf("key %s last %s", p.Key(), p.LastDay())
	}
	if _, err := s.Starting("2026-11-18"); err == nil || !strings.Contains(err.Error(), "starts on Monday") {
		t.Errorf("mid-week start: %v", err)
	}
	if _, err := s.Starting("16/11/2026"); err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Errorf("bad date: %v", err)
	}
	m := period.Spec{Kind: period.Month, Location: london}
	mp, _ := m.Starting("2026-03-01")
	if prev := mp.Previous(m); prev.Key() != "2026-02-01" || prev.LastDay() != "2026-02-28" {
		t.Errorf("month previous %s %s", prev.Key(), prev.LastDay())
	}
}

// Where a DST change skips midnight itself (Santiago's first Sunday of
// September, Havana's second Sunday of March), the day starts at the end
// of the gap: every day is its own, non-empty period with its own key, and
// Next always moves on.
func TestDaysWhoseMidnightIsSkipped(t *testing.T) {
	for _, tc := range []struct {
		zone, day string
		hours     float64
	}{
		{"America/Santiago", "2026-09-06", 23},
		{"America/Havana", "2026-03-08", 23},
	} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		spec := period.Spec{Kind: period.Day, Location: loc}
		p, err := spec.Starting(tc.day)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.zone, tc.day, err)
		}
		if p.Key() != tc.day || p.End.Sub(p.Start).Hours() != tc.hours {
			t.Errorf("%s %s: period %s, %v hours, want key %s and %v hours", tc.zone, tc.day, p.Key(), p.End.Sub(p.Start).Hours(), tc.day, tc.hours)
		}
		if local := p.Start.In(loc); local.Hour() != 1 {
			t.Errorf("%s %s starts at %s, want 01:00 (the end of the gap)", tc.zone, tc.day, local.Format("15:04"))
		}
		prev := p.Previous(spec)
		if prev.Key() == p.Key() || !prev.End.Equal(p.Start) || !p.Next(spec).Start.Equal(p.End) {
			t.Errorf("%s %s: neighbours %s / %s do not adjoin", tc.zone, tc.day, prev.Key(), p.Next(spec).Key())
		}
		week := period.Spec{Kind: period.Week, WeekStart: time.Sunday, Location: loc}
		if w, err := week.Starting(tc.day); err != nil || w.Key() != tc.day {
			t.Errorf("%s: a week starting %s: %v %v", tc.zone, tc.day, w.Key(), err)
		}
	}
}

// A period is cut at each UTC offset change inside it, and only there:
// the stretches tile the period, each in the offset in force throughout it
// (bounds are shown as wall time in that offset, as the query sends them).
func TestStretches(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, zone string
		kind       period.Kind
		weekStart  time.Weekday
		start      string
		want       []string // local from – to, offset
	}{
		{"no change", "Europe/London", period.Week, time.Monday, "2026-11-16",
			[]string{"2026-11-16 00:00 – 2026-11-23 00:00 +00:00"}},
		{"New York falls back on the week's first day", "America/New_York", period.Week, time.Sunday, "2026-11-01",
			[]string{"2026-11-01 00:00 – 2026-11-01 02:00 -04:00", "2026-11-01 01:00 – 2026-11-08 00:00 -05:00"}},
		{"Sydney springs forward on the week's first day", "Australia/Sydney", period.Week, time.Sunday, "2026-10-04",
			[]string{"2026-10-04 00:00 – 2026-10-04 02:00 +10:00", "2026-10-04 03:00 – 2026-10-11 00:00 +11:00"}},
		{"change on a Monday week's last Sunday", "Europe/London", period.Week, time.Monday, "2026-10-19",
			[]string{"2026-10-19 00:00 – 2026-10-25 02:00 +01:00", "2026-10-25 01:00 – 2026-10-26 00:00 +00:00"}},
		{"Lord Howe's half-hour shift", "Australia/Lord_Howe", period.Week, time.Sunday, "2026-10-04",
			[]string{"2026-10-04 00:00 – 2026-10-04 02:00 +10:30", "2026-10-04 02:30 – 2026-10-11 00:00 +11:00"}},
		{"a day that loses its midnight", "America/Santiago", period.Day, time.Monday, "2026-09-06",
			[]string{"2026-09-06 01:00 – 2026-09-07 00:00 -03:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := loc(t, tc.zone)
			p, err := period.Spec{Kind: tc.kind, WeekStart: tc.weekStart, Location: l}.Starting(tc.start)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, s := range p.Stretches() {
				// Both bounds as the query sends them: wall time in the stretch's offset.
				z := time.FixedZone("", int(s.Offset/time.Second))
				got = append(got, s.From.In(z).Format("2006-01-02 15:04")+" – "+s.To.In(z).Format("2006-01-02 15:04")+" "+reports.FormatOffset(s.Offset))
				if _, off := s.From.In(l).Zone(); time.Duration(off)*time.Second != s.Offset {
					t.Errorf("stretch %d starts in offset %ds, not %v", i, off, s.Offset)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("stretches\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			st := p.Stretches()
			if !st[0].From.Equal(p.Start) || !st[len(st)-1].To.Equal(p.End) {
				t.Errorf("stretches do not cover the period")
			}
			for i := 1; i < len(st); i++ {
				if !st[i].From.Equal(st[i-1].To) {
					t.Errorf("stretch %d does not start where %d ends", i, i-1)
				}
			}
		})
	}
}
