//go:build race

package deploytest

// The CLI the README test runs is built with -race like this test, so its
// packages come from the test's build cache instead of a second compile.
func init() { raceEnabled = true }
