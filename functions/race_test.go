//go:build race

package functions_test

// The host bootstraps are built with -race like the tests: the functions are
// checked for data races, and their packages come from the test's build cache.
func init() { raceEnabled = true }
