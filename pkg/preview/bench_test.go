package preview

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// BenchmarkReload measures a re-render after a save of the example config
// with its weekly digest open: load and validate the config, then render
// the digest (PDF, HTML with its charts, text) from the session's cached
// report answers. Each iteration saves a new title first, so nothing is
// reused. Run with -cpu 1 for the one-core figure.
func BenchmarkReload(b *testing.B) {
	path := copyConfig(b)
	original, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	s, _ := newServer(b, path, nil)
	s.View("weekly-managers")
	ctx := context.Background()
	s.Reload(ctx) // fetches the reports once, as the preview's first render does
	if err := s.Err(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		b.StopTimer()
		edited := strings.Replace(string(original), "title: Weekly chat digest", fmt.Sprintf("title: Weekly chat digest %d", i), 1)
		if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		s.Reload(ctx)
	}
	if st := s.current(); st.renders["weekly-managers"].res.Digest.Title != fmt.Sprintf("Weekly chat digest %d", i) {
		b.Fatal("the last save was not rendered")
	}
}
