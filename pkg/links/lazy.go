package links

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
)

// Lazy is a handler built on first use. While building fails (the signing
// key's secret missing or unreadable, the table not there yet), each
// request tries again and is answered 503 with Retry-After; the first
// success is kept for the life of the container. Built once at cold start
// only, a transient failure would answer 503 until Lambda recycled the
// container.
type Lazy struct {
	// Load builds the handler; it is called under the request's context.
	Load   func(ctx context.Context) (http.Handler, error)
	Logger *slog.Logger

	mu sync.Mutex
	h  http.Handler
}

// Ready builds the handler if it is not built yet and says why not.
func (l *Lazy) Ready(ctx context.Context) (http.Handler, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.h != nil {
		return l.h, nil
	}
	h, err := l.Load(ctx)
	if err != nil {
		return nil, err
	}
	l.h = h
	return h, nil
}

// ServeHTTP implements http.Handler.
func (l *Lazy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, err := l.Ready(r.Context())
	if err != nil {
		if l.Logger != nil {
			l.Logger.Error("links not ready; answered 503, the next request tries again", "error", err.Error())
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("Service unavailable; please try again later.\n"))
		return
	}
	h.ServeHTTP(w, r)
}
