package workbook

import (
	"math"
	"time"

	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// table is a section's records laid out wide: a row per row of the
// report (a bucket, an agent, a status change…), a column per field.
// This period's rows come first, then the previous period's.
type table struct {
	fields []field
	rows   []row
	// current counts this period's rows (the first ones).
	current int
	// Which leading columns carry anything.
	hasTime, hasKey, hasName bool
}

// field is a metric column.
type field struct {
	wire, label string
	unit        reports.Unit
}

// row is one row of the sheet; vals are by field, NaN where the row has
// no figure for the field (records never carry NaN: the CSV leaves it out).
type row struct {
	period, from, to, key, name string
	vals                        []float64
}

// layOut pivots section i's records as they come, never holding them
// all. Records of one report row come one after the other, so a row is a
// run of records with the same period, bucket, key and name; a field seen
// twice in a run starts the next row (two status changes of one agent at
// the same instant, say).
func layOut(d *render.Digest, i int) (*table, error) {
	s := &d.Sections[i]
	t := &table{}
	col := map[string]int{}
	var cur *row
	err := d.EachRecord(i, func(r render.Record) {
		c, ok := col[r.Metric]
		if !ok {
			c = len(t.fields)
			col[r.Metric] = c
			t.fields = append(t.fields, field{wire: r.Metric, label: s.FieldLabel(r.Metric), unit: r.Unit})
		}
		if cur == nil || cur.period != r.Period || cur.from != r.From || cur.to != r.To || cur.key != r.Key || cur.name != r.Name ||
			c < len(cur.vals) && !math.IsNaN(cur.vals[c]) {
			t.rows = append(t.rows, row{period: r.Period, from: r.From, to: r.To, key: r.Key, name: r.Name})
			cur = &t.rows[len(t.rows)-1]
			if r.Period == render.PeriodCurrent {
				t.current++
			}
			t.hasTime = t.hasTime || r.From != "" || r.To != ""
			t.hasKey = t.hasKey || r.Key != "" && r.Key != r.Name
			t.hasName = t.hasName || r.Name != ""
		}
		for len(cur.vals) <= c {
			cur.vals = append(cur.vals, math.NaN())
		}
		cur.vals[c] = r.Value
	})
	if err != nil {
		return nil, err
	}
	uniqueLabels(t.fields)
	return t, nil
}

// uniqueLabels keeps headers apart: autofilters and readers need them
// distinct. A label used twice gets its wire name.
func uniqueLabels(fs []field) {
	seen := map[string]int{}
	for _, f := range fs {
		seen[f.label]++
	}
	for i := range fs {
		if seen[fs[i].label] > 1 {
			fs[i].label += " (" + fs[i].wire + ")"
		}
	}
}

// clock reads the bucket bounds the CSV writes as instants in the
// digest's timezone: RFC 3339, or the API's wall-clock time in the
// query's offset. Distribution slots ("Mon. 09:00") are no instant.
type clock struct {
	loc    *time.Location
	offset time.Duration
}

func (c clock) instant(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(c.loc), true
	}
	slot, err := reports.ParseSlot(s)
	if err != nil || slot.Kind != reports.SlotDateTime {
		return time.Time{}, false
	}
	return slot.DateTime.Add(-c.offset).In(c.loc), true
}

// excelEpoch is day 0 of Excel's 1900 date system as it counts after
// February 1900 (its phantom 29 February included).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// serial is t's wall-clock reading in its location as an Excel date:
// Excel has no timezones, so a cell shows the local time the digest reads in.
func serial(t time.Time) float64 {
	// Whole days and the time of day apart: one float64 division of the
	// nanoseconds since 1899 would land a hair before 01:00, which
	// LibreOffice shows as 00:59.
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	days := math.Round(day.Sub(excelEpoch).Hours() / 24)
	ofDay := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second +
		time.Duration(t.Nanosecond())
	return days + ofDay.Seconds()/secondsPerDay
}
