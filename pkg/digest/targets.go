package digest

import (
	"reportmailer/pkg/config"
	"reportmailer/pkg/render"
)

// targets are the service levels this copy is judged by: an audience
// member's copy by its own (over the digest's, over the top level's).
func (c *copyRun) targets() []render.Target {
	member := ""
	if c.scope.filter != nil {
		member = c.scope.filter.Value
	}
	return renderTargets(c.cfg.TargetsFor(c.d, member))
}

// renderTargets reads each target's limits into the figure's unit.
func renderTargets(ts []config.Target) []render.Target {
	var out []render.Target
	for _, t := range ts {
		min, max := t.Bounds()
		if min == nil && max == nil {
			continue // validate refuses these
		}
		out = append(out, render.Target{Metric: t.Metric, Min: min, Max: max, PerDay: t.PerDay()})
	}
	return out
}
