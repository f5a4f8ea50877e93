package comm100sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/reports"
)

// lastBody records the last response body the client read.
type lastBody struct {
	mu   sync.Mutex
	body []byte
}

func (l *lastBody) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	l.mu.Lock()
	l.body = b
	l.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, err
}

// TestRowsCarryTheRegistrysWireNames keeps the simulator and the registry
// one fact: for every report with metrics and every group it allows, the
// simulator's rows carry only the registry's metric wire names (the
// distribution names for 24*7 and half-hour rows) besides the row type's
// non-numeric fields (time, ids, labels), and over the groups every
// registry metric appears. chatTransfer
// answers department groups with the in/out metrics and the others with
// the totals, as the API does, so the check of "every metric" is over the
// union of groups.
func TestRowsCarryTheRegistrysWireNames(t *testing.T) {
	t.Parallel()
	_, srv := start(t, comm100sim.Options{Seed: 1, Agents: 3})
	for _, s := range reports.All() {
		if len(s.Metrics) == 0 || s.Kind == reports.KindRealtime {
			continue
		}
		t.Run(string(s.Name), func(t *testing.T) {
			rec := &lastBody{}
			c := reports.New(reports.WithBaseURL(srv.URL), reports.WithHTTPClient(&http.Client{Transport: rec}),
				reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}))
			seen, labels := map[string]bool{}, textFields(s.RowType())
			groups := s.Groups
			if len(groups) == 0 {
				groups = []reports.Group{reports.GroupNone}
			}
			for _, g := range groups {
				if _, err := c.Fetch(context.Background(), s.Name, reports.Query{From: from, To: to, Group: g}); err != nil {
					t.Fatalf("group %q: %v", g, err)
				}
				var rows []map[string]json.RawMessage
				if err := json.Unmarshal(rec.body, &rows); err != nil {
					t.Fatalf("group %q: %v", g, err)
				}
				if len(rows) == 0 {
					t.Errorf("group %q: no rows to check", g)
				}
				want := map[string]bool{}
				for _, m := range s.Metrics {
					if g.IsDistribution() {
						want[m.DistributionWire()] = true
					} else {
						want[m.Wire] = true
					}
				}
				reported := map[string]bool{}
				for _, row := range rows {
					for k := range row {
						switch {
						case want[k]:
							seen[k] = seen[k] || !g.IsDistribution()
						case labels[k], reported[k]:
						default:
							reported[k] = true
							t.Errorf("group %q: the simulator sends %q, which is none of the registry's wire names %v", g, k, slices.Sorted(maps.Keys(want)))
						}
					}
				}
			}
			for _, m := range s.Metrics {
				if !seen[m.Wire] {
					t.Errorf("the simulator never sends %q", m.Wire)
				}
			}
		})
	}
}

// textFields are the JSON names of a row type's fields that are not
// numbers: the row's time, ids and labels.
func textFields(t reflect.Type) map[string]bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.Type.Kind() != reflect.Float64 {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			out[name] = true
		}
	}
	return out
}
