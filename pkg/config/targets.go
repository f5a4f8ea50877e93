package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"reportmailer/pkg/reports"
)

// Target is a service level a digest is judged by: a figure (a report's
// metric by wire name, one of its rates, or rating.average) that should
// stay at or above Min and/or at or below Max, judged over the whole
// period or on each day.
type Target struct {
	// Metric names the figure as "report.name" (reports.LookupFigure).
	Metric string `yaml:"metric"`
	// Min and Max are written in the figure's unit: a duration for times
	// ("40s"), a percentage for rates ("95%"), a plain number for counts
	// and averages ("4.5"). At least one is set.
	Min string `yaml:"min"`
	Max string `yaml:"max"`
	// Per is "period" (the default) or "day": judged on each day's figure.
	Per string `yaml:"per"`
}

// Target periods.
const (
	PerPeriod = "period"
	PerDay    = "day"
)

// Bounds are a target's limits in the figure's own unit (seconds, a 0..1
// ratio, a number); nil when not set or not readable.
func (t Target) Bounds() (min, max *float64) {
	f, ok := reports.LookupFigure(t.Metric)
	if !ok {
		return nil, nil
	}
	if v, err := parseBound(t.Min, f.Unit); err == nil && t.Min != "" {
		min = &v
	}
	if v, err := parseBound(t.Max, f.Unit); err == nil && t.Max != "" {
		max = &v
	}
	return min, max
}

// PerDay reports whether the target is judged day by day.
func (t Target) PerDay() bool { return t.Per == PerDay }

