package render

import (
	"fmt"
	"time"

	"reportmailer/pkg/render/figures"
	"reportmailer/pkg/reports"
)

// Attainment is one target judged on this digest: the period's figure (or
// its days) against the target, and the previous period's verdict.
type Attainment struct {
	Target Target
	Figure reports.Figure
	verdict
	// Reason says why a target could not be judged (NoData, TooFew).
	Reason string
	// Days are the per-day verdicts of a per-day target, in order.
	Days []dayVerdict
	// DaysInPeriod is how many days the period has (per-day targets).
	DaysInPeriod int
	// Prev is the previous period's verdict (Status NoData when there is none).
	Prev     verdict
	PrevDays []dayVerdict
	// Section is the index of the section the figure comes from (-1: none).
	Section int
}

// dayVerdict is one day's figure judged.
type dayVerdict struct {
	verdict
	Day time.Time // the day's start, in the period's location
	// At is where the day's point sits on a chart (the bucket's middle).
	At time.Time
}

// count returns the days met, missed, too few and without data of vs
// (figures.Tally).
func count(vs []dayVerdict, days int) (met, missed, tooFew, noData int) {
	return figures.Tally(verdictsOf(vs), days)
}

func verdictsOf(vs []dayVerdict) []verdict {
	out := make([]verdict, len(vs))
	for i, v := range vs {
		out[i] = v.verdict
	}
	return out
}

// attainments judges each of the digest's targets on the figures the
// digest shows: the same period figure the KPI cards and tables print
// (periodFigure, the rates' totals, the rating average), or each day's
// bucket of the report grouped by day.
func attainments(d *Digest) []Attainment {
	var out []Attainment
	for _, t := range d.Targets {
		f, ok := reports.LookupFigure(t.Metric)
		if !ok {
			continue // validate refuses these; a hand-made model may not
		}
		a := Attainment{Target: t, Figure: f, Section: -1}
		if t.PerDay {
			d.judgeDays(&a)
		} else {
			d.judgePeriod(&a)
		}
		out = append(out, a)
	}
	return out
}

// targetSection finds the section a figure is read from: the site-wide one,
// else a filtered one (a department's copy has only filtered ones); with
// byDay only a day-grouped one. A section with a note stands in when it is
// all there is, so the target can say why it has no figure.
func (d *Digest) targetSection(r reports.Name, byDay bool) (int, string) {
	best, note := -1, ""
	for i := range d.Sections {
		s := &d.Sections[i]
		if s.Report != r || s.Group.IsDistribution() || (byDay && s.Group != reports.GroupDay && s.Group != reports.GroupHour) {
			continue
		}
		if s.Note != "" {
			if note == "" {
				note = s.Note
			}
			continue
		}
		if best < 0 || better(s, &d.Sections[best]) {
			best = i
		}
	}
	if best < 0 && note == "" {
		note = "not in this digest"
		if byDay {
			note = "no daily figures in this digest"
		}
	}
	return best, note
}

// better prefers site-wide sections, then days over hours.
func better(s, than *Section) bool {
	if (s.Filter == nil) != (than.Filter == nil) {
		return s.Filter == nil
	}
	return s.Group == reports.GroupDay && than.Group != reports.GroupDay
}

// figureOf is the figure f over rows of section s, and the sample behind
// it with the floor it needs. whole says rows are the section's whole
// period, so an average takes the digest's period figure (periodFigure)
// and agrees with every other place that prints it.
func (d *Digest) figureOf(s *Section, f reports.Figure, rows []any, whole, previous bool) (v, sample, need float64, ok bool) {
	if len(rows) == 0 {
		return 0, 0, 0, false
	}
	switch f.Kind {
	case reports.FigureRatingAverage:
		rated, avg, _ := figures.RatingStats(rows, false)
		return avg, rated, float64(d.minRatings()), rated > 0
	case reports.FigureRate:
		n, den := totalOf(s, rows, f.Rate.Num), totalOf(s, rows, f.Rate.Den)
		return ratio(n, den), den, float64(d.minChats()), den > 0
	}
	if whole {
		v = d.periodFigure(s, f.Metric, previous)
	} else {
		v = s.rollup(rows, f.Metric, false)
	}
	if f.Metric.IsAverage() && !figures.HasData(rows, f.Metric, false) {
		return 0, 0, 0, false // no chats waited: no average to judge
	}
	// An average of a handful of chats is no verdict either: the same
	// minimum that keeps the cards and tables from comparing it.
	if n, ok := sampleIn(s, f.Metric, rows); ok {
		return v, n, float64(d.minChats()), true
	}
	return v, 0, 0, true
}

