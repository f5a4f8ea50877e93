package preview

import (
	"fmt"
	"time"

	"reportmailer/pkg/config"
	"reportmailer/pkg/schedule"
)

// nextSend is the digest's next planned send at or after now, from its
// own schedule (send.at, send.daysAfter in its timezone): what the
// dispatcher will do.
func nextSend(d *config.Digest, now time.Time) (time.Time, error) {
	spec, err := d.Spec()
	if err != nil {
		return time.Time{}, err
	}
	// Every period kind sends at least once in any 62 days.
	plan := schedule.Plan([]schedule.Entry{{ID: d.ID, Period: spec, Send: d.Send}}, now, now.AddDate(0, 0, 62))
	if len(plan) == 0 {
		return time.Time{}, fmt.Errorf("digest %s: no send planned in the next 62 days", d.ID)
	}
	return plan[0].SendAt.In(spec.Location), nil
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
