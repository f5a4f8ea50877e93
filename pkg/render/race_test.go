//go:build race

package render_test

func init() { raceEnabled = true }
