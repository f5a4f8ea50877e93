//go:build !race

package preview

// slowdown stretches the browser test's time limits (see race_test.go).
const slowdown = 1
