package comm100sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Fault is a misbehaviour the simulator injects into matching requests.
type Fault struct {
	// Report is the report name the fault applies to; "" or "*" means all.
	Report string `json:"report"`
	// Latency delays the response.
	Latency time.Duration `json:"latency,omitempty"`
	// Status, when non-zero, replaces the answer with this HTTP status.
	Status int `json:"status,omitempty"`
	// RetryAfter is sent as Retry-After (seconds) with Status.
	RetryAfter int `json:"retryAfter,omitempty"`
	// SlowBody sends the body in pieces over this long.
	SlowBody time.Duration `json:"slowBody,omitempty"`
	// Truncate cuts the JSON body in half.
	Truncate bool `json:"truncate,omitempty"`
	// Malformed replaces the body with something that is not JSON.
	Malformed bool `json:"malformed,omitempty"`
	// Times limits how many requests the fault hits; 0 means every one.
	Times int `json:"times,omitempty"`
	// Filter, "name=value", limits the fault to requests with that
	// filterName and filterValue (one department of an audience).
	Filter string `json:"filter,omitempty"`

	hits int
}

func (f *Fault) matches(report, filter string) bool {
	return (f.Report == "" || f.Report == "*" || f.Report == report) && (f.Times == 0 || f.hits < f.Times) &&
		(f.Filter == "" || f.Filter == filter)
}

// ParseFault reads the CLI form REPORT:key=value,key=value, e.g.
// "chatVolume:status=500,times=2" or "*:latency=200ms".
func ParseFault(s string) (Fault, error) {
	report, spec, ok := strings.Cut(s, ":")
	if !ok {
		return Fault{}, fmt.Errorf("fault %q: want REPORT:key=value,… (report may be *)", s)
	}
	f := Fault{Report: report}
	for _, kv := range strings.Split(spec, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		var err error
		switch k {
		case "latency":
			f.Latency, err = time.ParseDuration(v)
		case "slowBody", "slowbody":
			f.SlowBody, err = time.ParseDuration(v)
		case "status":
			f.Status, err = strconv.Atoi(v)
		case "retryAfter", "retryafter":
			f.RetryAfter, err = strconv.Atoi(v)
		case "times":
			f.Times, err = strconv.Atoi(v)
		case "truncate":
			f.Truncate = true
		case "malformed":
			f.Malformed = true
		case "filter":
			f.Filter = v
		default:
			return Fault{}, fmt.Errorf("fault %q: unknown knob %q (latency, slowBody, status, retryAfter, times, truncate, malformed, filter)", s, k)
		}
		if err != nil {
			return Fault{}, fmt.Errorf("fault %q: %s=%q: %v", s, k, v, err)
		}
	}
	return f, nil
}
