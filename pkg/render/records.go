package render

import (
	"errors"
	"strings"

	"reportmailer/pkg/reports"
)

// Record is one figure of a section, as the CSV writes it on one line: a
// value of one row, with the period it belongs to and its unit. The CSV
// writes this period's records; pkg/workbook lays out both periods' as
// typed sheets. Both read them from the same emitter, so the CSV and the
// workbook can never disagree.
type Record struct {
	Period   string // PeriodCurrent or PeriodPrevious
	From, To string // the bucket's bounds as the CSV writes them; "" for rows without a time
	Key      string // the entity id (agent, department, page…)
	Name     string // its display name
	Metric   string // the field's wire name, e.g. "chats", "status:online"
	Value    float64
	Unit     reports.Unit
}

// Record periods.
const (
	PeriodCurrent  = "current"
	PeriodPrevious = "previous"
)

// HasRecords reports whether the CSV and the workbook carry section s: a
// known report that was fetched (a section with a note has no figures).
func (s *Section) HasRecords() bool {
	_, known := reports.Lookup(s.Report)
	return s.Note == "" && known
}

// EachRecord hands fn the figures of section i of d, in order: this
// period's rows, then the previous period's, each value a record the CSV
// writes as a line (NaN and ±Inf left out, as there). A section whose
// rows break the emitter (a panic) returns an error, after fn has seen
// the records before the break: the caller drops what it got.
func (d *Digest) EachRecord(i int, fn func(Record)) error {
	s := &d.Sections[i]
	if !s.HasRecords() {
		return errors.New("render: section has no records")
	}
	return isolate(func() error {
		for _, p := range []struct {
			period string
			rows   []any
		}{{PeriodCurrent, s.Rows}, {PeriodPrevious, s.Previous}} {
			e := newCSVEmitter(d, s)
			e.period, e.sink = p.period, fn
			for _, r := range p.rows {
				e.row(r)
			}
		}
		return nil
	})
}

// recordUnit is how a section's field reads: the registry's unit for its
// metrics, and by its name for the other fields the CSV carries.
func recordUnit(s *Section, wire string) reports.Unit {
	spec := s.spec()
	if m, ok := metricOf(spec, wire); ok {
		return m.Unit
	}
	if spec.FromHistory() {
		switch wire {
		case "longestWait", "waitOver":
			return reports.Seconds
		case "medianQueue":
			return reports.Average
		}
		return reports.Count
	}
	switch {
	case strings.HasPrefix(wire, "status:"):
		if spec.Kind == reports.KindStatusLog {
			return reports.Count // one line per change
		}
		return reports.Seconds // time in that status
	case strings.Contains(wire, "Time"):
		return reports.Seconds
	case strings.HasSuffix(wire, "Rate") || strings.HasSuffix(wire, "Utilization"):
		return reports.Ratio
	case strings.HasPrefix(wire, "avg"):
		return reports.Average
	}
	return reports.Count
}

// FieldLabel is what a reader sees for one of the section's fields (a
// record's Metric): the registry's label, or the wire name in words.
func (s *Section) FieldLabel(wire string) string {
	if st, ok := strings.CutPrefix(wire, "status:"); ok {
		return "Status: " + st
	}
	if m, ok := metricOf(s.spec(), wire); ok {
		return m.Label
	}
	words := strings.ToLower(splitCamel(wire))
	if words == "" {
		return wire
	}
	return strings.ToUpper(words[:1]) + words[1:]
}
