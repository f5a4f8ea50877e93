package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"reportmailer/internal/notifytest"
	"reportmailer/pkg/config"
	"reportmailer/pkg/notify"
	"reportmailer/pkg/reports"
)

var t0 = time.Date(2026, 11, 23, 10, 3, 0, 0, time.UTC)

func message(e notify.Event) notify.Message {
	m := notify.Message{Event: e, DedupKey: "reportmailer/10000/queue-long/department:1487fd00/1795428180", RuleID: "queue-long",
		Instance: "department:1487fd00", Site: "Acme Support", Title: "[FIRING] Acme Support: Queue length 12 > 8 for 3m — Department: Sales <&>",
		Headline: "Queue length 12 > 8", Detail: "Breached for 3m; firing since 10:03 GMT.", Severity: "critical", Scope: "Department: Sales",
		Facts:    []notify.Fact{{"Value", "12"}, {"Condition", "Queue length > 8 for 3m"}, {"Since", "10:03 GMT"}},
		StartsAt: t0, Links: []notify.Link{{"Runbook", "https://wiki.example.com/runbooks/queue"}, {"Comm100 console", "https://dash.comm100.com/"}},
		Actions: []notify.Link{{"Acknowledge", "https://links.example.com/ack?t=x"}, {"Silence 1 h", "https://links.example.com/silence?t=y"}},
		Labels:  map[string]string{"alertname": "queue-long", "severity": "critical", "metric": "queue.length"}, Annotations: map[string]string{"summary": "x"},
		ExternalURL: "https://dash.comm100.com/"}
	if e == notify.Resolved {
		m.EndsAt = t0.Add(7 * time.Minute)
	}
	return m
}

// TestPayloadsMatchTheirDocumentedShapes validates every receiver's body
// for every event against its JSON schema (internal/notifytest/schemas).
func TestPayloadsMatchTheirDocumentedShapes(t *testing.T) {
	t.Parallel()
	for _, e := range []notify.Event{notify.Firing, notify.Reminder, notify.Acknowledged, notify.Resolved} {
		m := message(e)
		for kind, body := range map[string]any{
			"slack": notify.SlackPayload(m), "teams": notify.TeamsPayload(m),
			"pagerduty": notify.PagerDutyEvent(m, "R0UT1NGKEY"), "webhook": notify.AlertmanagerPayload(m, "ops-hook"),
		} {
			t.Run(fmt.Sprintf("%s/%s", kind, e), func(t *testing.T) {
				data, _ := json.Marshal(body)
				if err := notifytest.Validate(kind, data); err != nil {
					t.Errorf("%v\n%s", err, data)
				}
			})
		}
	}
	// And the schemas do refuse: a firing alert with an end, a MessageCard.
	for kind, bad := range map[string]string{
		"webhook":   `{"version":"4","groupKey":"","truncatedAlerts":0,"status":"firing","receiver":"r","groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"","alerts":[{"status":"firing","labels":{"alertname":"a"},"annotations":{},"startsAt":"2026-01-01T00:00:00Z","endsAt":"2026-01-01T00:01:00Z","generatorURL":"","fingerprint":"0123456789abcdef"}]}`,
		"teams":     `{"@type":"MessageCard","text":"hi"}`,
		"pagerduty": `{"routing_key":"k","event_action":"trigger"}`,
		"slack":     `{"text":"x","blocks":[{"type":"header","text":{"type":"mrkdwn","text":"x"}}]}`,
	} {
		if notifytest.Validate(kind, []byte(bad)) == nil {
			t.Errorf("%s schema accepts %s", kind, bad)
		}
	}
}

func TestPagerDutyEventActions(t *testing.T) {
	t.Parallel()
	for e, want := range map[notify.Event]string{notify.Firing: "trigger", notify.Acknowledged: "acknowledge", notify.Resolved: "resolve"} {
		ev := notify.PagerDutyEvent(message(e), "K")
		if ev["event_action"] != want || ev["dedup_key"] != message(e).DedupKey {
			t.Errorf("%s: %v", e, ev)
		}
	}
	if notify.Wants("pagerduty", notify.Reminder) || notify.Wants("slack", notify.Acknowledged) || !notify.Wants("pagerduty", notify.Acknowledged) {
		t.Error("Wants")
	}
}

