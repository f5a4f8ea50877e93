package alert

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"reportmailer/pkg/config"
	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"
)

// Rule is a compiled alert rule.
type Rule struct {
	config.Rule
	Policy Policy
	For    config.ForSpec
	// Location is the zone of the times in its notifications: its active
	// hours' zone, else alerts.timezone, else UTC.
	Location *time.Location
	// site-wide metrics read realtime/rightNow; queue metrics realtime/queue.
	siteWide bool
}

func compare(op string, threshold float64) func(float64) bool {
	switch op {
	case ">":
		return func(v float64) bool { return v > threshold }
	case ">=":
		return func(v float64) bool { return v >= threshold }
	case "<":
		return func(v float64) bool { return v < threshold }
	}
	return func(v float64) bool { return v <= threshold }
}

// Compile turns config rules into evaluable rules. The config has been
// validated, so unknown metrics cannot occur here.
func Compile(cfg *config.Config) ([]Rule, error) {
	var out []Rule
	for _, r := range cfg.Alerts.Rules {
		def, ok := reports.AlertMetrics[r.Metric]
		if !ok {
			return nil, fmt.Errorf("alert rule %s: unknown metric %q", r.ID, r.Metric)
		}
		f, _ := config.ParseFor(r.For)
		up := r.Op == ">" || r.Op == ">="
		p := Policy{Breached: compare(r.Op, *r.Threshold), ForCount: f.Evaluations, ForDuration: f.Duration,
			Repeat: time.Duration(r.Repeat), SendResolved: *r.SendResolved,
			Worse: func(a, b float64) bool { return (up && a > b) || (!up && a < b) }}
		if r.Recovery != nil {
			// Resolve once the value is back past the recovery level (hysteresis).
			rec := *r.Recovery
			if up {
				p.Recovered = func(v float64) bool { return v <= rec }
			} else {
				p.Recovered = func(v float64) bool { return v >= rec }
			}
		}
		if s := r.ActiveHours; s != nil {
			active, err := activeWindow(*s)
			if err != nil {
				return nil, fmt.Errorf("alert rule %s: %w", r.ID, err)
			}
			p.Active = active
		}
		loc, err := Zone(cfg, r.ActiveHours)
		if err != nil {
			return nil, fmt.Errorf("alert rule %s: %w", r.ID, err)
		}
		out = append(out, Rule{Rule: r, Policy: p, For: f, Location: loc, siteWide: def.SiteWide()})
	}
	return out, nil
}

// Zone is the zone of an alert's times: the rule's active hours' zone
// when it has them, else alerts.timezone, else UTC.
func Zone(cfg *config.Config, active *config.ActiveHours) (*time.Location, error) {
	name := cfg.Alerts.Timezone
	if active != nil && active.Timezone != "" {
		name = active.Timezone
	}
	if name == "" {
		return time.UTC, nil
	}
	return time.LoadLocation(name)
}

// activeWindow returns a func telling whether now falls in the active hours.
// A window whose end is before its start runs overnight.
func activeWindow(s config.ActiveHours) (func(time.Time) bool, error) {
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return nil, err
	}
	from, _ := config.ParseClock(s.From)
	to, _ := config.ParseClock(s.To)
	days := map[time.Weekday]bool{}
	for _, d := range s.Days {
		wd, _ := config.ParseWeekday(d)
		days[wd] = true
	}
	return func(now time.Time) bool {
		l := now.In(loc)
		m := l.Hour()*60 + l.Minute()
		day := l.Weekday()
		inWindow := m >= from && m < to
		if to <= from { // overnight: the part after midnight belongs to the previous day
			inWindow = m >= from || m < to
			if m < to {
				day = (day + 6) % 7
			}
		}
		return inWindow && (len(days) == 0 || days[day])
	}, nil
}

// Sample is one instance's observation.
type Sample struct {
	Instance string // stable key, e.g. "department:<id>" or "site"
	Label    string // "Department: Sales"
	Obs      Observation
	// queue is the observed queue, for the mail's context (nil for site-wide metrics).
	queue *reports.RealtimeQueue
}

