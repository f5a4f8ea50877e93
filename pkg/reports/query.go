package reports

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Filter narrows a report to one agent, department, campaign, etc.
type Filter struct {
	Name  string // filterName, e.g. "department"
	Value string // filterValue, e.g. the department's id
}

// Query is one report request. From and To are instants; they are sent as
// wall-clock times in the query's Offset, with `timezone` set to that offset.
// Expressing both bounds in one offset is what lets a caller ask for a local
// week that crosses a DST change without losing or repeating an hour.
type Query struct {
	From, To time.Time
	// Offset is the UTC offset the API reads and writes times in (whole
	// minutes, within ±14h). Zero means UTC.
	Offset time.Duration
	Group  Group
	Filter *Filter
}

// ValidationError says which parameter of which report is wrong and why.
// It is returned before any request is made.
type ValidationError struct {
	Report  Name
	Param   string
	Value   string
	Allowed []string
	Reason  string
}

func (e *ValidationError) Error() string {
	msg := fmt.Sprintf("report %s: invalid %s %q", e.Report, e.Param, clip(e.Value))
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if len(e.Allowed) > 0 {
		msg += " (allowed: " + strings.Join(e.Allowed, ", ") + ")"
	}
	return msg
}

// FormatOffset writes an offset as the API's ±hh:mm.
func FormatOffset(d time.Duration) string {
	sign := '+'
	if d < 0 {
		sign, d = '-', -d
	}
	m := int(d / time.Minute)
	return fmt.Sprintf("%c%02d:%02d", sign, m/60, m%60)
}

// ParseOffset reads ±hh:mm (or "Z").
func ParseOffset(s string) (time.Duration, error) {
	if s == "" || s == "Z" {
		return 0, nil
	}
	// A '+' in a query string arrives as a space when the caller did not escape it.
	if s[0] == ' ' {
		s = "+" + s[1:]
	}
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return 0, fmt.Errorf("timezone %q: want ±hh:mm", clip(s))
	}
	var h, m int
	if _, err := fmt.Sscanf(s[1:], "%02d:%02d", &h, &m); err != nil || h > 14 || m > 59 {
		return 0, fmt.Errorf("timezone %q: want ±hh:mm", clip(s))
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if s[0] == '-' {
		d = -d
	}
	return d, nil
}

// Zone is the fixed zone of the query's offset.
func (q Query) Zone() *time.Location {
	return time.FixedZone(FormatOffset(q.Offset), int(q.Offset/time.Second))
}

// Validate checks the query against the report's spec, naming the
// parameter, the value and the allowed values on failure.
func (q Query) Validate(spec *Spec) error {
	verr := func(param, value, reason string, allowed []string) error {
		return &ValidationError{Report: spec.Name, Param: param, Value: value, Reason: reason, Allowed: allowed}
	}
	if q.Offset%time.Minute != 0 || q.Offset < -14*time.Hour || q.Offset > 14*time.Hour {
		return verr("timezone", q.Offset.String(), "must be whole minutes within ±14:00", nil)
	}
	if spec.Timed {
		if q.From.IsZero() {
			return verr("timeFrom", "", "required", nil)
		}
		if q.To.IsZero() {
			return verr("timeTo", "", "required", nil)
		}
		if !q.From.Before(q.To) {
			return verr("timeTo", q.To.In(q.Zone()).Format(DateTimeLayout),
				"must be after timeFrom "+q.From.In(q.Zone()).Format(DateTimeLayout), nil)
		}
	}
	if !spec.AllowsGroup(q.Group) {
		allowed := make([]string, len(spec.Groups))
		for i, g := range spec.Groups {
			allowed[i] = string(g)
		}
		reason := ""
		if len(allowed) == 0 {
			reason = "this report takes no group"
		} else if q.Group == GroupNone {
			reason = "required"
		}
		return verr("group", string(q.Group), reason, allowed)
	}
	if q.Filter != nil {
		if !spec.AllowsFilter(q.Filter.Name) {
			reason := ""
			if len(spec.Filters) == 0 {
				reason = "this report takes no filter"
			}
			return verr("filterName", q.Filter.Name, reason, spec.Filters)
		}
		if q.Filter.Value == "" {
			return verr("filterValue", "", "required with filterName "+q.Filter.Name, nil)
		}
	}
	return nil
}

// values encodes the query's parameters (without credentials).
func (q Query) values(spec *Spec) url.Values {
	v := url.Values{}
	zone := q.Zone()
	if spec.Timed {
		v.Set("timeFrom", q.From.In(zone).Format(DateTimeLayout))
		v.Set("timeTo", q.To.In(zone).Format(DateTimeLayout))
	}
	v.Set("timezone", FormatOffset(q.Offset))
	if q.Group != GroupNone {
		v.Set("group", string(q.Group))
	}
	if q.Filter != nil {
		v.Set("filterName", q.Filter.Name)
		v.Set("filterValue", q.Filter.Value)
	}
	return v
}
