package config_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"reportmailer/pkg/config"
)

// targetsConfig is a valid configuration with a top-level targets list,
// a digest's own and an audience member's spliced in.
func targetsConfig(top, digest, member string) string {
	return `
mail: {from: reports@example.com}
targets:
` + top + `
digests:
  - id: d
    period: week
    timezone: Europe/London
    to: [a@example.com]
    reports: [{report: chatVolume, group: day}, {report: waitTime}, {report: rating, group: agent}]
    audience:
      filter: department
      members: {"7": [sales@example.com]}
      targets:
        "7":
` + member + `
    targets:
` + digest
}

const fourTargets = `  - {metric: waitTime.avgWaitTime, max: 40s}
  - {metric: chatVolume.answeredRate, min: 95%}
  - {metric: rating.average, min: 4.5}
  - {metric: chatVolume.missedChats, max: 50, per: day}`

func TestTargetsLoad(t *testing.T) {
	t.Parallel()
	c, err := config.Load([]byte(targetsConfig(fourTargets,
		"      - {metric: waitTime.avgWaitTime, max: 1m}",
		"          - {metric: rating.average, min: 4.8}")))
	if err != nil {
		t.Fatal(err)
	}
	d := &c.Digests[0]
	got := map[string]string{}
	for _, tg := range c.TargetsFor(d, "7") {
		min, max := tg.Bounds()
		s := ""
		if min != nil {
			s += "min " + ftoa(*min)
		}
		if max != nil {
			s += "max " + ftoa(*max)
		}
		got[tg.Metric+"/"+tg.Per] = s
	}
	want := map[string]string{
		"waitTime.avgWaitTime/":      "max 60",   // the digest's 1m over the top level's 40s
		"chatVolume.answeredRate/":   "min 0.95", // 95% is a 0..1 ratio
		"rating.average/":            "min 4.8",  // the member's own
		"chatVolume.missedChats/day": "max 50",
	}
	if len(got) != len(want) {
		t.Fatalf("targets for member 7 = %v, want %v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	for _, tg := range c.TargetsFor(d, "") {
		if tg.Metric == "rating.average" {
			if min, _ := tg.Bounds(); *min != 4.5 {
				t.Errorf("unscoped copy: rating.average min %v, want the top level's 4.5", *min)
			}
		}
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// TestTargetProblems: every mistake in a target is a problem at its path.
func TestTargetProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, top, digest, member string
		path, message             string
	}{
		{name: "unknown report", top: "  - {metric: nope.avgWaitTime, max: 40s}", path: "targets[0].metric", message: "not a report.figure"},
		{name: "unknown figure", top: "  - {metric: waitTime.avgWait, max: 40s}", path: "targets[0].metric", message: "waitTime.avgWaitTime"},
		{name: "no metric", top: "  - {max: 40s}", path: "targets[0].metric", message: "required"},
		{name: "report in no digest", top: "  - {metric: visits.visits, min: 10}", path: "targets[0].metric", message: "unused"},
		{name: "report not in this digest", digest: "      - {metric: visits.visits, min: 10}", path: "digests[0].targets[0].metric", message: "not in this digest"},
		{name: "time without unit", top: "  - {metric: waitTime.avgWaitTime, max: 40}", path: "targets[0].max", message: "write e.g. 40s"},
		{name: "rate without percent", top: "  - {metric: chatVolume.answeredRate, min: 0.95}", path: "targets[0].min", message: "percentage"},
		{name: "rate above 100", top: "  - {metric: chatVolume.answeredRate, min: 120%}", path: "targets[0].min", message: "at most 100%"},
		{name: "count as duration", top: "  - {metric: chatVolume.missedChats, max: 50s}", path: "targets[0].max", message: "plain number"},
		{name: "rating out of range", top: "  - {metric: rating.average, min: 6}", path: "targets[0].min", message: "1 to 5"},
		{name: "negative", top: "  - {metric: chatVolume.missedChats, max: -1}", path: "targets[0].max", message: "negative"},
		{name: "min above max", top: "  - {metric: waitTime.avgWaitTime, min: 1m, max: 40s}", path: "targets[0]", message: "above max"},
		{name: "neither", top: "  - {metric: waitTime.avgWaitTime}", path: "targets[0]", message: "min or max"},
		{name: "bad per", top: "  - {metric: chatVolume.missedChats, max: 50, per: week}", path: "targets[0].per", message: "day or period"},
		{name: "per day without days", digest: "      - {metric: rating.average, min: 4, per: day}", path: "digests[0].targets[0].per", message: "grouped by day"},
		{name: "duplicate", digest: "      - {metric: chatVolume.chats, min: 1}\n      - {metric: chatVolume.chats, min: 2}", path: "digests[0].targets[1].metric", message: "already"},
		{name: "member's bad unit", member: "          - {metric: rating.average, min: 90%}", path: "digests[0].audience.targets.7[0].min", message: "plain number"},
		{name: "unknown member", member: "", path: "digests[0].audience.targets.9", message: "not a member"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := targetsConfig(tc.top, tc.digest, tc.member)
			if tc.name == "unknown member" {
				doc = strings.Replace(doc, `        "7":`, `        "9": [{metric: rating.average, min: 4}]`, 1)
			}
			_, err := config.Load([]byte(doc))
			var ps config.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want problems, got %v", err)
			}
			for _, p := range ps {
				if p.Path == tc.path && strings.Contains(p.Message, tc.message) {
					return
				}
			}
			t.Errorf("no problem at %s containing %q; got:\n%v", tc.path, tc.message, err)
		})
	}
}