// parseBound reads a limit written in the unit u's notation.
func parseBound(s string, u reports.Unit) (float64, error) {
	s = strings.TrimSpace(s)
	switch u {
	case reports.Seconds:
		d, err := time.ParseDuration(s)
		if err != nil {
			if _, nerr := strconv.ParseFloat(s, 64); nerr == nil {
				return 0, fmt.Errorf("%q: a time needs a unit: write e.g. 40s or 2m", s)
			}
			return 0, fmt.Errorf("%q is not a duration: want e.g. 40s, 2m", s)
		}
		return d.Seconds(), nil
	case reports.Ratio:
		num, ok := strings.CutSuffix(s, "%")
		v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if !ok || err != nil || !finite(v) {
			return 0, fmt.Errorf("%q: a rate is a percentage: write e.g. 95%%", s)
		}
		return v / 100, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !finite(v) {
		what := "a count"
		if u == reports.Average {
			what = "an average"
		} else if u == reports.Money {
			what = "an amount"
		}
		return 0, fmt.Errorf("%q: %s is a plain number, e.g. 50", s, what)
	}
	return v, nil
}

// targets checks a list of targets at path p. in says whether a report is
// where the targets apply (and grouped by day there); unused names that
// place in the problem ("this digest", "any digest").
func (v *validator) targets(p string, ts []Target, in func(reports.Name) (present, byDay bool), unused string) {
	seen := map[string]int{}
	for i, t := range ts {
		tp := fmt.Sprintf("%s[%d]", p, i)
		if t.Metric == "" {
			v.add(tp+".metric", "required (report.name, e.g. waitTime.avgWaitTime)")
			continue
		}
		f, ok := reports.LookupFigure(t.Metric)
		if !ok {
			v.unknownFigure(tp+".metric", t.Metric)
			continue
		}
		if j, dup := seen[t.Metric]; dup {
			v.add(tp+".metric", "%q has a target already at %s[%d]", t.Metric, p, j)
		}
		seen[t.Metric] = i
		present, byDay := in(f.Report)
		if !present {
			v.add(tp+".metric", "report %s is not in %s: the target would be unused", string(f.Report), unused)
		}
		switch t.Per {
		case "", PerPeriod:
		case PerDay:
			if present && !byDay {
				v.add(tp+".per", "per: day needs %s grouped by day or hour in %s", string(f.Report), unused)
			}
		default:
			v.add(tp+".per", "%q: want day or period", t.Per)
		}
		v.bounds(tp, t, f)
	}
}

// bounds checks that min and max are in the figure's unit and make sense.
func (v *validator) bounds(tp string, t Target, f reports.Figure) {
	if t.Min == "" && t.Max == "" {
		v.add(tp, "a target needs min or max (or both)")
		return
	}
	var lo, hi float64
	var haveLo, haveHi bool
	for _, b := range []struct {
		key, raw string
		val      *float64
		have     *bool
	}{{"min", t.Min, &lo, &haveLo}, {"max", t.Max, &hi, &haveHi}} {
		if b.raw == "" {
			continue
		}
		x, err := parseBound(b.raw, f.Unit)
		if err != nil {
			v.add(tp+"."+b.key, "%s is %s: %v", t.Metric, unitWords(f.Unit), err)
			continue
		}
		switch {
		case x < 0:
			v.add(tp+"."+b.key, "%q: %s cannot be negative", b.raw, t.Metric)
		case f.Unit == reports.Ratio && x > 1:
			v.add(tp+"."+b.key, "%q: a rate is at most 100%%", b.raw)
		case f.Kind == reports.FigureRatingAverage && (x < 1 || x > 5):
			v.add(tp+"."+b.key, "%q: ratings are 1 to 5", b.raw)
		default:
			*b.val, *b.have = x, true
		}
	}
	if haveLo && haveHi && lo > hi {
		v.add(tp, "min %s is above max %s: no figure could meet both", t.Min, t.Max)
	}
	if haveHi && hi == 0 && f.Unit != reports.Count {
		v.add(tp+".max", "%q: a maximum of zero can never be met by %s", t.Max, t.Metric)
	}
}

func unitWords(u reports.Unit) string {
	switch u {
	case reports.Seconds:
		return "a time"
	case reports.Ratio:
		return "a rate"
	case reports.Average:
		return "an average"
	case reports.Money:
		return "an amount"
	}
	return "a count"
}

// unknownFigure says what the report offers when it exists, else which
// reports have figures.
func (v *validator) unknownFigure(p, name string) {
	rep, _, _ := strings.Cut(name, ".")
	if _, ok := reports.Lookup(reports.Name(rep)); ok {
		v.add(p, "%q: %s has no such figure (it has: %s)", name, rep, strings.Join(reports.FigureNames(reports.Name(rep)), ", "))
		return
	}
	v.add(p, "%q: not a report.figure of the registry (e.g. waitTime.avgWaitTime, chatVolume.answeredRate, rating.average)", name)
}

// digestReports says whether report n is in digest d, and whether by day
// or hour there (what per: day targets are judged on).
func digestReports(d Digest) func(reports.Name) (bool, bool) {
	return func(n reports.Name) (present, byDay bool) {
		for _, r := range d.Reports {
			if reports.Name(r.Report) != n {
				continue
			}
			present = true
			g := reports.Group(r.Group)
			if spec, ok := reports.Lookup(n); ok && g == "" {
				g = spec.DefaultGroup()
			}
			if g == reports.GroupDay || g == reports.GroupHour {
				byDay = true // hours roll up into days
			}
		}
		return present, byDay
	}
}

// allTargets checks the top level's, each digest's and each audience
// member's targets.
func (v *validator) allTargets(c *Config) {
	v.targets("targets", c.Targets, func(n reports.Name) (bool, bool) {
		for _, d := range c.Digests {
			if ok, _ := digestReports(d)(n); ok {
				return true, true // per: day is judged where the digest has days
			}
		}
		return false, false
	}, "any digest")
	for i, d := range c.Digests {
		p := fmt.Sprintf("digests[%d]", i)
		v.targets(p+".targets", d.Targets, digestReports(d), "this digest")
		if d.Audience == nil {
			continue
		}
		for _, member := range sortedTargetKeys(d.Audience.Targets) {
			mp := joinPath(p+".audience.targets", member)
			if _, ok := d.Audience.Members[member]; !ok {
				v.add(mp, "%q is not a member of this audience", member)
			}
			v.targets(mp, d.Audience.Targets[member], digestReports(d), "this digest")
		}
	}
}

func sortedTargetKeys(m map[string][]Target) []string {
	keys := make(map[string]string, len(m))
	for k := range m {
		keys[k] = k
	}
	return sortedKeys(keys)
}

// TargetsFor is the targets a copy of digest d is judged by: the top
// level's, overridden by metric by the digest's, overridden by metric by
// the audience member's (member "" is the unscoped copy).
func (c *Config) TargetsFor(d *Digest, member string) []Target {
	out := append([]Target{}, c.Targets...)
	override := func(ts []Target) {
		for _, t := range ts {
			replaced := false
			for i := range out {
				if out[i].Metric == t.Metric {
					out[i], replaced = t, true
				}
			}
			if !replaced {
				out = append(out, t)
			}
		}
	}
	override(d.Targets)
	if d.Audience != nil && member != "" {
		override(d.Audience.Targets[member])
	}
	return out
}
