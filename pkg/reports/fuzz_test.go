package reports

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzParseSlot(f *testing.F) {
	for _, s := range []string{"2017-12-01T00:00:00", "00:30", "24:00", "Sun. 00:00", "sat. 23:00", "2017-12-01T00:00", "", "Mon.", "99:99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slot, err := ParseSlot(s)
		if err != nil {
			return
		}
		// What parses must print and parse back to the same slot.
		again, err := ParseSlot(slot.String())
		if err != nil || again != slot {
			t.Fatalf("%q → %q → %+v, %v", s, slot.String(), again, err)
		}
	})
}

func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "samples", "*.json"))
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(filepath.Base(p[:len(p)-5]), b)
	}
	f.Add("chatVolume", []byte(`[{"time":{"from":"Sun. 24:00"},"chats":"x"}]`))
	f.Fuzz(func(t *testing.T, name string, body []byte) {
		spec, ok := Lookup(Name(name))
		if !ok {
			return
		}
		data, err := decode(spec, body)
		if err != nil {
			return
		}
		// Whatever decodes can be read generically without panicking.
		for _, r := range (Result{Spec: spec, Data: data}).Rows() {
			_ = TimeOf(r)
			for _, m := range spec.Metrics {
				_ = MetricValue(r, m, true)
			}
		}
	})
}
