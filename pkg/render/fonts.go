package render

import (
	"sync"

	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// The Go fonts (BSD licence, shipped in golang.org/x/image; see its
// LICENSE) cover Latin, Greek and Cyrillic (WGL4), so agent names such as
// "Zoë Brontë", "Αλέξης" and "Дмитрий" render in the PDF and the PNGs.
// gofpdf's core fonts could not: they are Latin-1 only.

const fontFamily = "Go"

var (
	fontOnce sync.Once
	ttf      *truetype.Font
	ttfBold  *truetype.Font
)

// chartFonts parses the TTFs once per process, not once per chart.
func chartFonts() (*truetype.Font, *truetype.Font) {
	fontOnce.Do(func() {
		var err error
		if ttf, err = truetype.Parse(goregular.TTF); err != nil {
			panic("render: parsing Go Regular: " + err.Error())
		}
		if ttfBold, err = truetype.Parse(gobold.TTF); err != nil {
			panic("render: parsing Go Bold: " + err.Error())
		}
	})
	return ttf, ttfBold
}
