// Package comm100sim is a local, deterministic stand-in for the Comm100
// Live Chat Report API v3. It serves every path of the reference with its
// JSON shapes, checks requests like the real API (credentials, siteId,
// times, groups, filters), and can inject faults and script real-time data.
package comm100sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"reportmailer/pkg/reports"
)

// Options configure a simulator.
type Options struct {
	SiteID string // default "10000"
	Email  string // default "demo@example.com"
	APIKey string // default "demo-key"
	Seed   uint64 // data seed; the same seed gives the same bytes
	// Agents is the site's size, 1..MaxAgents (default 20); the first 20
	// are the same agents, with the same numbers, at any size.
	Agents int
	// Departments is the number of departments, 1..MaxDepartments (default 4).
	Departments int
	// Edition "business" answers 403 for Enterprise-only reports.
	Edition reports.Edition
	// Now is the clock for real-time endpoints; default time.Now.
	Now func() time.Time
}

// Defaults for the simulator's credentials.
const (
	DefaultSiteID = "10000"
	DefaultEmail  = "demo@example.com"
	DefaultAPIKey = "demo-key"
)

// Server is the simulator's http.Handler.
type Server struct {
	opts  Options
	model *model
	mux   *http.ServeMux

	mu     sync.Mutex
	faults []*Fault
	script *Script
	calls  map[string]int
}

// New returns a simulator.
func New(opts Options) *Server {
	if opts.SiteID == "" {
		opts.SiteID = DefaultSiteID
	}
	if opts.Email == "" {
		opts.Email = DefaultEmail
	}
	if opts.APIKey == "" {
		opts.APIKey = DefaultAPIKey
	}
	if opts.Edition == "" {
		opts.Edition = reports.Enterprise
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Agents = clamp(opts.Agents, DefaultAgents, MaxAgents)
	opts.Departments = clamp(opts.Departments, DefaultDepartments, MaxDepartments)
	s := &Server{opts: opts, model: newModel(opts.Seed, opts.Agents, departmentList(opts.Departments)),
		mux: http.NewServeMux(), calls: map[string]int{}}
	for _, spec := range reports.All() {
		for _, p := range spec.Paths {
			s.mux.Handle("GET /api/v3/livechat/reports/"+p, s.report(spec))
		}
	}
	s.mux.HandleFunc("GET /_sim/healthz", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	s.mux.HandleFunc("GET /_sim/calls", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, s.Calls()) })
	s.mux.HandleFunc("POST /_sim/faults", s.postFaults)
	s.mux.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, _ *http.Request) { s.ClearFaults(); w.WriteHeader(204) })
	s.mux.HandleFunc("POST /_sim/script", s.postScript)
	s.mux.HandleFunc("POST /_sim/step", func(w http.ResponseWriter, _ *http.Request) {
		if sc := s.Script(); sc != nil {
			sc.advance()
			writeJSON(w, 200, map[string]int{"step": sc.Position()})
			return
		}
		apiError(w, 409, "no script loaded")
	})
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The reference's sample request for Right Now drops "realtime/"; serve it too.
	if strings.HasSuffix(r.URL.Path, "/reports/rightnow") {
		r.URL.Path = strings.Replace(r.URL.Path, "/reports/rightnow", "/reports/realtime/rightnow", 1)
	}
	s.mux.ServeHTTP(w, r)
}

// AddFault injects a fault.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// SetScript replaces the real-time data with a script (nil to go back to the model).
func (s *Server) SetScript(sc *Script) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = sc
}

// Script returns the loaded script, if any.
func (s *Server) Script() *Script {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.script
}

// Calls counts requests per report name (including rejected ones).
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

func (s *Server) postFaults(w http.ResponseWriter, r *http.Request) {
	var fs []Fault
	if err := json.NewDecoder(r.Body).Decode(&fs); err != nil {
		apiError(w, 400, "faults: want a JSON list: "+err.Error())
		return
	}
	for _, f := range fs {
		s.AddFault(f)
	}
	w.WriteHeader(204)
}

