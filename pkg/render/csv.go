package render

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strconv"
	"strings"

	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"
)

// CSV writes every section's data as one tidy table, a line per value:
//
//	section, report, group, from, to, key, name, metric, value
//
// "from"/"to" are the bucket's bounds as local wall-clock time in the
// digest's timezone (as the API sends them in a period without a DST
// change; a period with one is fetched per offset, see foldLocal, and its
// buckets read in local time too), "key" the entity id (agent, department, page…) and
// "name" its display name. Long format pivots in any spreadsheet, and no
// table is ever cut off, whatever the PDF page size.
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
	_ = w.Write([]string{"section", "report", "group", "from", "to", "key", "name", "metric", "value"})
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
			e.w = sw
			for _, r := range s.Rows {
				e.row(r)
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
	// metrics are the wire names that always get a line, zeros included;
	// other numeric fields only when they carry a value.
	metrics map[string]bool
	// sink, when set, takes each line as a Record (of period) instead of w
	// (records.go: the workbook's figures).
	sink   func(Record)
	period string
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
		csvText(key), csvText(name), csvText(metric), strconv.FormatFloat(v, 'f', -1, 64)})
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
				e.emit("", "", string(x.CampaignID), f.FieldName+" › "+o.Name, "count", o.Count)
			}
			for _, g := range f.Groups {
				for _, o := range g.Options {
					e.emit("", "", string(x.CampaignID), f.FieldName+" › "+g.Name+" › "+o.Name, "count", o.Count)
				}
			}
		}
		return
	case *reports.AgentStatusRow:
		name := e.d.Names.Name(reports.GroupAgent, x.AgentID)
		for _, c := range x.ChangeLogs {
			e.emit(c.Time, "", string(x.AgentID), name, "status:"+c.Status, 1)
		}
		return
	case *reports.Today:
		return // nested sections; the PDF shows them
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
		from, to = e.d.wallClock(b.From), e.d.wallClock(b.To)
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
			if f != 0 || e.metrics[tag] {
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

// wallClock reads a bucket bound as local wall-clock time in the period's
// timezone; clock and weekday slots are wall-clock readings already.
func (d *Digest) wallClock(s reports.Slot) string {
	if s.Kind != reports.SlotDateTime || d.Period.Location == nil {
		return s.String()
	}
	return d.instant(s.DateTime).Format(reports.DateTimeLayout)
}
