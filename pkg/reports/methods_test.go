package reports_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"reportmailer/pkg/reports"
)

// TestEveryReportHasAMethod keeps the typed API (methods.go) in step with
// the registry: each report has a method of its name that returns its
// row type, and there is no method for a report the registry lacks.
// Reports served from our own history (queueHistory) are not the API's
// and have none.
func TestEveryReportHasAMethod(t *testing.T) {
	client := reflect.TypeOf(&reports.Client{})
	ctx, query, errT := reflect.TypeOf((*context.Context)(nil)).Elem(), reflect.TypeOf(reports.Query{}), reflect.TypeOf((*error)(nil)).Elem()
	typed := map[string]bool{}
	for i := 0; i < client.NumMethod(); i++ {
		m := client.Method(i).Type
		if m.NumIn() == 3 && m.In(1) == ctx && m.In(2) == query && m.NumOut() == 2 && m.Out(1) == errT {
			typed[client.Method(i).Name] = true
		}
	}
	for _, s := range reports.All() {
		if s.FromHistory() {
			continue
		}
		name := strings.ToUpper(string(s.Name[:1])) + string(s.Name[1:])
		m, ok := client.MethodByName(name)
		if !ok {
			t.Errorf("report %s has no typed method %s", s.Name, name)
			continue
		}
		delete(typed, name)
		want := reflect.SliceOf(s.RowType())
		if s.IsObject() {
			want = reflect.PointerTo(s.RowType())
		}
		if got := m.Type.Out(0); got != want && got != s.RowType() {
			t.Errorf("%s returns %s, want %s", name, got, want)
		}
	}
	for name := range typed {
		t.Errorf("typed method %s has no report in the registry", name)
	}
}
