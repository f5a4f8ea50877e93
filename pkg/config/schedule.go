package config

import (
	"fmt"
	"strings"
	"time"

	"reportmailer/pkg/period"
	"reportmailer/pkg/schedule"
)

// send checks a digest's send: block; each problem of schedule.Send.Check
// names its field ("at: …"), which becomes the path digests[1].send.at.
func (v *validator) send(p string, d Digest) {
	switch d.Period {
	case "day", "week", "month":
	default:
		return // the period's own problem says it
	}
	for _, msg := range d.Send.Check(period.Kind(d.Period)) {
		field, rest, _ := strings.Cut(msg, ": ")
		v.add(p+"."+field, "%s", rest)
	}
}

// Spec is the digest's period in its timezone: what the digest run and the
// schedule both use, so they can never disagree about a period. The
// configuration was validated, so the timezone loads.
func (d Digest) Spec() (period.Spec, error) {
	loc, err := time.LoadLocation(d.Timezone)
	if err != nil {
		return period.Spec{}, fmt.Errorf("digest %s: timezone %q: %w", d.ID, d.Timezone, err)
	}
	return period.Spec{Kind: period.Kind(d.Period), WeekStart: d.WeekStartDay(), Location: loc}, nil
}

// Schedules returns every digest's schedule, in configuration order.
func (c *Config) Schedules() ([]schedule.Entry, error) {
	out := make([]schedule.Entry, 0, len(c.Digests))
	for _, d := range c.Digests {
		spec, err := d.Spec()
		if err != nil {
			return nil, err
		}
		out = append(out, schedule.Entry{ID: d.ID, Period: spec, Send: d.Send})
	}
	return out, nil
}
