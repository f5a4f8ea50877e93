package render_test

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"reportmailer/pkg/render"
)

// BenchmarkDigest renders a full weekly digest with every report (hourly
// volume over 7 days, all surveys): PDF, HTML, text and PNGs, for sites of
// 20, 200 and 2,000 agents. Run with -cpu 1 for the one-core figure. It
// reports the PDF size, the PNGs' total and the mail's size as MIME would
// carry it (base64 of PDF + PNGs, plus HTML and text), and the process's
// peak RSS (VmHWM, a high-water mark over everything the process ran
// before: `make bench` measures a child process per size instead).
func BenchmarkDigest(b *testing.B) {
	for _, agents := range []int{20, 200, 2000} {
		b.Run(fmt.Sprintf("agents=%d", agents), func(b *testing.B) {
			d := siteDigest(b, agents)
			b.ReportAllocs()
			runtime.GC()
			b.ResetTimer()
			cpu0 := cpuTime()
			var out *render.Output
			for i := 0; i < b.N; i++ {
				var err error
				if out, err = render.Render(d, render.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			// CPU time per render is the figure that matters on a Lambda's
			// fraction of a core, and the one that stays steady on a busy machine.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
			reportSizes(b, out)
		})
	}
}

func reportSizes(b *testing.B, out *render.Output) {
	var pngs int
	for _, img := range out.Images {
		pngs += len(img.PNG)
	}
	mail := (len(out.PDF)+pngs)*4/3 + len(out.HTML) + len(out.Text)
	b.ReportMetric(float64(len(out.PDF))/1024, "PDF-KB")
	b.ReportMetric(float64(pngs)/1024, "PNG-KB")
	b.ReportMetric(float64(mail)/(1<<20), "mail-MB")
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
		if _, err := render.PDFOnly(d); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
