package workbook_test

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"reportmailer/pkg/workbook"
)

// BenchmarkWorkbook builds the fixture digest's workbook (every report,
// both periods) for sites of 20 and 2,000 agents. Beside time and
// allocations it reports the workbook's size and the peak of live heap
// while building, above what the digest itself holds (sampled every
// millisecond): the figure that must fit a 256 MB Lambda beside the PDF
// and the mail.
func BenchmarkWorkbook(b *testing.B) {
	for _, agents := range []int{20, 2000} {
		b.Run(fmt.Sprintf("agents=%d", agents), func(b *testing.B) {
			d := siteDigest(b, agents)
			runtime.GC()
			base := liveHeap()
			peak, stop := watchHeap()
			b.ReportAllocs()
			b.ResetTimer()
			var data []byte
			for i := 0; i < b.N; i++ {
				var err error
				if data, err = workbook.Build(d); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			stop()
			b.ReportMetric(float64(len(data))/1024, "xlsx-KB")
			b.ReportMetric(float64(*peak-min(base, *peak))/(1<<20), "peak-heap-MB")
		})
	}
}

func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// watchHeap samples the live heap until stop, keeping its peak.
func watchHeap() (peak *uint64, stop func()) {
	peak = new(uint64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			*peak = max(*peak, liveHeap())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return peak, func() { close(done); wg.Wait() }
}
