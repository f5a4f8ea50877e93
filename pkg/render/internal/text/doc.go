// Package text draws render's text in every script: the fonts (the Go
// fonts and the embedded fallbacks in fonts/, chosen rune by rune), the
// shaping and right-to-left order (Visual), the chart raster renderer
// (Provider, a go-chart renderer that paints with those faces) and the
// PDF's text calls (PDF, a gofpdf document that draws each run in its
// font). It knows nothing of digests.
package text