func (d *Digest) judgePeriod(a *Attainment) {
	i, note := d.targetSection(a.Figure.Report, false)
	if i < 0 {
		a.Status, a.Reason = NoData, note
		return
	}
	a.Section = i
	s := &d.Sections[i]
	judgeRows := func(rows []any, previous bool) (verdict, string) {
		v, sample, need, ok := d.figureOf(s, a.Figure, rows, true, previous)
		if !ok {
			return verdict{Status: NoData}, "no data for the period"
		}
		out := figures.Judge(a.Target.Min, a.Target.Max, v, a.Figure.Unit, sample, need)
		if out.Status == TooFew {
			return out, d.tooFewText(a.Figure, sample)
		}
		return out, ""
	}
	a.verdict, a.Reason = judgeRows(s.Rows, false)
	if s.Previous != nil && d.Previous != nil {
		a.Prev, _ = judgeRows(s.Previous, true)
	}
}

func (d *Digest) judgeDays(a *Attainment) {
	a.DaysInPeriod = d.daysIn(d.Period)
	i, note := d.targetSection(a.Figure.Report, true)
	if i < 0 {
		a.Status, a.Reason = NoData, note
		return
	}
	a.Section = i
	s := &d.Sections[i]
	a.Days = d.dayVerdicts(s, a, s.Rows, 0)
	a.verdict, a.Reason = overall(a.Days)
	if s.Previous != nil && d.Previous != nil {
		a.PrevDays = d.dayVerdicts(s, a, s.Previous, d.shift())
		a.Prev, _ = overall(a.PrevDays)
	}
}

// dayVerdicts judges each local day of rows: a day bucket, or the hour
// buckets of one day rolled up the way the period's are (counts add,
// averages weighted, rates from their totals).
func (d *Digest) dayVerdicts(s *Section, a *Attainment, rows []any, shift time.Duration) []dayVerdict {
	days, byDay := figures.ByDay(rows, d.instant)
	var out []dayVerdict
	for _, day := range days {
		// A day's point sits at its middle, as daily charts draw it.
		out = append(out, dayVerdict{Day: day, At: day.Add(day.AddDate(0, 0, 1).Sub(day)/2 + shift)})
	}
	for i := range out {
		if v, sample, need, ok := d.figureOf(s, a.Figure, byDay[i], false, false); ok {
			out[i].verdict = figures.Judge(a.Target.Min, a.Target.Max, v, a.Figure.Unit, sample, need)
		}
	}
	return out
}

// overall is a per-day target's verdict over its days (figures.Overall:
// missed when any judged day missed, met when every judged day met), and
// why it has none.
func overall(days []dayVerdict) (verdict, string) {
	v := figures.Overall(verdictsOf(days))
	switch v.Status {
	case TooFew:
		return v, "too few on every day to judge"
	case NoData:
		return v, "no daily figures"
	}
	return v, ""
}

// daysIn counts the calendar days of p in its location.
func (d *Digest) daysIn(p Period) int {
	loc := p.Location
	if loc == nil {
		loc = d.Period.Location
	}
	n := 0
	for t := p.Start.In(loc); t.Before(p.End); t = t.AddDate(0, 0, 1) {
		n++
	}
	return n
}

// tooFewText says why a figure is not judged: its sample is under the
// digest's minimum (minSample), the same rule that keeps the KPI cards and
// tables from comparing it.
func (d *Digest) tooFewText(f reports.Figure, sample float64) string {
	what, need := "chats", d.minChats()
	if f.Kind == reports.FigureRatingAverage {
		what, need = "ratings", d.minRatings()
	}
	return fmt.Sprintf("too few %s to judge (%d, needs %d)", what, int(sample), need)
}
