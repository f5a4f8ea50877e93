package render

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"reportmailer/pkg/format"
	"reportmailer/pkg/render/figures"
	"reportmailer/pkg/reports"
)

// What reaches layout is cleaned first, on a copy (the caller's digest is
// never modified):
//
//   - Text: characters outside the Basic Multilingual Plane (emoji) become
//     a visible □ — gofpdf indexes a 16-bit glyph table and panics on them —
//     control characters become spaces, invalid UTF-8 becomes □, and any one
//     string is cut at maxTextRunes, so a 20 KB URL costs no more to lay out
//     than a short one.
//   - Numbers: a registry metric's value outside its plausible range
//     (reports.Metric.Plausible: a wait over a day, a rate over 100%, a
//     count over 10⁸) is set to zero and named in a note in its section —
//     metric, value as it would have read, and row — rather than drawn.
//     Other numeric fields (status times, snapshot figures) keep the
//     coarse rule: negatives and values above maxValue. NaN and ±Inf are
//     set to zero and counted everywhere.

// maxTextRunes caps any one string before layout. Table cells and chart
// labels are truncated far shorter; this bounds the work of measuring them.
const maxTextRunes = 300

// maxValue is the largest figure taken at face value in a field the
// registry gives no range: 10¹² chats or seconds (31,000 years) is no real
// week. Larger values are treated as corrupt.
const maxValue = figures.MaxValue

// replacement stands for a character the fonts cannot draw. U+25A1 WHITE
// SQUARE is in WGL4, hence in the Go fonts.
const replacement = '□'

// isControl reports C0 and C1 control characters and DEL.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 }

// cleanText makes s safe for gofpdf and the raster renderer.
func cleanText(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	n := 0
	for i, r := range s {
		if n == maxTextRunes-1 && utf8.RuneCountInString(s[i:]) > 1 {
			b.WriteRune('…')
			break
		}
		switch {
		case r == utf8.RuneError, r > 0xFFFF:
			r = replacement
		case isControl(r):
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// isPlain is the fast path: short printable ASCII needs no copy.
func isPlain(s string) bool {
	if len(s) > maxTextRunes {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// cleanDigest returns a copy of d whose strings are clean for layout. Rows
// are copied and checked by cleanRows, which also notes bad values.
func cleanDigest(d *Digest) *Digest {
	return cleanDigestWith(d, func(s Section) Section { return cleanSection(s, d) })
}

// cleanDigestWith is cleanDigest with each section cleaned by clean.
func cleanDigestWith(d *Digest, clean func(Section) Section) *Digest {
	c := *d
	c.ID, c.Title, c.Site = cleanText(d.ID), cleanText(d.Title), cleanText(d.Site)
	if d.Names != nil {
		c.Names = cleanCopy(reflect.ValueOf(d.Names)).Interface().(format.Names)
	}
	c.Sections = make([]Section, len(d.Sections))
	// Sections are cleaned side by side: each is a deep copy of its rows.
	// One that cannot be (a panic) is drawn as a failed section, as in
	// drawing, instead of taking the process down.
	var wg sync.WaitGroup
	for i, s := range d.Sections {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					c.Sections[i] = Section{Report: s.Report, Group: s.Group, Title: cleanText(s.Title), problem: "reading the rows: " + fmt.Sprint(r)}
				}
			}()
			c.Sections[i] = clean(s)
		})
	}
	wg.Wait()
	foldLocal(&c)
	computeWeights(&c)
	return &c
}

// cleanSection copies a section of d with its strings cleaned and its
// numbers checked against their metrics' plausible ranges (d names the
// rows in the note).
func cleanSection(s Section, d *Digest) Section {
	s.Title, s.Note = cleanText(s.Title), cleanText(s.Note)
	if s.Filter != nil {
		f := *s.Filter
		s.Filter = &f
	}
	if _, ok := reports.Lookup(s.Report); ok {
		bad := badValues{d: d, s: &s}
		s.Rows = cleanRows(s.spec(), s.Rows, &bad)
		bad.previous = true
		s.Previous = cleanRows(s.spec(), s.Previous, &bad)
		s.caveats = append(slices.Clip(s.caveats), bad.notes()...)
	}
	return s
}

// badValues counts the numbers a section's rows had that cannot be true,
// and names the registry metrics' values outside their plausible range.
type badValues struct {
	nan, negative, huge int
	implausible         []string
	// d, s and row say where a value sits, to name its row; previous is
	// set while the previous period's rows are checked.
	d        *Digest
	s        *Section
	row      any
	previous bool
}

// maxNamed bounds the implausible values a note names one by one.
const maxNamed = 5

func (b badValues) notes() []string {
	var notes []string
	if n := len(b.implausible); n > 0 {
		named := b.implausible[:min(n, maxNamed)]
		more := ""
		if n > maxNamed {
			more = fmt.Sprintf("; and %d more", n-maxNamed)
		}
		notes = append(notes, cleanText("Values from the API that are implausible are left out (counted as zero): "+strings.Join(named, "; ")+more+"."))
	}
	var parts []string
	if b.nan > 0 {
		parts = append(parts, fmt.Sprintf("%d not a number", b.nan))
	}
	if b.negative > 0 {
		parts = append(parts, fmt.Sprintf("%d negative", b.negative))
	}
	if b.huge > 0 {
		parts = append(parts, fmt.Sprintf("%d above 10¹²", b.huge))
	}
	if len(parts) > 0 {
		notes = append(notes, "Some values from the API could not be true and are counted as zero: "+strings.Join(parts, ", ")+".")
	}
	return notes
}

// check returns v, or 0 when v cannot be a real figure of the field wire.
func (b *badValues) check(v float64, spec *reports.Spec, wire string) float64 {
	m, isMetric := metricOf(spec, wire)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		b.nan++
	case isMetric && !m.Plausible().Contains(v):
		b.implausible = append(b.implausible, b.describe(m, v))
	case isMetric:
		return v
	case v < 0:
		b.negative++
	case math.Abs(v) > maxValue:
		b.huge++
	default:
		return v
	}
	return 0
}

