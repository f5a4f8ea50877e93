package render

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strconv"
	"strings"
	"time"

	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"
)

// CSV writes every section's data as one tidy table, a line per value:
//
//	section, report, group, from, to, key, name, metric, value, period
//
// "from"/"to" are the bucket's bounds as instants (RFC 3339 with the local
// offset; clock times of distributions as the API sent them), "key" the
// entity id (agent, department, invitation…) the section is grouped by and
// "name" its display name, "period" current or previous: the previous
// period's rows are the ones every "was" figure and change came from. Only
// fields the API returns for the grouping are written. Long format pivots
// in any spreadsheet, and no table is ever cut off.
func CSV(d *Digest) []byte {
	data, _ := csvWithProblems(d)
	return data
}

// csvWithProblems is CSV, each section isolated: one that fails (a
// panic) is left out of the file and listed in problems.
func csvWithProblems(d *Digest) (data []byte, problems []Problem) {
	d = foldedCopy(d) // one row per local day, as in the PDF
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // a BOM, so spreadsheet apps read UTF-8 names right
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"section", "report", "group", "from", "to", "key", "name", "metric", "value", "period"})
	w.Flush()
	var section bytes.Buffer
	for i := range d.Sections {
		s := &d.Sections[i]
		if _, known := reports.Lookup(s.Report); s.Note != "" || !known {
			continue
		}
		section.Reset()
		err := isolate(func() error {
			sw := csv.NewWriter(&section)
			e := newCSVEmitter(d, s)
			e.w, e.period = sw, PeriodCurrent
			for _, r := range s.Rows {
				e.row(r)
			}
			if s.Previous != nil && d.Previous != nil {
				e.period = PeriodPrevious
				for _, r := range s.Previous {
					e.row(r)
				}
			}
			sw.Flush()
			return sw.Error()
		})
		if err != nil {
			problems = append(problems, Problem{Section: s.TitleText(), Reason: "CSV: " + err.Error()})
			continue
		}
		buf.Write(section.Bytes())
	}
	// The API's whole-period answers, the source of every average's and
	// maximum's period figure (totals.go).
	for _, t := range d.Totals {
		if _, known := reports.Lookup(t.Report); !known {
			continue
		}
		section.Reset()
		sw := csv.NewWriter(&section)
		s := &Section{Report: t.Report, Filter: t.Filter}
		// Named for its section, so two departments' answers of one report
		// are told apart ("Wait time, Sales (whole period)").
		for _, sec := range d.Sections {
			if sec.Report == t.Report && filterKey(sec.Filter) == filterKey(t.Filter) {
				s.Title = sec.TitleText()
				break
			}
		}
		e := csvEmitter{w: sw, d: d, s: s, section: s.TitleText() + " (whole period)", period: PeriodCurrent, metrics: map[string]bool{}}
		err := isolate(func() error {
			for _, r := range t.Rows {
				e.row(r)
			}
			e.period = PeriodPrevious
			for _, r := range t.Previous {
				e.row(r)
			}
			sw.Flush()
			return sw.Error()
		})
		if err == nil {
			buf.Write(section.Bytes())
		}
	}
	tw := csv.NewWriter(&buf)
	writeTargetsCSV(tw, d)
	tw.Flush()
	return buf.Bytes(), problems
}

type csvEmitter struct {
	w       *csv.Writer
	d       *Digest
	s       *Section
	section string
	period  string // current or previous
	// metrics are the wire names that always get a line, zeros included;
	// other numeric fields only when they carry a value.
	metrics map[string]bool
	// sink, when set, takes each line as a Record (of period) instead of w
	// (records.go: the workbook's figures).
	sink func(Record)
}

func newCSVEmitter(d *Digest, s *Section) csvEmitter {
	e := csvEmitter{d: d, s: s, section: s.TitleText(), metrics: map[string]bool{}}
	for _, m := range s.spec().Metrics {
		if s.Group.IsDistribution() {
			e.metrics[m.DistributionWire()] = true
		} else {
			e.metrics[m.Wire] = true
		}
	}
	return e
}

func (e csvEmitter) emit(from, to, key, name, metric string, v float64) {
	if !plausibleValue(e.s.spec(), metric, v) {
		return // not a number, or implausible: left out (the PDF and mail note it)
	}
	if e.sink != nil {
		e.sink(Record{Period: e.period, From: from, To: to, Key: key, Name: name, Metric: metric, Value: v, Unit: recordUnit(e.s, metric)})
		return
	}
	_ = e.w.Write([]string{csvText(e.section), string(e.s.Report), string(e.s.Group), csvText(from), csvText(to),
		csvText(key), csvText(name), csvText(metric), strconv.FormatFloat(v, 'f', -1, 64), e.period})
}

