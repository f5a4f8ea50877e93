// Package notifytest runs local stand-ins for the alert receivers (Slack,
// Teams, PagerDuty, an Alertmanager webhook consumer) that record every
// body they get and can be told to fail, and checks bodies against the
// receivers' documented shapes (JSON schemas in schemas/). The tests and
// `reportmailer demo-alert` use it.
package notifytest

import (
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

//go:embed schemas/*.json
var schemaFS embed.FS

var schemaFiles = map[string]string{
	"slack":     "schemas/slack-blockkit.schema.json",
	"teams":     "schemas/teams-adaptivecard.schema.json",
	"pagerduty": "schemas/pagerduty-events-v2.schema.json",
	"webhook":   "schemas/alertmanager-webhook-v4.schema.json",
}

var (
	schemasOnce sync.Once
	schemas     map[string]*jsonschema.Schema
	schemasErr  error
)

// Validate checks body against the documented shape of kind's payload.
func Validate(kind string, body []byte) error {
	schemasOnce.Do(func() {
		schemas = map[string]*jsonschema.Schema{}
		for k, f := range schemaFiles {
			data, err := schemaFS.ReadFile(f)
			if err != nil {
				schemasErr = err
				return
			}
			c := jsonschema.NewCompiler()
			c.AssertFormat = true
			if err := c.AddResource(f, strings.NewReader(string(data))); err != nil {
				schemasErr = err
				return
			}
			if schemas[k], err = c.Compile(f); err != nil {
				schemasErr = fmt.Errorf("%s: %w", f, err)
				return
			}
		}
	})
	if schemasErr != nil {
		return schemasErr
	}
	s, ok := schemas[kind]
	if !ok {
		return fmt.Errorf("no schema for %q", kind)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return err
	}
	return s.Validate(v)
}

// Failure is how a stand-in answers while down.
type Failure struct {
	Status     int
	Body       string
	RetryAfter string // the Retry-After header, if any
}

// StandIn is one receiver's local endpoint.
type StandIn struct {
	Kind string
	*httptest.Server

	mu       sync.Mutex
	bodies   [][]byte
	attempts int
	down     *Failure
}

// Start starts a stand-in for kind (slack, teams, pagerduty or webhook)
// on 127.0.0.1. Close it when done.
func Start(kind string) *StandIn {
	s := &StandIn{Kind: kind}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func (s *StandIn) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	s.attempts++
	down := s.down
	if down == nil {
		s.bodies = append(s.bodies, body)
	}
	s.mu.Unlock()
	if down != nil {
		if down.RetryAfter != "" {
			w.Header().Set("Retry-After", down.RetryAfter)
		}
		w.WriteHeader(down.Status)
		_, _ = io.WriteString(w, down.Body)
		return
	}
	switch s.Kind {
	case "slack":
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok")
	case "pagerduty":
		var ev struct {
			DedupKey string `json:"dedup_key"`
		}
		_ = json.Unmarshal(body, &ev)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "success", "message": "Event processed", "dedup_key": ev.DedupKey})
	case "teams":
		w.WriteHeader(http.StatusAccepted)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// Down makes the stand-in answer every request with f until Up.
func (s *StandIn) Down(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = &f
}

// Up makes it accept requests again.
func (s *StandIn) Up() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = nil
}

// Bodies are the bodies it accepted, in order.
func (s *StandIn) Bodies() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.bodies...)
}

// Attempts counts every request, accepted or not.
func (s *StandIn) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Summary is a short line for one accepted body: what a person would see
// first (the header, the event action, the status).
func Summary(kind string, body []byte) string {
	var v map[string]any
	if json.Unmarshal(body, &v) != nil {
		return "(not JSON)"
	}
	switch kind {
	case "slack":
		return fmt.Sprint(v["text"])
	case "teams":
		att, _ := v["attachments"].([]any)
		if len(att) > 0 {
			card, _ := att[0].(map[string]any)["content"].(map[string]any)
			body, _ := card["body"].([]any)
			if len(body) > 0 {
				return fmt.Sprint(body[0].(map[string]any)["text"])
			}
		}
	case "pagerduty":
		s := fmt.Sprintf("%v dedup_key=%v", v["event_action"], v["dedup_key"])
		if p, ok := v["payload"].(map[string]any); ok {
			s += fmt.Sprintf(" severity=%v summary=%q", p["severity"], p["summary"])
		}
		return s
	case "webhook":
		alerts, _ := v["alerts"].([]any)
		s := fmt.Sprintf("version=%v status=%v", v["version"], v["status"])
		if len(alerts) > 0 {
			a := alerts[0].(map[string]any)
			s += fmt.Sprintf(" alertname=%v fingerprint=%v", a["labels"].(map[string]any)["alertname"], a["fingerprint"])
		}
		return s
	}
	return ""
}
