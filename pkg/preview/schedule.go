package preview

import (
	"fmt"
	"time"

	"reportmailer/pkg/config"
	"reportmailer/pkg/period"
)

// nextSend is when the digest is next due: the end of the period under way
// at now, in the digest's timezone, when the period it covers is complete.
// Until digests have their own send schedules (pkg/schedule), this is the
// only place that decides it; swap its body when they land.
func nextSend(d *config.Digest, now time.Time) (time.Time, error) {
	loc, err := time.LoadLocation(d.Timezone)
	if err != nil {
		return time.Time{}, fmt.Errorf("timezone %q: %w", d.Timezone, err)
	}
	spec := period.Spec{Kind: period.Kind(d.Period), WeekStart: d.WeekStartDay(), Location: loc}
	// The period under way starts where the last complete one ends.
	start := spec.Prior(now).End.In(loc)
	y, m, day := start.Date()
	switch spec.Kind {
	case period.Day:
		return time.Date(y, m, day+1, 0, 0, 0, 0, loc), nil
	case period.Week:
		return time.Date(y, m, day+7, 0, 0, 0, 0, loc), nil
	case period.Month:
		return time.Date(y, m+1, 1, 0, 0, 0, 0, loc), nil
	}
	return time.Time{}, fmt.Errorf("period %q: want day, week or month", d.Period)
}

// until says how far away t is, coarsely: "in 3 d 4 h", "in 25 min".
func until(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("in %d min", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("in %d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("in %d d %d h", int(d.Hours())/24, int(d.Hours())%24)
}
