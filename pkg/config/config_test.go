package config_test

import (
	"os"
	"strings"
	"testing"

	"reportmailer/pkg/config"
	"reportmailer/pkg/reports"
)

func TestExampleLoadsAndCoversEveryReport(t *testing.T) {
	data, err := os.ReadFile("../../reportmailer.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Digest("weekly-managers")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, r := range d.Reports {
		have[r.Report] = true
	}
	for _, s := range reports.All() {
		// Sections from our own history are not in the example: without a
		// history store they could only say there is none. The history
		// demo's config has them (TestHistoryDemoConfig).
		if s.Kind != reports.KindRealtime && !s.FromHistory() && !have[string(s.Name)] {
			t.Errorf("the example's weekly digest lacks %s", s.Name)
		}
	}
	if c.Names.Agents["1"] != "José Núñez" {
		t.Errorf("agent 1 is %q", c.Names.Agents["1"])
	}
	if d.Concurrency != 4 || c.Alerts.NoDataAfter != 5 || !*c.Alerts.Rules[0].SendResolved {
		t.Error("defaults not applied")
	}
}

func TestProblemsNameThePath(t *testing.T) {
	bad := `
comm100: {baseURL: "ftp://x", secretARN: "my-secret"}
mail: {from: "not an address"}
digests:
  - id: weekly
    period: fortnight
    timezone: Mars/Olympus
    to: ["ok@example.com", "broken@"]
    subject: "Hi\r\nBcc: victim@example.com"
    reports:
      - {report: chatVolum, group: day}
      - {report: chatTransfer, group: halfHourDistribution}
      - {report: visits, group: day, filter: {name: agent, value: "1"}}
      - {report: cannedMessage, group: day}
      - {report: queueHistory, waitOver: 500ms}
      - {report: chatVolume, waitOver: 60s}
      - {report: queueHistory, waitOver: 25h, group: day}
      - {report: queueHistory, waitOver: 90s, filter: {name: department, value: "1"}}
  - id: weekly
    period: week
    timezone: Europe/London
    to: [a@example.com]
    reports: [{report: chatVolume}]
alerts:
  rules:
    - {id: r1, metric: queue.size, op: "=>", for: soon, to: [x@example.com]}
    - {id: r2, metric: site.loggedInAgents, queue: "department:1", op: "<", threshold: 1, to: [x@example.com]}
    - {id: r1, metric: queue.length, op: ">", threshold: 5, recovery: 9, to: []}
`
	_, err := config.Load([]byte(bad))
	ps, ok := err.(config.Problems)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	want := []string{
		`comm100.baseURL: "ftp://x" is not an http(s) URL`,
		`comm100.secretARN: "my-secret" is not a Secrets Manager secret ARN`,
		`mail.from: "not an address" is not an email address`,
		`digests[0].period: "fortnight": want day, week or month`,
		`digests[0].timezone: unknown timezone "Mars/Olympus"`,
		`digests[0].to[1]: "broken@" is not an email address`,
		`digests[0].subject: "Hi\r\nBcc: victim@example.com" contains a control character or line break`,
		`digests[0].reports[0].report: unknown report "chatVolum"`,
		`digests[0].reports[1].group: "halfHourDistribution" is not allowed for chatTransfer (allowed: hour, day, week, month, department)`,
		`digests[0].reports[2].filter.name: "agent" is not allowed for visits (allowed: campaign)`,
		`digests[0].reports[3].group: cannedMessage takes no group, got "day"`,
		`digests[0].reports[4].waitOver: 500ms: want a wait between 1s and 24h`,
		`digests[0].reports[5].waitOver: only for queueHistory (a wait over which a minute counts), not chatVolume`,
		`digests[0].reports[6].waitOver: 25h0m0s: want a wait between 1s and 24h`,
		`digests[0].reports[6].group: queueHistory takes no group, got "day"`,
		`digests[1].id: duplicate id "weekly"`,
		`alerts.rules[0].metric: unknown metric "queue.size"`,
		`alerts.rules[0].op: "=>": want >, >=, < or <=`,
		`alerts.rules[0].threshold: required`,
		`alerts.rules[0].for: "soon": want a duration`,
		`alerts.rules[1].queue: site.loggedInAgents is site-wide`,
		`alerts.rules[2].id: duplicate id "r1"`,
		`alerts.rules[2].recovery: 9 must be on the safe side of threshold 5`,
		`alerts.rules[2].to: at least one recipient`,
	}
	msg := err.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("missing problem %q", w)
		}
	}
	if len(ps) < len(want) {
		t.Errorf("%d problems, want at least %d:\n%s", len(ps), len(want), msg)
	}
}

func TestUnknownKeysAreErrors(t *testing.T) {
	_, err := config.Load([]byte("digests:\n  - id: x\n    recipients: [a@example.com]\n"))
	if err == nil || !strings.Contains(err.Error(), "digests[0].recipients: unknown key (line 3)") {
		t.Errorf("err = %v", err)
	}
}

func TestParseFor(t *testing.T) {
	if f, err := config.ParseFor("3"); err != nil || f.Evaluations != 3 {
		t.Errorf("%+v %v", f, err)
	}
	if f, err := config.ParseFor("90s"); err != nil || f.Duration.Seconds() != 90 {
		t.Errorf("%+v %v", f, err)
	}
}

// TestHistoryDemoConfig: the history demo's digest (make demo-history)
// loads and has every report served from history, which the example's
// digests leave out.
func TestHistoryDemoConfig(t *testing.T) {
	data, err := os.ReadFile("../../testdata/demo-history.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Digest("queue-week")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, r := range d.Reports {
		have[r.Report] = true
	}
	for _, s := range reports.All() {
		if s.FromHistory() && !have[string(s.Name)] {
			t.Errorf("the history demo's digest lacks %s", s.Name)
		}
	}
}
