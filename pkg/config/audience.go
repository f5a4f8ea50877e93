package config

import (
	"fmt"
	"sort"
	"strings"

	"reportmailer/pkg/reports"
)

// Audience fans a digest out by one filter of the Report API: each member
// (a filter value, e.g. a department id) gets the digest with every report
// filtered to that value, under its own send-log keys. Reports the filter
// does not apply to (see the registry's allowed filters), or that carry a
// filter of their own, are left out of the scoped copies with a note.
type Audience struct {
	// Filter is the filterName: department, agent, campaign, visitorSegment, …
	Filter string `yaml:"filter"`
	// Members maps a filter value (e.g. a department id) to its readers.
	Members map[string][]string `yaml:"members"`
	// Targets are a member's own service levels (a department's), by
	// member value; they override the digest's by metric.
	Targets map[string][]Target `yaml:"targets"`
}

// Values returns the members' filter values, sorted.
func (a *Audience) Values() []string {
	out := make([]string, 0, len(a.Members))
	for k := range a.Members {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ScopeName is how a scoped copy is named in its title: the value's
// display name from names (e.g. "Sales" for a department id), else the value.
func (c *Config) ScopeName(filter, value string) string {
	g := reports.Group(filter) // filter names are group names, but for one
	if filter == "conversion" {
		g = reports.GroupConversionAction
	}
	if n := c.DisplayNames()[g][value]; n != "" {
		return n
	}
	return value
}

// audienceFilters lists every filter name some report allows, sorted.
func audienceFilters() []string {
	seen := map[string]bool{}
	for _, n := range reports.Names() {
		spec, _ := reports.Lookup(reports.Name(n))
		for _, f := range spec.Filters {
			seen[f] = true
		}
	}
	var out []string
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// audience checks a digest's audience against the registry: the filter
// must apply to at least one of the digest's reports, each member needs a
// plain value and at least one valid address.
func (v *validator) audience(p string, d Digest) {
	a := d.Audience
	if a.Filter == "" {
		v.add(p+".filter", "required (one of: %s)", strings.Join(audienceFilters(), ", "))
	} else {
		var applies []string
		for _, r := range d.Reports {
			if spec, ok := reports.Lookup(reports.Name(r.Report)); ok && spec.AllowsFilter(a.Filter) && r.Filter == nil {
				applies = append(applies, r.Report)
			}
		}
		if len(applies) == 0 {
			v.add(p+".filter", "%q filters none of this digest's reports (filters the Report API allows: %s)", a.Filter, strings.Join(audienceFilters(), ", "))
		}
	}
	if len(a.Members) == 0 {
		v.add(p+".members", "at least one member (filter value → recipients)")
	}
	for _, value := range a.Values() {
		mp := joinPath(p+".members", value)
		if !plainKey.MatchString(value) {
			v.add(mp, "%q: a filter value of letters, digits, - and _ (an id)", value)
		}
		if len(a.Members[value]) == 0 {
			v.add(mp, "at least one recipient")
		}
		for j, addr := range a.Members[value] {
			v.address(fmt.Sprintf("%s[%d]", mp, j), addr)
		}
	}
}
