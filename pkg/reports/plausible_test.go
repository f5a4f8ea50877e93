package reports_test

import (
	"testing"

	"reportmailer/pkg/reports"
)

// Every metric has a plausible range, and the ranges say what the issue's
// examples break: a wait over a day, a rate over 100%, a count over 10⁸.
func TestEveryMetricHasAPlausibleRange(t *testing.T) {
	for _, spec := range reports.All() {
		for _, m := range spec.Metrics {
			r := m.Plausible()
			if !(r.Min < r.Max) || r.Doc == "" || !r.Contains(0) {
				t.Errorf("%s.%s: range %+v", spec.Name, m.Wire, r)
			}
		}
	}
	metric := func(report reports.Name, wire string) reports.Metric {
		spec, _ := reports.Lookup(report)
		m, ok := spec.MetricByWire(wire)
		if !ok {
			t.Fatalf("%s has no %s", report, wire)
		}
		return m
	}
	for _, tc := range []struct {
		report   reports.Name
		wire     string
		ok, fail float64
	}{
		{"waitTime", "avgWaitTime", 3600, 408256*86400 + 13*3600},
		{"waitTime", "maxWaitTime", 86_400, 86_401},
		{"efficiency", "avgAgentResponseTime", 600, 2 * 86_400},
		{"workload", "agentUtilization", 1, 123456789012},
		{"workload", "agentUtilization", 0, -0.1},
		{"chatVolume", "chats", 1e8, 1e8 + 1},
		{"workload", "totalChatTime", 30 * 86_400 * 500, 1e11}, // 500 agents for a month is not implausible
		{"conversions", "value", -500, 1e13},
	} {
		r := metric(tc.report, tc.wire).Plausible()
		if !r.Contains(tc.ok) || r.Contains(tc.fail) {
			t.Errorf("%s.%s: range %v..%v should hold %g and not %g", tc.report, tc.wire, r.Min, r.Max, tc.ok, tc.fail)
		}
	}
}
