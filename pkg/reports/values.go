package reports

import (
	"reflect"
	"strings"
	"sync"
)

// Generic access to rows by wire name, so the renderer can chart any
// report from the registry's metric list without a switch per report.

type fieldIndex struct {
	numbers map[string]int // json name → float64 field index
	ids     map[string]int // json name → ID field index
	time    int            // index of the *Bucket field, or -1
}

var fieldCache sync.Map // reflect.Type → *fieldIndex

func indexOf(t reflect.Type) *fieldIndex {
	if v, ok := fieldCache.Load(t); ok {
		return v.(*fieldIndex)
	}
	fi := &fieldIndex{numbers: map[string]int{}, ids: map[string]int{}, time: -1}
	bucketPtr := reflect.TypeOf((*Bucket)(nil))
	idType := reflect.TypeOf(ID(""))
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Type.Kind() == reflect.Float64:
			fi.numbers[name] = i
		case f.Type == idType:
			fi.ids[name] = i
		case f.Type == bucketPtr:
			fi.time = i
		}
	}
	fieldCache.Store(t, fi)
	return fi
}

func structOf(row any) (reflect.Value, bool) {
	v := reflect.ValueOf(row)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	return v, v.Kind() == reflect.Struct
}

// Value returns a row's number by its wire name.
func Value(row any, wire string) (float64, bool) {
	v, ok := structOf(row)
	if !ok {
		return 0, false
	}
	i, ok := indexOf(v.Type()).numbers[wire]
	if !ok {
		return 0, false
	}
	return v.Field(i).Float(), true
}

// MetricValue returns the metric's value from a row, reading the
// distribution spelling when dist is true.
func MetricValue(row any, m Metric, dist bool) float64 {
	wire := m.Wire
	if dist {
		wire = m.DistributionWire()
	}
	f, _ := Value(row, wire)
	return f
}

// TimeOf returns a row's time bucket, or nil.
func TimeOf(row any) *Bucket {
	v, ok := structOf(row)
	if !ok {
		return nil
	}
	fi := indexOf(v.Type())
	if fi.time < 0 {
		return nil
	}
	b, _ := v.Field(fi.time).Interface().(*Bucket)
	return b
}

// DimensionField is the id field a dimension group fills in rows.
func DimensionField(g Group) string {
	return string(g) + "Id"
}

// KeyOf returns the id a dimension group fills in a row, e.g. agentId for group=agent.
func KeyOf(row any, g Group) ID {
	v, ok := structOf(row)
	if !ok {
		return ""
	}
	i, ok := indexOf(v.Type()).ids[DimensionField(g)]
	if !ok {
		return ""
	}
	return ID(v.Field(i).String())
}

// Rows turns a decoded slice (e.g. []ChatVolumeRow) into a []any of
// pointers to its elements, for generic rendering.
func Rows(slice any) []any {
	v := reflect.ValueOf(slice)
	if v.Kind() != reflect.Slice {
		return nil
	}
	out := make([]any, v.Len())
	for i := range out {
		out[i] = v.Index(i).Addr().Interface()
	}
	return out
}
