//go:build race

package caniemail

// The CLI is built with -race like this test, so that its packages come from
// the test's build cache instead of being compiled again.
func init() { raceEnabled = true }
