package figures

import (
	"time"

	"reportmailer/pkg/reports"
)

// ByDay groups time-bucketed rows by the local day their bucket starts in,
// days in the order they first appear: a day bucket, or the hour buckets
// of one day, which a per-day target then rolls up the way the period's
// rows are. at reads a bucket's wall-clock start as an instant in the
// period's location. Rows without a date-time bucket are left out.
func ByDay(rows []any, at func(time.Time) time.Time) (days []time.Time, byDay [][]any) {
	index := map[time.Time]int{}
	for _, r := range rows {
		b := reports.TimeOf(r)
		if b == nil || b.From.Kind != reports.SlotDateTime {
			continue
		}
		t := at(b.From.DateTime)
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
		i, ok := index[day]
		if !ok {
			i = len(days)
			index[day] = i
			days = append(days, day)
			byDay = append(byDay, nil)
		}
		byDay[i] = append(byDay[i], r)
	}
	return days, byDay
}

// Tally counts the days met, missed, too few to judge and without data of
// a per-day target's verdicts over a period of days days (days without a
// verdict have no data).
func Tally(vs []Verdict, days int) (met, missed, tooFew, noData int) {
	for _, v := range vs {
		switch v.Status {
		case Met:
			met++
		case Missed:
			missed++
		case TooFew:
			tooFew++
		}
	}
	return met, missed, tooFew, days - met - missed - tooFew
}

// Overall is a per-day target's verdict over its days: the worst miss
// when any judged day missed, met when every judged day met, too few when
// no day could be judged for its sample, else no data.
func Overall(vs []Verdict) Verdict {
	met, missed, tooFew, _ := Tally(vs, len(vs))
	var worst Verdict
	for _, v := range vs {
		if v.Status == Missed && v.By > worst.By {
			worst = v
		}
	}
	switch {
	case missed > 0:
		return worst
	case met > 0:
		return Verdict{Status: Met}
	case tooFew > 0:
		return Verdict{Status: TooFew}
	}
	return Verdict{Status: NoData}
}
