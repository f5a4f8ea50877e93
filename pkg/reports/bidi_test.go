package reports_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"reportmailer/pkg/reports"
)

const bidiControls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"

// fillStrings sets every exported string reachable from v (growing nil
// slices and pointers by one element) to s.
func fillStrings(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Pointer:
		if v.Type() == reflect.TypeOf(&reports.Bucket{}) {
			return // a bucket is parsed, not text
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillStrings(v.Elem(), s)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillStrings(v.Field(i), s)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillStrings(v.Index(0), s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fillStrings(k, s)
		fillStrings(e, s)
		m.SetMapIndex(k, e)
		v.Set(m)
	}
}

// Every string of every report's rows loses its bidi controls on the way
// in, whether the body carries them as UTF-8 or as JSON escapes.
func TestDecodeStripsBidiControlsFromEveryString(t *testing.T) {
	for _, spec := range reports.All() {
		t.Run(string(spec.Name), func(t *testing.T) {
			row := reflect.New(spec.RowType())
			fillStrings(row.Elem(), "a\u202eb\u2067c\u200fd\u061ce")
			body, err := json.Marshal(row.Interface())
			if err != nil {
				t.Fatal(err)
			}
			if !spec.IsObject() {
				body = append(append([]byte("["), body...), ']')
			}
			// The same controls written as escapes.
			escaped := strings.NewReplacer("\u202e", `\u202E`, "\u2067", `\u2067`).Replace(string(body))
			for _, b := range []string{string(body), escaped} {
				data, err := reports.Decode(spec.Name, []byte(b))
				if spec.FromHistory() {
					// Never read from the wire: its strings come from our own store.
					if !errors.Is(err, reports.ErrFromHistory) {
						t.Errorf("Decode error %v, want ErrFromHistory", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got, _ := json.Marshal(data)
				var back any
				_ = json.Unmarshal(got, &back)
				if s := strings.Join(stringsIn(back), "|"); strings.ContainsAny(s, bidiControls) || strings.Contains(b, "a\u202eb") && !strings.Contains(s, "abcde") {
					t.Errorf("decoded strings %q", s)
				}
			}
		})
	}
}

func stringsIn(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, stringsIn(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for k, e := range v {
			out = append(append(out, k), stringsIn(e)...)
		}
		return out
	}
	return nil
}

func TestStripBidi(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "plain", "שלום (3)": "שלום (3)", "x\u202ey": "xy", "\u2066a\u2069": "a", "\u200e\u200f\u061c": "",
	} {
		if got := reports.StripBidi(in); got != want {
			t.Errorf("StripBidi(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkDecodeBidi decodes a 2,000-agent response whose body holds no
// bidi control (the fast path) and one whose body holds one (the walk).
func BenchmarkDecodeBidi(b *testing.B) {
	var rows []reports.AgentPerformanceRow
	for i := 0; i < 2000; i++ {
		rows = append(rows, reports.AgentPerformanceRow{AgentID: reports.ID("3f2504e0-4f89-11d3-9a0c-0305e82c" + strings.Repeat("0", 4)), AvgChatTime: 300, TotalChatTime: 9000})
	}
	plain, _ := json.Marshal(rows)
	marked := append([]byte(`[{"agentId":"x\u202e"},`), plain[1:]...)
	for _, bc := range []struct {
		name string
		body []byte
	}{{"plain", plain}, {"with-control", marked}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := reports.Decode("agentPerformance", bc.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
