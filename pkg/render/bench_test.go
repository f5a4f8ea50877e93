package render_test

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"reportmailer/pkg/render"
)

// BenchmarkDigest renders a full weekly digest with every report (hourly
// volume over 7 days, 20 agents, all surveys): PDF, HTML, text and PNGs.
// Run with -cpu 1 for the one-core figure. It reports the PDF size and the
// process's peak RSS (VmHWM) as extra metrics.
func BenchmarkDigest(b *testing.B) {
	d := fixtureDigest(b)
	b.ReportAllocs()
	b.ResetTimer()
	var out *render.Output
	for i := 0; i < b.N; i++ {
		var err error
		if out, err = render.Render(d, render.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(out.PDF))/1024, "PDF-KB")
	b.ReportMetric(float64(len(out.HTML))/1024, "HTML-KB")
	if rss := peakRSSMB(); rss > 0 {
		b.ReportMetric(rss, "peak-RSS-MB")
	}
}

// BenchmarkDigestPDF renders only what the PDF needs (vector charts).
func BenchmarkDigestPDF(b *testing.B) {
	d := fixtureDigest(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := render.RenderPDF(d); err != nil {
			b.Fatal(err)
		}
	}
}

func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
