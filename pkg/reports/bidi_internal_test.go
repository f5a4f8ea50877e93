package reports

import (
	"reflect"
	"testing"
)

// BenchmarkStripBidiWalk is the walk alone over 2,000 decoded rows: the
// price a response holding a bidi control (or a JSON \\u escape) pays.
func BenchmarkStripBidiWalk(b *testing.B) {
	rows := make([]AgentPerformanceRow, 2000)
	for i := range rows {
		rows[i] = AgentPerformanceRow{AgentID: "3f2504e0-4f89-11d3-9a0c-0305e82c3301", AvgChatTime: 300}
	}
	v := reflect.ValueOf(&rows)
	b.ReportAllocs()
	for b.Loop() {
		stripBidiIn(v)
	}
}
