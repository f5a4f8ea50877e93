package render

import (
	"fmt"
	"reflect"
	"strings"

	"reportmailer/pkg/reports"
)

// tableView shows rows as they came: a label (bucket, entity or text) and
// each numeric field. It is the view of last resort, for shapes no chart
// fits (buckets of another grain than asked, rows without a bucket), so the
// reader still sees the numbers the API sent rather than a wrong chart.
func tableView(v *view, d *Digest, s *Section, spec *reports.Spec) {
	var wires []string
	seen := map[string]bool{}
	for _, r := range s.Rows {
		for _, f := range numericFields(r) {
			if !seen[f.wire] && f.value != 0 {
				seen[f.wire] = true
				wires = append(wires, f.wire)
			}
		}
	}
	if len(wires) == 0 {
		return
	}
	if len(wires) > 6 {
		wires = wires[:6]
	}
	t := &Table{Head: []string{"Row"}, NumericFrom: 1}
	for _, w := range wires {
		t.Head = append(t.Head, labelOf(spec, w))
	}
	for _, r := range s.Rows {
		row := []string{rowLabel(d, s, r)}
		vals := map[string]float64{}
		for _, f := range numericFields(r) {
			vals[f.wire] = f.value
		}
		for _, w := range wires {
			row = append(row, d.value(vals[w], unitOf(spec, w)))
		}
		t.Rows = append(t.Rows, row)
	}
	v.Table = t
	v.Summary = fmt.Sprintf("%d rows", len(t.Rows))
}

type field struct {
	wire  string
	value float64
}

// numericFields lists a row's float fields in declaration order.
func numericFields(r any) []field {
	rv := reflect.ValueOf(r)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	var out []field
	for i := 0; i < rv.NumField(); i++ {
		tag, _, _ := strings.Cut(rv.Type().Field(i).Tag.Get("json"), ",")
		switch f := rv.Field(i).Interface().(type) {
		case float64:
			out = append(out, field{tag, f})
		case *float64:
			if f != nil {
				out = append(out, field{tag, *f})
			}
		}
	}
	return out
}

// rowLabel names a row: its bucket, else its entity, else its first text field.
func rowLabel(d *Digest, s *Section, r any) string {
	if b := reports.TimeOf(r); b != nil {
		if b.To.String() != "" && b.To.String() != b.From.String() {
			return b.From.String() + " – " + b.To.String()
		}
		return b.From.String()
	}
	if s.Group.IsDimension() {
		if k := reports.KeyOf(r, s.Group); k != "" {
			return d.Names.Name(s.Group, k)
		}
	}
	rv := reflect.ValueOf(r)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Struct {
		for i := 0; i < rv.NumField(); i++ {
			switch f := rv.Field(i).Interface().(type) {
			case string:
				if f != "" {
					return f
				}
			case reports.ID:
				if f != "" {
					return string(f)
				}
			}
		}
	}
	return "—"
}

// metricOf finds the metric a row field carries, under its own wire name
// or its distribution name.
func metricOf(spec *reports.Spec, wire string) (reports.Metric, bool) {
	if spec == nil {
		return reports.Metric{}, false
	}
	for _, m := range spec.Metrics {
		if m.Wire == wire || m.DistributionWire() == wire {
			return m, true
		}
	}
	return reports.Metric{}, false
}

func labelOf(spec *reports.Spec, wire string) string {
	if m, ok := metricOf(spec, wire); ok {
		return m.Label
	}
	return splitCamel(wire)
}

// unitOf is the unit of a row field, from the registry; fields the
// registry does not list (status times, counts of survey answers) are
// counts or seconds, neither of which can be negative.
func unitOf(spec *reports.Spec, wire string) reports.Unit {
	if m, ok := metricOf(spec, wire); ok {
		return m.Unit
	}
	return reports.Count
}
