// Package schedule says when each digest goes out: a local send time after
// each period ends, the plan of sends over a date range, and which sends
// fall due in one dispatcher tick. Like pkg/period it never reads the
// clock: every answer is a function of the instants passed in.
package schedule

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"reportmailer/pkg/period"
)

// DefaultAt is the local send time when a digest does not set one.
const DefaultAt = "08:00"

// MaxDaysAfter bounds Send.DaysAfter so that a send always lands before the
// next period's own send (a month has at least 28 days).
var MaxDaysAfter = map[period.Kind]int{period.Day: 0, period.Week: 6, period.Month: 27}

// Send is when a digest goes out, as written in the config:
//
//	send:
//	  at: "08:00"      # local time in the digest's timezone
//	  daysAfter: 1     # 0 = the first day after the period (default)
//
// A weekly digest with weeks starting Monday and daysAfter 0 goes out on
// Monday at 08:00 for the week that just ended; daysAfter 1 makes it
// Tuesday. Monthly: daysAfter 2 is the 3rd of the next month.
type Send struct {
	At        string `yaml:"at" json:"at,omitempty"`
	DaysAfter int    `yaml:"daysAfter" json:"daysAfter,omitempty"`
}

// Check returns what is wrong with s for periods of the given kind, each
// problem prefixed with the field it concerns ("at: …", "daysAfter: …").
func (s Send) Check(kind period.Kind) []string {
	var ps []string
	if s.At != "" {
		if _, _, err := clock(s.At); err != nil {
			ps = append(ps, "at: "+err.Error())
		}
	}
	if max, ok := MaxDaysAfter[kind]; ok && (s.DaysAfter < 0 || s.DaysAfter > max) {
		if max == 0 {
			ps = append(ps, fmt.Sprintf("daysAfter: %d: a daily digest goes out the day after its period; set only at", s.DaysAfter))
		} else {
			ps = append(ps, fmt.Sprintf("daysAfter: %d: want 0 to %d for a %s", s.DaysAfter, max, kind))
		}
	}
	return ps
}

// clock parses "HH:MM" (24-hour).
func clock(s string) (h, m int, err error) {
	hs, ms, ok := strings.Cut(s, ":")
	if ok && len(hs) == 2 && len(ms) == 2 {
		h, err1 := strconv.Atoi(hs)
		m, err2 := strconv.Atoi(ms)
		if err1 == nil && err2 == nil && h >= 0 && h < 24 && m >= 0 && m < 60 {
			return h, m, nil
		}
	}
	return 0, 0, fmt.Errorf("%q: want a 24-hour local time HH:MM, e.g. 08:00", s)
}

// Entry is one digest's schedule, resolved from the config.
type Entry struct {
	ID     string
	Period period.Spec
	Send   Send
}

// Planned is one send: a digest's period and the instant it goes out.
type Planned struct {
	Digest string
	Period period.Period
	SendAt time.Time
}

// SendAt is when the digest for period p goes out: s.At local time on the
// local date s.DaysAfter days after p ends. A time that a spring-forward
// change skips moves to the first instant after the gap (02:30 on a day
// when 02:00 becomes 03:00 sends at 03:00); a time that a fall-back change
// repeats is one instant, the first (firstOf), so the digest still goes
// out once.
func SendAt(p period.Period, s Send) time.Time {
	at := s.At
	if at == "" {
		at = DefaultAt
	}
	h, m, err := clock(at)
	if err != nil { // unreachable for a checked config; keep the default
		h, m, _ = clock(DefaultAt)
	}
	loc := p.Location
	end := p.End.In(loc)
	y, mo, d := end.Year(), end.Month(), end.Day()+s.DaysAfter
	t := time.Date(y, mo, d, h, m, 0, 0, loc)
	// Compare whole wall times, date included: where a change skips
	// midnight (America/Santiago), time.Date resolves 00:30 to 23:30 the
	// day before, which is earlier although its minutes of the day are
	// later.
	want := time.Date(y, mo, d, h, m, 0, 0, time.UTC)
	got := t.In(loc)
	wall := time.Date(got.Year(), got.Month(), got.Day(), got.Hour(), got.Minute(), 0, 0, time.UTC)
	if wall.Equal(want) {
		return firstOf(t)
	}
	// The wall time does not exist: the gap's end is the next valid
	// instant. time.Date put t on one side of the gap; the gap is where
	// t's zone ends (t before it) or begins (t after it).
	start, stop := t.ZoneBounds()
	if wall.Before(want) {
		if !stop.IsZero() {
			return stop
		}
		return t
	}
	if !start.IsZero() {
		return start
	}
	return t
}

// firstOf returns the earlier instant when t's wall time occurs twice (a
// fall-back change repeats an hour); time.Date's choice between the two is
// not specified and differs between zones.
func firstOf(t time.Time) time.Time {
	zoneStart, _ := t.ZoneBounds()
	if zoneStart.IsZero() {
		return t
	}
	_, off := t.Zone()
	_, before := zoneStart.Add(-time.Second).Zone()
	if before <= off {
		return t // the clocks went forward (or nothing changed): no repeat
	}
	earlier := t.Add(-time.Duration(before-off) * time.Second)
	if earlier.Before(zoneStart) && earlier.In(t.Location()).Format("15:04") == t.Format("15:04") {
		return earlier
	}
	return t
}

// plan returns the plan of one digest: every send in [from, to).
func (d Entry) plan(from, to time.Time) []Planned {
	var out []Planned
	// A send lands before the next period ends (MaxDaysAfter), so the
	// first send in range belongs at the earliest to the period before
	// the prior one.
	p := d.Period.Prior(from).Previous(d.Period)
	for {
		at := SendAt(p, d.Send)
		if !at.Before(to) {
			return out
		}
		if !at.Before(from) {
			out = append(out, Planned{Digest: d.ID, Period: p, SendAt: at})
		}
		next := p.Next(d.Period)
		if !next.Start.After(p.Start) {
			return out // cannot happen with real periods; never loop on a bad one
		}
		p = next
	}
}

// Plan returns every send of the digests in [from, to), by send time then
// digest id.
func Plan(ds []Entry, from, to time.Time) []Planned {
	var out []Planned
	for _, d := range ds {
		out = append(out, d.plan(from, to)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].SendAt.Equal(out[j].SendAt) {
			return out[i].SendAt.Before(out[j].SendAt)
		}
		return out[i].Digest < out[j].Digest
	})
	return out
}

// Due returns the sends of one dispatcher tick: those whose send time is in
// (at − every, at]. Ticks every `every` therefore see each send exactly
// once, and a retried tick (same `at`) sees the same set again.
func Due(ds []Entry, at time.Time, every time.Duration) []Planned {
	return Plan(ds, at.Add(-every).Add(time.Nanosecond), at.Add(time.Nanosecond))
}
