package reports_test

import (
	"reflect"
	"strings"
	"testing"

	"reportmailer/pkg/reports"
)

// TestEveryWireNameIsAField keeps the registry and the row types as one
// fact: every wire name the registry uses — a metric's total-row and
// distribution-row names, a weight's fields, a rate's numerator and
// denominator — is a numeric JSON field of that report's row type. A typo
// such as "chatsInitiatedByVisitors" for the API's
// "chatsInitialtedByVisitors" would otherwise read as a silent zero.
func TestEveryWireNameIsAField(t *testing.T) {
	for _, s := range reports.All() {
		t.Run(string(s.Name), func(t *testing.T) {
			fields := numericFields(s.RowType())
			has := func(what, wire string) {
				t.Helper()
				if !fields[wire] {
					t.Errorf("%s %q is not a number field of %s", what, wire, s.RowType())
				}
			}
			dist := false
			for _, g := range s.Groups {
				dist = dist || g.IsDistribution()
			}
			for _, m := range s.Metrics {
				has("metric", m.Wire)
				if dist {
					has("distribution metric", m.DistributionWire())
				}
				if w := m.Weight; w != nil && len(w.Reports) == 0 {
					for _, f := range w.Wires {
						has("weight", f)
					}
					if w.Total != "" {
						has("weight total", w.Total)
					}
				}
			}
			for _, r := range s.Rates {
				has("rate numerator", r.Num)
				has("rate denominator", r.Den)
			}
		})
	}
}

// TestWeightsFromOtherReportsExist checks the weights taken from another
// report name fields that report really has.
func TestWeightsFromOtherReportsExist(t *testing.T) {
	for _, s := range reports.All() {
		for _, m := range s.Metrics {
			if m.Weight == nil {
				continue
			}
			for _, other := range m.Weight.Reports {
				o, ok := reports.Lookup(other)
				if !ok {
					t.Errorf("%s.%s: weight report %q is not in the registry", s.Name, m.Wire, other)
					continue
				}
				fields := numericFields(o.RowType())
				for _, f := range m.Weight.Wires {
					if !fields[f] {
						t.Errorf("%s.%s: weight field %q is not a number field of %s", s.Name, m.Wire, f, other)
					}
				}
			}
		}
	}
}

func numericFields(t reflect.Type) map[string]bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Type.Kind() != reflect.Float64 {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out[name] = true
	}
	return out
}