// Context is the queue's other metrics, for the mail. Computed only for
// samples that are mailed: most evaluations mail nothing.
func (s Sample) Context() []Fact {
	if s.queue == nil {
		return nil
	}
	return queueFacts(*s.queue)
}

// Waits are the five longest current waits, longest first.
func (s Sample) Waits() []float64 {
	if s.queue == nil {
		return nil
	}
	waits := make([]float64, 0, len(s.queue.Queue))
	for _, w := range s.queue.Queue {
		waits = append(waits, w.WaitTime)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(waits)))
	return waits[:min(5, len(waits))]
}

// Fact is a labelled, formatted value.
type Fact struct{ Label, Value string }

func instanceKey(r reports.RouteTo) string {
	switch r.Type {
	case reports.RouteSite:
		return "site"
	case reports.RouteDepartment:
		return "department:" + string(r.ID)
	case reports.RouteAgent:
		return "agent:" + string(r.ID)
	}
	return fmt.Sprintf("route%d:%s", r.Type, r.ID)
}

func queueFacts(q reports.RealtimeQueue) []Fact {
	return []Fact{
		{"Waiting", format.Count(float64(len(q.Queue)))},
		{"Longest wait", format.Duration(q.LongestWait())},
		{"Avg wait (30 min)", format.Duration(q.AvgWaitTimeInLast30Mins)},
		{"Avg wait (60 min)", format.Duration(q.AvgWaitTimeInLast60Mins)},
		{"Abandoned (30 min)", format.Count(q.AbandonedChatsInLast30Mins)},
		{"Switched to message (30 min)", format.Count(q.SwitchedToMessagesInLast30Mins)},
		{"Ongoing chats", format.Count(q.OngoingChats)},
	}
}

// Observe returns the rule's samples from one snapshot.
func (r Rule) Observe(queues []reports.RealtimeQueue, now *reports.RightNow, names format.Names) []Sample {
	def := reports.AlertMetrics[r.Metric]
	if r.siteWide {
		if now == nil {
			return nil
		}
		v, ok := def.Site(*now)
		return []Sample{{Instance: "site", Label: "Site", Obs: Observation{Present: ok, Value: v}}}
	}
	out := make([]Sample, 0, len(queues))
	for i := range queues {
		q := &queues[i]
		key := instanceKey(q.RouteTo)
		if r.Queue != "" && r.Queue != key {
			continue
		}
		out = append(out, Sample{Instance: key, Label: queueLabel(names, q.RouteTo),
			Obs: Observation{Present: true, Value: def.Queue(*q)}, queue: q})
	}
	return out
}

// queueLabel names a queue for on-call: "Department: Sales", or for an id
// the config does not name, "department 1487fd00 (no name in config)" —
// saying why there is no name, and which id to add to names.
func queueLabel(names format.Names, r reports.RouteTo) string {
	var g reports.Group
	var kind string
	switch r.Type {
	case reports.RouteDepartment:
		g, kind = reports.GroupDepartment, "department"
	case reports.RouteAgent:
		g, kind = reports.GroupAgent, "agent"
	default:
		return format.QueueLabel(names, r)
	}
	if n := names[g][string(r.ID)]; n != "" {
		return format.QueueLabel(names, r)
	}
	id := string(r.ID)
	if rs := []rune(id); len(rs) > 13 { // a GUID: its first block is enough to find it
		id = string(rs[:8]) // by characters: a cut rune would be invalid UTF-8
	}
	return fmt.Sprintf("%s %s (no name in config)", kind, id)
}

// Label is the metric's human name.
func (r Rule) Label() string { return reports.AlertMetrics[r.Metric].Label }

// Format formats a value of the rule's metric.
func (r Rule) Format(v float64) string { return format.Value(v, reports.AlertMetrics[r.Metric].Unit) }

// ForText reads the rule's `for` as a person would: "3m", "3 checks"; a
// single check says nothing worth reading ("for 1 checks").
func (r Rule) ForText() string {
	switch {
	case r.For.Evaluations > 1:
		return fmt.Sprintf("%d checks", r.For.Evaluations)
	case r.For.Duration > 0:
		return strings.TrimSuffix(strings.TrimSuffix(r.For.Duration.String(), "0s"), "0m")
	}
	return ""
}