// describe names an implausible value: "Avg wait 9,798,157h (2026-11-17 – 2026-11-18)".
func (b *badValues) describe(m reports.Metric, v float64) string {
	var val string
	if b.d != nil {
		val = b.d.value(v, m.Unit)
	} else {
		val = format.Value(v, m.Unit)
	}
	where := "a row"
	if b.d != nil && b.s != nil && b.row != nil {
		where = rowLabel(b.d, b.s, b.row)
	}
	if b.previous {
		where += ", previous period"
	}
	return fmt.Sprintf("%s %s (%s)", m.Label, val, format.Truncate(where, 60))
}

// plausibleValue reports whether v may be taken as the field wire of a
// spec's row: the CSV leaves out what the drawing does.
func plausibleValue(spec *reports.Spec, wire string, v float64) bool {
	var b badValues
	return b.check(v, spec, wire) == v && b.nan+b.negative+b.huge+len(b.implausible) == 0
}

// cleanRows deep-copies rows, cleaning strings and checking numbers.
func cleanRows(spec *reports.Spec, rows []any, bad *badValues) []any {
	if rows == nil {
		return nil
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		if r == nil {
			continue
		}
		if bad != nil {
			bad.row = r
		}
		out[i] = cleanValue(reflect.ValueOf(r), spec, "", bad).Interface()
	}
	return out
}

func cleanCopy(v reflect.Value) reflect.Value { return cleanValue(v, nil, "", nil) }

// cleanValue copies v, cleaning every string and (when bad is set) checking
// every float against the unit of the field it sits in. Map keys are kept
// as they are: they are ids, looked up, never drawn.
func cleanValue(v reflect.Value, spec *reports.Spec, wire string, bad *badValues) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		c := reflect.New(v.Type()).Elem()
		c.SetString(cleanText(v.String()))
		return c
	case reflect.Float64:
		if bad == nil {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.SetFloat(bad.check(v.Float(), spec, wire))
		return c
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(cleanValue(v.Elem(), spec, wire, bad))
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(cleanValue(v.Elem(), spec, wire, bad))
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v) // unexported fields (time.Time's) come along as they are
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if !c.Field(i).CanSet() {
				continue
			}
			tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			c.Field(i).Set(cleanValue(v.Field(i), spec, tag, bad))
		}
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			c.Index(i).Set(cleanValue(v.Index(i), spec, wire, bad))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), cleanValue(it.Value(), spec, wire, bad))
		}
		return c
	}
	return v
}