func (s *Server) postScript(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Steps          []Snapshot `json:"steps"`
		AdvanceOnQueue bool       `json:"advanceOnQueue"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Steps) == 0 {
		apiError(w, 400, "script: want {\"steps\": [...], \"advanceOnQueue\": bool}")
		return
	}
	s.SetScript(NewScript(body.Steps, body.AdvanceOnQueue))
	w.WriteHeader(204)
}

func (s *Server) fault(report, filter string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.matches(report, filter) {
			f.hits++
			c := *f
			return &c
		}
	}
	return nil
}

func apiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"status": status, "error": http.StatusText(status), "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) report(spec *reports.Spec) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[string(spec.Name)]++
		s.mu.Unlock()
		if !s.authorised(w, r) {
			return
		}
		if spec.EnterpriseOnly && s.opts.Edition == reports.Business {
			apiError(w, 403, fmt.Sprintf("the %s report is not available in your edition", spec.Title))
			return
		}
		req, msg := s.parse(spec, r)
		if msg != "" {
			apiError(w, 400, msg)
			return
		}
		filter := ""
		if req.filter != nil {
			filter = req.filter.Name + "=" + req.filter.Value
		}
		f := s.fault(string(spec.Name), filter)
		if f != nil && f.Latency > 0 {
			select {
			case <-time.After(f.Latency):
			case <-r.Context().Done():
				return
			}
		}
		if f != nil && f.Status != 0 {
			if f.RetryAfter > 0 {
				w.Header().Set("Retry-After", fmt.Sprint(f.RetryAfter))
			}
			apiError(w, f.Status, "injected fault")
			return
		}
		var data any
		if spec.Kind == reports.KindRealtime && s.Script() != nil {
			data = s.scripted(spec)
		} else {
			data = s.model.build(req)
		}
		body, err := json.Marshal(data)
		if err != nil {
			apiError(w, 500, err.Error())
			return
		}
		switch {
		case f != nil && f.Malformed:
			body = []byte("<html>502 Bad Gateway</html>")
		case f != nil && f.Truncate:
			body = body[:len(body)/2]
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if f != nil && f.SlowBody > 0 {
			writeSlowly(w, r, body, f.SlowBody)
			return
		}
		_, _ = w.Write(body)
	}
}

func (s *Server) scripted(spec *reports.Spec) any {
	sc := s.Script()
	snap := sc.Current()
	switch spec.Name {
	case "realtimeQueue":
		if sc.AdvanceOnQueue {
			sc.advance()
		}
		return snap.Queues
	case "realtimeRightNow":
		return rightNowFrom(snap, s.opts.Agents)
	}
	return s.model.build(request{spec: spec, zone: time.UTC, now: s.opts.Now()})
}

func writeSlowly(w http.ResponseWriter, r *http.Request, body []byte, over time.Duration) {
	const pieces = 10
	fl, _ := w.(http.Flusher)
	step := (len(body) + pieces - 1) / pieces
	for i := 0; i < len(body); i += step {
		_, _ = w.Write(body[i:min(i+step, len(body))])
		if fl != nil {
			fl.Flush()
		}
		select {
		case <-time.After(over / pieces):
		case <-r.Context().Done():
			return
		}
	}
}

func (s *Server) authorised(w http.ResponseWriter, r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.opts.Email || pass != s.opts.APIKey {
		w.Header().Set("WWW-Authenticate", `Basic realm="comm100"`)
		apiError(w, 401, "invalid email or API key")
		return false
	}
	site := r.URL.Query().Get("siteId")
	if site == "" {
		apiError(w, 400, "siteId is required")
		return false
	}
	if site != s.opts.SiteID {
		apiError(w, 401, "the API key does not belong to site "+site)
		return false
	}
	return true
}

// parse checks a request the way the API would and returns a message on error.
func (s *Server) parse(spec *reports.Spec, r *http.Request) (request, string) {
	q := r.URL.Query()
	req := request{spec: spec, now: s.opts.Now()}
	off, err := reports.ParseOffset(q.Get("timezone"))
	if err != nil {
		return req, err.Error()
	}
	req.zone = time.FixedZone("", int(off/time.Second))
	if spec.Timed {
		for _, p := range []struct {
			name string
			dst  *time.Time
		}{{"timeFrom", &req.from}, {"timeTo", &req.to}} {
			v := q.Get(p.name)
			if v == "" {
				return req, p.name + " is required"
			}
			t, err := time.ParseInLocation(reports.DateTimeLayout, v, req.zone)
			if err != nil {
				return req, fmt.Sprintf("%s %q: want yyyy-MM-ddTHH:mm:ss", p.name, v)
			}
			*p.dst = t
		}
		if !req.from.Before(req.to) {
			return req, "timeFrom must be before timeTo"
		}
		if req.to.Sub(req.from) > 400*24*time.Hour {
			return req, "the time range may not exceed 400 days"
		}
	}
	req.group = reports.Group(q.Get("group"))
	if len(spec.Groups) > 0 && !spec.AllowsGroup(req.group) {
		if req.group == "" {
			return req, "group is required"
		}
		var allowed []string
		for _, g := range spec.Groups {
			allowed = append(allowed, string(g))
		}
		return req, fmt.Sprintf("group %q is not allowed for %s (allowed: %s)", req.group, spec.Name, strings.Join(allowed, ", "))
	}
	if name := q.Get("filterName"); name != "" {
		if !spec.AllowsFilter(name) {
			return req, fmt.Sprintf("filterName %q is not allowed for %s", name, spec.Name)
		}
		req.filter = &reports.Filter{Name: name, Value: q.Get("filterValue")}
	}
	return req, ""
}

// ClientEnv is the environment that points reportmailer at a simulator
// serving on baseURL, with the simulator's default site and credentials.
func ClientEnv(baseURL string) map[string]string {
	return map[string]string{"COMM100_BASE_URL": baseURL, "COMM100_SITE_ID": DefaultSiteID,
		"COMM100_EMAIL": DefaultEmail, "COMM100_API_KEY": DefaultAPIKey}
}

// ClientEnvList is ClientEnv as KEY=value entries for a process environment.
func ClientEnvList(baseURL string) []string {
	var out []string
	for k, v := range ClientEnv(baseURL) {
		out = append(out, k+"="+v)
	}
	return out
}
