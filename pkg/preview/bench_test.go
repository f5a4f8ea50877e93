package preview

import (
	"context"
	"testing"
)

// BenchmarkReload measures a re-render after a save of the example config
// with its weekly digest open: load and validate the config, then render
// the digest (PDF, HTML with its charts, text) from the session's cached
// report answers. Run with -cpu 1 for the one-core figure.
func BenchmarkReload(b *testing.B) {
	s, _ := newServer(b, copyConfig(b), nil)
	s.View("weekly-managers")
	ctx := context.Background()
	s.Reload(ctx) // fetches the reports once, as the preview's first render does
	if err := s.Err(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Reload(ctx)
	}
}