func build(t *testing.T, kind, u string) notify.Receiver {
	t.Helper()
	r := config.Receiver{Name: "r1"}
	switch kind {
	case "slack":
		r.Slack = &config.Hook{URL: reports.Secret(u)}
	case "teams":
		r.Teams = &config.Hook{URL: reports.Secret(u)}
	case "webhook":
		r.Webhook = &config.Hook{URL: reports.Secret(u)}
	case "pagerduty":
		r.PagerDuty = &config.PagerDuty{RoutingKey: "SECRETROUTINGKEY", URL: u}
	}
	rs, err := notify.Build(context.Background(), []config.Receiver{r}, nil, notify.Options{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return rs["r1"]
}

// TestFailuresAreClassified: 4xx but 408/429 is permanent, the rest is
// retried with Retry-After kept; no error text carries the URL's secret
// path or the routing key, even when the receiver echoes them.
func TestFailuresAreClassified(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		status     int
		body       string
		retryAfter string
		permanent  bool
		wait       time.Duration
	}{
		{"slack revoked", 404, "no_service", "", true, 0},
		{"bad payload", 400, "invalid_payload /services/SECRETPATH SECRETROUTINGKEY", "", true, 0},
		{"rate limited", 429, "rate_limited", "30", false, 30 * time.Second},
		{"request timeout", 408, "", "", false, 0},
		{"server error", 503, "busy", "", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			for _, kind := range []string{"slack", "pagerduty"} {
				err := build(t, kind, srv.URL+"/services/SECRETPATH").Send(context.Background(), message(notify.Firing))
				var ne *notify.Error
				if !errors.As(err, &ne) {
					t.Fatalf("%s: %v", kind, err)
				}
				if ne.Permanent != tc.permanent || ne.RetryAfter != tc.wait || ne.Status != tc.status {
					t.Errorf("%s: %+v", kind, ne)
				}
				if s := err.Error(); strings.Contains(s, "SECRETPATH") || (kind == "pagerduty" && strings.Contains(s, "SECRETROUTINGKEY")) {
					t.Errorf("%s: error shows a secret: %s", kind, s)
				}
			}
		})
	}
}

func TestTransportErrorsHideTheURL(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	u := srv.URL + "/services/T000/SECRETPATH"
	srv.Close() // connection refused
	err := build(t, "slack", u).Send(context.Background(), message(notify.Firing))
	var ne *notify.Error
	if !errors.As(err, &ne) || ne.Permanent {
		t.Fatalf("%v, want a retryable error", err)
	}
	if strings.Contains(err.Error(), "SECRETPATH") {
		t.Errorf("error shows the URL: %v", err)
	}
}

func TestBuildReadsSecrets(t *testing.T) {
	t.Parallel()
	rs := []config.Receiver{
		{Name: "s", Slack: &config.Hook{URLSecret: "reportmailer/receivers/slack"}},
		{Name: "p", PagerDuty: &config.PagerDuty{RoutingKeySecret: "reportmailer/receivers/pd"}},
	}
	secrets := map[string]string{"reportmailer/receivers/slack": "https://hooks.slack.com/services/T/B/SECRET", "reportmailer/receivers/pd": "KEY"}
	got, err := notify.Build(context.Background(), rs, func(_ context.Context, name string) (string, error) { return secrets[name], nil }, notify.Options{})
	if err != nil || len(got) != 2 {
		t.Fatalf("%v %v", got, err)
	}
	secrets["reportmailer/receivers/slack"] = "http://hooks.example.com/SECRET"
	partial, err := notify.Build(context.Background(), rs, func(_ context.Context, name string) (string, error) { return secrets[name], nil }, notify.Options{})
	if err == nil || strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "reportmailer/receivers/slack") {
		t.Errorf("plain-http secret URL: %v", err)
	}
	// The broken receiver fails retryably; the other one is built.
	var ne *notify.Error
	if err := partial["s"].Send(context.Background(), message(notify.Firing)); !errors.As(err, &ne) || ne.Permanent {
		t.Errorf("unavailable receiver: %v", err)
	}
	if _, ok := partial["p"].(*notify.PagerDuty); !ok {
		t.Errorf("PagerDuty not built beside the broken Slack: %T", partial["p"])
	}
	if out := fmt.Sprintf("%v %+v", got["s"], got["p"]); strings.Contains(out, "SECRET") || strings.Contains(out, "KEY}") {
		t.Errorf("receiver prints its secret: %s", out)
	}
}

// TestTimeoutIsRetried: a receiver that does not answer within the
// timeout is a retryable failure, not a permanent one.
func TestTimeoutIsRetried(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	r := config.Receiver{Name: "hook", Webhook: &config.Hook{URL: reports.Secret(srv.URL + "/SECRETPATH")}}
	rs, err := notify.Build(context.Background(), []config.Receiver{r}, nil, notify.Options{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = rs["hook"].Send(context.Background(), message(notify.Firing))
	var ne *notify.Error
	if !errors.As(err, &ne) || ne.Permanent || ne.Status != 0 || !strings.Contains(ne.Reason, "timed out") {
		t.Errorf("%v, want a retryable timeout", err)
	}
	if strings.Contains(err.Error(), "SECRETPATH") {
		t.Errorf("error shows the URL: %v", err)
	}
}
