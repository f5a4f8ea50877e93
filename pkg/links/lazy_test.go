package links_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"reportmailer/pkg/links"
)

// A handler that could not be built is tried again on the next request,
// and kept once built.
func TestLazyRetriesUntilBuilt(t *testing.T) {
	loads, fail := 0, true
	l := &links.Lazy{Load: func(context.Context) (http.Handler, error) {
		loads++
		if fail {
			return nil, errors.New("secret not found")
		}
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }), nil
	}}
	serve := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		l.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/u?t=x", nil))
		return rec
	}
	for i := 0; i < 2; i++ {
		if rec := serve(); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("while failing: %d %v", rec.Code, rec.Header())
		}
	}
	fail = false
	for i := 0; i < 3; i++ {
		if rec := serve(); rec.Code != http.StatusNoContent {
			t.Fatalf("after recovery: %d", rec.Code)
		}
	}
	if loads != 3 {
		t.Errorf("%d loads, want 3 (two failures, then one success kept)", loads)
	}
}