// csvText neutralises a text cell a spreadsheet would run as a formula, the
// way OWASP recommends: a cell starting with =, +, -, @, tab or CR gets a
// leading apostrophe. Request-page URLs and names come from visitors and
// agents, so "=HYPERLINK(…)" must stay text. The value column is a number
// written by strconv and is never prefixed.
//
// Control characters (a NUL in an agent's name, say) become spaces, as in
// the PDF and the mail: spreadsheet apps stop reading at some of them.
// Unlike the layout's cleaning, nothing is cut: the CSV keeps every name
// and URL whole.
func csvText(s string) string {
	if s == "" {
		return s
	}
	s = strings.Map(func(r rune) rune { // copies s only if a rune changes
		if isControl(r) {
			return ' '
		}
		return r
	}, s)
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// groupOfIDField maps a row's id field to the name map that names it.
var groupOfIDField = map[string]reports.Group{
	"agentId": reports.GroupAgent, "departmentId": reports.GroupDepartment, "campaignId": reports.GroupCampaign,
	"visitorSegmentId": reports.GroupVisitorSegment, "autoInvitationId": reports.GroupAutoInvitation,
	"conversionActionId": reports.GroupConversionAction, "id": "cannedMessage",
}

func (e csvEmitter) row(r any) {
	switch x := r.(type) {
	case *reports.SurveyRow:
		for _, f := range x.Fields {
			for _, o := range f.Options {
				e.emit("", "", string(x.CampaignID), f.FieldName+" › "+answerText(o.Name), "count", o.Count)
			}
			for _, g := range f.Groups {
				for _, o := range g.Options {
					e.emit("", "", string(x.CampaignID), f.FieldName+" › "+g.Name+" › "+answerText(o.Name), "count", o.Count)
				}
			}
		}
		return
	case *reports.AgentStatusRow:
		name := e.d.Names.Name(reports.GroupAgent, x.AgentID)
		for _, c := range x.ChangeLogs {
			e.emit(e.wallInstant(c.Time), "", string(x.AgentID), name, "status:"+c.Status, 1)
		}
		return
	case *reports.Today:
		return // nested sections; the PDF shows them
	case *reports.QueueHistory:
		e.emitQueueHistory(x)
		return
	}
	v := reflect.ValueOf(r)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	var from, to, key, name string
	if b := reports.TimeOf(r); b != nil {
		from, to = e.slot(b.From), e.slot(b.To)
	}
	if g := e.s.Group; g.IsDimension() {
		// The entity the section is grouped by, not the first id the row
		// carries (auto invitations also name their campaign).
		if k := reports.KeyOf(r, g); k != "" {
			key, name = string(k), e.d.Names.Name(g, k)
		}
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		switch f := v.Field(i).Interface().(type) {
		case reports.ID:
			if f == "" || key != "" {
				continue
			}
			key = string(f)
			name = e.d.Names.Name(groupOfIDField[tag], f)
		case string:
			if key == "" && f != "" {
				key, name = f, f // request page URLs, statuses
			}
		case reports.RouteTo:
			key, name = string(f.ID), format.QueueLabel(e.d.Names, f)
		}
	}
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		switch f := v.Field(i).Interface().(type) {
		case float64:
			// A zero in a field the API leaves out for some groupings
			// (omitempty: chatTransfer's department rows have no
			// totalTransferredChats) was not returned; write only what was.
			if f != 0 || (e.metrics[tag] && !omitsEmpty(t.Field(i))) {
				e.emit(from, to, key, name, tag, f)
			}
		case *float64:
			if f != nil {
				e.emit(from, to, key, name, tag, *f)
			}
		case []reports.StatusTime:
			for _, st := range f {
				e.emit(from, to, key, name, "status:"+st.Status, st.Time)
			}
		case []reports.QueuedVisitor:
			e.emit(from, to, key, name, "waiting", float64(len(f)))
		}
	}
}

func omitsEmpty(f reflect.StructField) bool {
	_, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
	return strings.Contains(opts, "omitempty")
}

// slot writes a bucket bound: an instant in RFC 3339 with its offset for
// calendar buckets, as the API sent it for clock and weekday slots.
func (e csvEmitter) slot(s reports.Slot) string {
	if s.Kind == reports.SlotDateTime {
		return e.d.instant(s.DateTime).Format(time.RFC3339)
	}
	return s.String()
}

// wallInstant is a wall-clock time the API wrote in the query's offset, as
// an RFC 3339 instant; text it cannot read stays as it came.
func (e csvEmitter) wallInstant(text string) string {
	if s, err := reports.ParseSlot(text); err == nil && s.Kind == reports.SlotDateTime {
		return e.slot(s)
	}
	return text
}
