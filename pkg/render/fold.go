package render

import (
	"reflect"
	"slices"
	"strings"
	"time"

	"reportmailer/pkg/render/figures"
	"reportmailer/pkg/reports"
)

// foldLocal folds the buckets of one local day (or week, or month) into
// one row: counts add, maxima take the larger, averages are weighted like
// any roll-up (figures.Period). Two cases make such buckets:
//
//   - A period with a DST change inside it is fetched per constant-offset
//     stretch (digest's plan, period.Stretches), so the day of the change
//     comes as two buckets, one from each side of the change; the rows of
//     all stretches arrive re-expressed in the model's one Offset.
//   - Rows fetched in one fixed offset over a change (as before stretches,
//     and as a caller of render may still do): the period ends an hour
//     after the last local midnight in that offset, and group=day answers
//     an eighth, one-hour bucket ("Mon 26 00:00–01:00").
//
// Either way the week then shows seven daily points that sum to the
// weekly total. Every section is folded from the unfolded rows of the
// others, so a weight taken from another section (Chat volume's chats for
// Wait time) lines up bucket by bucket.
func foldLocal(d *Digest) {
	type folded struct{ rows, previous []any }
	out := make([]*folded, len(d.Sections))
	secs := figureSections(d)
	for i := range d.Sections {
		s := &d.Sections[i]
		if s.Note != "" || (s.Group != reports.GroupDay && s.Group != reports.GroupWeek && s.Group != reports.GroupMonth) {
			continue
		}
		spec, ok := reports.Lookup(s.Report)
		if !ok {
			continue
		}
		out[i] = &folded{foldRows(d, secs, i, spec, s.Rows, false), foldRows(d, secs, i, spec, s.Previous, true)}
	}
	for i, f := range out {
		if f != nil {
			d.Sections[i].Rows, d.Sections[i].Previous = f.rows, f.previous
		}
	}
}

// foldedCopy is d with its sections folded (foldLocal), d left as it is.
func foldedCopy(d *Digest) *Digest {
	c := *d
	c.Sections = slices.Clone(d.Sections)
	foldLocal(&c)
	return &c
}

// localKey is the local calendar day, week or month an instant falls in.
func localKey(d *Digest, g reports.Group, at time.Time) string {
	t := at.In(d.Period.Location)
	switch g {
	case reports.GroupWeek:
		start := d.Period.Start.In(d.Period.Location).Weekday()
		back := (int(t.Weekday()) - int(start) + 7) % 7
		return t.AddDate(0, 0, -back).Format("2006-01-02")
	case reports.GroupMonth:
		return t.Format("2006-01")
	}
	return t.Format("2006-01-02")
}

// foldRows folds rows of section i (secs is what figures reads of d's
// sections, for weights).
func foldRows(d *Digest, secs []figures.Section, i int, spec *reports.Spec, rows []any, previous bool) []any {
	s := &d.Sections[i]
	groups := map[string][]any{}
	var order []string
	for _, r := range rows {
		b := reports.TimeOf(r)
		if b == nil || b.From.Kind != reports.SlotDateTime {
			return rows // another shape: checkShape deals with it
		}
		k := localKey(d, s.Group, d.instant(b.From.DateTime))
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	if len(order) == len(rows) {
		return rows
	}
	out := make([]any, 0, len(order))
	for _, k := range order {
		out = append(out, mergeRows(secs, i, spec, groups[k], previous))
	}
	return out
}

// mergeRows combines rows of one local bucket into one row of the same type.
func mergeRows(secs []figures.Section, s int, spec *reports.Spec, rows []any, previous bool) any {
	if len(rows) == 1 {
		return rows[0]
	}
	first := reflect.ValueOf(rows[0]).Elem()
	merged := reflect.New(first.Type())
	merged.Elem().Set(first)
	out := merged.Elem()
	t := first.Type()
	// Weights of averages for these rows, computed as the roll-up would.
	weights := map[string]figures.Weights{}
	for _, m := range spec.Metrics {
		if m.Weight != nil && m.IsAverage() {
			weights[m.Wire], _ = figures.RowWeights(secs, s, m, rows, previous, false)
		}
	}
	for i := 0; i < t.NumField(); i++ {
		f := out.Field(i)
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		switch f.Kind() {
		case reflect.Float64:
			m, ok := spec.MetricByWire(tag)
			if !ok {
				m = reports.Metric{Wire: tag}
			}
			f.SetFloat(figures.Rollup(rows, m, false, weights[m.Wire]))
		case reflect.Pointer:
			if b, ok := f.Interface().(*reports.Bucket); ok && b != nil {
				last := reports.TimeOf(rows[len(rows)-1])
				f.Set(reflect.ValueOf(&reports.Bucket{From: b.From, To: last.To}))
			}
		}
	}
	return merged.Interface()
}
