//go:build race

package preview

// slowdown stretches the browser test's time limits under the race
// detector, which makes rendering several times slower.
const slowdown = 10
