package reports

import (
	"bytes"
	"reflect"
	"strings"
	"sync"
)

// Text from the API is partly typed by visitors (the title of the page
// they chat from, survey answers) and is laid out in text, HTML, PDF, CSV
// and alert mail. A bidirectional control in it reverses or reorders the
// rest of the reader's line: "https://www.example.com/pay?x=‮0 cod.evil//:sptth"
// shows a link that is not there. Every string is cleaned once, here, as
// it is decoded, so no output has to remember to.

// IsBidiControl reports the characters that change the direction of the
// text around them: the embeddings and overrides (U+202A–202E), the
// isolates (U+2066–2069) and the marks (LRM, RLM, ALM), which reorder
// neutral characters such as brackets and digits next to them. Removing
// them leaves right-to-left text readable: each run still takes its
// direction from its own letters.
func IsBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

// StripBidi returns s without its bidirectional controls.
func StripBidi(s string) string {
	if strings.IndexFunc(s, IsBidiControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if IsBidiControl(r) {
			return -1
		}
		return r
	}, s)
}

// mayHoldBidi is decode's fast path: a body holds a bidi control only
// as UTF-8 (E2 80 8E/8F/AA–AE, E2 81 A6–A9, D8 9C) or as a JSON \u escape.
func mayHoldBidi(body []byte) bool {
	return bytes.Contains(body, []byte("\xe2\x80")) || bytes.Contains(body, []byte("\xe2\x81")) ||
		bytes.Contains(body, []byte("\xd8\x9c")) || bytes.Contains(body, []byte(`\u`))
}

// stripBidiIn removes bidi controls from every string reachable from v, in
// place (v is freshly decoded: nothing else holds it).
func stripBidiIn(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); v.CanSet() {
			v.SetString(StripBidi(s))
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			stripBidiIn(v.Elem())
		}
	case reflect.Struct:
		for _, i := range textFields(v.Type()) {
			stripBidiIn(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		if !mayHoldText(v.Type().Elem(), nil) {
			return
		}
		for i := 0; i < v.Len(); i++ {
			stripBidiIn(v.Index(i))
		}
	case reflect.Map:
		// Keys are rewritten too: an id is text the reader may see.
		type entry struct{ k, e reflect.Value }
		var all []entry
		for it := v.MapRange(); it.Next(); {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			k.Set(it.Key())
			e.Set(it.Value())
			stripBidiIn(k)
			stripBidiIn(e)
			all = append(all, entry{k, e})
		}
		v.Clear()
		for _, x := range all {
			v.SetMapIndex(x.k, x.e)
		}
	}
}

// textFieldsOf caches, per struct type, the exported fields that can hold
// a string: a row's numbers are never visited.
var textFieldsOf sync.Map // reflect.Type → []int

func textFields(t reflect.Type) []int {
	if f, ok := textFieldsOf.Load(t); ok {
		return f.([]int)
	}
	var out []int
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() && mayHoldText(f.Type, nil) {
			out = append(out, i)
		}
	}
	textFieldsOf.Store(t, out)
	return out
}

// mayHoldText reports whether a value of type t can reach a string.
func mayHoldText(t reflect.Type, seen map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.String, reflect.Interface, reflect.Map:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return mayHoldText(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] {
			return false // a cycle adds nothing new
		}
		if seen == nil {
			seen = map[reflect.Type]bool{}
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && mayHoldText(f.Type, seen) {
				return true
			}
		}
	}
	return false
}
