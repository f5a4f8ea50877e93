// Package period computes reporting periods in a timezone: the prior day,
// week or month before a schedule's time, the one before that for
// comparison, and the bounds to send to the Comm100 API.
//
// Periods are local calendar periods: a week in Europe/London runs from
// Monday 00:00 to the next Monday 00:00 local time, even when a DST change
// makes it 167 or 169 hours long. Nothing here reads the clock.
package period

import (
	"fmt"
	"time"
)

// Kind is the length of a period.
type Kind string

// Period kinds.
const (
	Day   Kind = "day"
	Week  Kind = "week"
	Month Kind = "month"
)

// Spec says how periods are cut.
type Spec struct {
	Kind      Kind
	WeekStart time.Weekday // for weeks; Monday unless set otherwise
	Location  *time.Location
}

// Period is [Start, End) in Location.
type Period struct {
	Start, End time.Time
	Location   *time.Location
}

// dayStart is the first instant of the local date y-m-d (d may overflow
// the month, as in time.Date): 00:00, or, where a DST change skips
// midnight itself (America/Santiago, America/Havana), the end of that gap.
// time.Date resolves such a missing midnight to 23:00 the day before,
// which would make an empty day and give two days one key.
func dayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	want := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if ly, lm, ld := t.In(loc).Date(); ly != want.Year() || lm != want.Month() || ld != want.Day() {
		_, gapEnd := t.ZoneBounds()
		return gapEnd
	}
	return t
}

// containing returns the period of this spec that contains t.
func (s Spec) containing(t time.Time) Period {
	loc := s.Location
	l := t.In(loc)
	y, m, d := l.Date()
	var start, end time.Time
	switch s.Kind {
	case Day:
		start, end = dayStart(y, m, d, loc), dayStart(y, m, d+1, loc)
	case Week:
		back := (int(l.Weekday()) - int(s.WeekStart) + 7) % 7
		start, end = dayStart(y, m, d-back, loc), dayStart(y, m, d-back+7, loc)
	case Month:
		start, end = dayStart(y, m, 1, loc), dayStart(y, m+1, 1, loc)
	}
	return Period{Start: start, End: end, Location: loc}
}

// Prior returns the last complete period before `at` (the schedule's
// time): a weekly digest run on Monday 08:00 covers the week that ended at
// Monday 00:00. A retry hours later, even past midnight, gets the same
// answer as long as it passes the original scheduled time.
func (s Spec) Prior(at time.Time) Period {
	return s.containing(at).Previous(s)
}

// Starting returns the period that begins on the given local date, for
// back-fills; the date must be a period start (a week start day, the 1st).
func (s Spec) Starting(date string) (Period, error) {
	civil, err := time.Parse("2006-01-02", date)
	if err != nil {
		return Period{}, fmt.Errorf("periodStart %q: want YYYY-MM-DD", date)
	}
	d := dayStart(civil.Year(), civil.Month(), civil.Day(), s.Location)
	p := s.containing(d)
	if !sameDate(p.Start.In(s.Location), civil) {
		return Period{}, fmt.Errorf("periodStart %s: a %s period here starts on %s (the one containing it starts %s)",
			date, s.Kind, s.startRule(), p.Start.Format("Mon 2006-01-02"))
	}
	return p, nil
}

func (s Spec) startRule() string {
	switch s.Kind {
	case Week:
		return s.WeekStart.String()
	case Month:
		return "the 1st"
	}
	return "any day"
}

func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// Previous returns the period before p.
func (p Period) Previous(s Spec) Period {
	return s.containing(p.Start.Add(-time.Nanosecond))
}

// Query is the whole period in one fixed UTC offset (the offset in force at
// its start). Over a DST change the end then reads an hour off in that
// offset (e.g. 2026-03-29T23:00:00 at +00:00 for Monday 00:00 BST), which
// is exactly the local period: no hour lost or counted twice. It suits
// reports whose answer is not cut into calendar buckets (per agent, per
// department); bucketed ones are asked per stretch (Stretches), since
// the API cuts days at midnight in the query's offset, not the local one.
func (p Period) Query() (from, to time.Time, offset time.Duration) {
	_, off := p.Start.In(p.Location).Zone()
	return p.Start, p.End, time.Duration(off) * time.Second
}

// Stretch is part of a period in which the UTC offset does not change.
type Stretch struct {
	From, To time.Time
	Offset   time.Duration
}

// Stretches cuts the period at each change of UTC offset inside it: one
// stretch for most periods, two for a week with a DST change, three for a
// period holding both changes. Asked in its own offset, each stretch's
// hour and day buckets start on local hours and midnights, so buckets of
// the same local day (the day of the change, split at the change) can be
// merged and every other bucket is a local day already. Zone changes that
// keep the offset (only the abbreviation changes) do not cut.
func (p Period) Stretches() []Stretch {
	var out []Stretch
	for from := p.Start; from.Before(p.End); {
		l := from.In(p.Location)
		_, off := l.Zone()
		offset := time.Duration(off) * time.Second
		to := p.End
		if _, end := l.ZoneBounds(); !end.IsZero() && end.Before(p.End) {
			to = end
		}
		if n := len(out); n > 0 && out[n-1].Offset == offset {
			out[n-1].To = to
		} else {
			out = append(out, Stretch{From: from, To: to, Offset: offset})
		}
		from = to
	}
	return out
}

// Key is a stable name for the period, used in idempotency keys and file
// names: the local start date.
func (p Period) Key() string { return p.Start.In(p.Location).Format("2006-01-02") }

// Span names the whole period by both bounds, its first and last local
// dates (2026-11-16_2026-11-22): unlike Key it tells apart a day, a week
// and a month that start on the same date, so a digest whose period kind
// changes never takes its first new period for one already sent. Send-log
// keys, Message-IDs and archive objects use it.
func (p Period) Span() string { return p.Key() + "_" + p.LastDay() }

// LastDay is the local date of the period's last day.
func (p Period) LastDay() string {
	return p.End.In(p.Location).Add(-time.Nanosecond).Format("2006-01-02")
}

// Next returns the period after p.
func (p Period) Next(s Spec) Period { return s.containing(p.End) }
