// Package gctune sets the garbage collector for rendering digests.
//
// A digest is short and allocates several times what it keeps: chart
// images, deflate buffers, the PDF. At the default GOGC=100 the collector
// runs nine times in a 20-agent digest; at 400 the digest process used a
// fifth less CPU. The soft memory limit, sized from the function's memory,
// keeps large digests inside the function: the collector works harder as
// the heap nears it.
package gctune

import (
	"runtime/debug"
	"strconv"
)

// Percent is GOGC for a process that renders digests.
const Percent = 400

// share is the part of the function's memory the heap may use; the rest
// is the binary, stacks and what the runtime has not yet returned.
const share = 0.6

// defaultMB is the memory assumed outside Lambda: a 256 MB function, the
// smallest a digest should run in (template.yaml gives it 512), so the
// CLI, and the figures `make bench` measures with it, behave as the
// tightest function would.
const defaultMB = 256

// Settings is what Apply chooses: a GOGC percentage and a soft memory
// limit in bytes; zero for either leaves the runtime's own.
type Settings struct {
	Percent int
	Limit   int64
}

// For returns the settings for an environment. GOGC or GOMEMLIMIT set
// explicitly win: then nothing changes. The limit is share of
// AWS_LAMBDA_FUNCTION_MEMORY_SIZE (MB), or of defaultMB outside Lambda.
func For(getenv func(string) string) Settings {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return Settings{}
	}
	mb := defaultMB
	if v, err := strconv.Atoi(getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")); err == nil && v >= 128 {
		mb = v
	}
	return Settings{Percent: Percent, Limit: int64(float64(mb) * share * (1 << 20))}
}

// Apply sets the runtime to s.
func Apply(s Settings) {
	if s.Limit > 0 {
		debug.SetMemoryLimit(s.Limit)
	}
	if s.Percent > 0 {
		debug.SetGCPercent(s.Percent)
	}
}
