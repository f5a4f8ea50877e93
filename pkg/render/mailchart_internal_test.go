package render

import (
	"bytes"
	"image/png"
	"io"
	"testing"
	"time"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"

	pngenc "reportmailer/pkg/render/internal/png"
	"reportmailer/pkg/render/internal/text"
)

// fontSpy records the smallest font size a figure draws text at
// (measuring text at other sizes does not count).
type fontSpy struct {
	chart.Renderer
	size, min *float64
}

func (s fontSpy) SetFontSize(size float64) {
	*s.size = size
	s.Renderer.SetFontSize(size)
}

func (s fontSpy) Text(body string, x, y int) {
	if body != "" && *s.size < *s.min {
		*s.min = *s.size
	}
	s.Renderer.Text(body, x, y)
}

// mailFigures are one figure of each kind, as the mail draws them.
func mailFigures(lo layout) map[string]*Figure {
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	var times []time.Time
	var values []float64
	var ticks []time.Time
	for i := 0; i < 7*24; i++ {
		times, values = append(times, start.Add(time.Duration(i)*time.Hour)), append(values, float64(i%24))
		if i%24 == 0 {
			ticks = append(ticks, times[i])
		}
	}
	bars := []hbar{{label: "A rather long agent name", segments: []float64{30, 5}, colors: []drawing.Color{colPrimary, colSecond}, value: "1h 02m"},
		{label: "Bo", segments: []float64{10, 1}, colors: []drawing.Color{colPrimary, colSecond}, value: "12m"}}
	var grid [7][24]float64
	grid[2][14] = 5
	cols := []column{{segments: []float64{3}, label: "00:00"}, {segments: []float64{5}}, {segments: []float64{4}, label: "12:00"}, {segments: []float64{1}}}
	count := func(v float64) string { return "12.3" }
	return map[string]*Figure{
		"line": lineFigure([]line{{name: "Chats (previous)", times: times, values: values, faint: true}, {name: "Chats", times: times, values: values, color: colPrimary}},
			start, start.AddDate(0, 0, 7), ticks, "Mon 2", time.UTC, count, "alt", lo),
		"bars":     hbarsFigure(bars, []string{"Online", "Away"}, []drawing.Color{colPrimary, colSecond}, "alt", lo),
		"columns":  columnsFigure(cols, []drawing.Color{colPrimary}, []string{"Chats (average)"}, count, "alt", lo),
		"heatmap":  heatmapFigure(grid, count, "on average", "alt", lo),
		"timeline": timelineFigure([]lane{{label: "Agent", segments: []laneSegment{{0, 0.5, "Online"}}}}, []string{"Mon", "Tue"}, "alt", lo),
		"survey":   surveyFigure([]surveyBlock{{question: "How was it?", answers: []entry{{label: "Good", value: 3}}, total: 3}}, "alt", lo),
	}
}

// TestMailChartTextOnPhones: on a 375 px phone, where the mail shows a
// chart phoneChartWidth CSS px wide (internal/mailfit measures that in
// Chromium), the smallest text of every kind of mail chart — axis labels,
// legends, values — is at least 9 CSS px: the font size it is drawn at
// (recorded while drawing) times the width shown over the card's width.
// At the old layout (1,200 px images of 600 px shown on the phone) it was
// about 4.7 px. Each PNG also comes out as wide as that geometry says.
func TestMailChartTextOnPhones(t *testing.T) {
	for name, f := range mailFigures(mailLayout(2)) {
		t.Run(name, func(t *testing.T) {
			small, size := 1e9, 0.0
			spy := func(w, h int) (chart.Renderer, error) {
				r, err := text.Provider(w, h)
				return fontSpy{r, &size, &small}, err
			}
			var c rgbaCollector
			if err := f.fig.Render(spy, &c); err != nil {
				t.Fatal(err)
			}
			text.ReleaseRGBA(c.img)
			cardW := float64(f.Width) + 2*cardPad
			css := small * phoneChartWidth / cardW
			t.Logf("smallest text %.1f px in a %g px card: %.1f CSS px on a 375 px phone", small, cardW, css)
			if css < 9 {
				t.Errorf("smallest text is %.1f CSS px on a 375 px phone, want ≥ 9", css)
			}
			var buf bytes.Buffer
			if err := renderPNG(f, &buf); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := img.Bounds().Dx(), int(cardW*2); got != want {
				t.Errorf("PNG is %d px wide, want %d (the card at 2×)", got, want)
			}
			// The card's corners are transparent, its inside opaque.
			if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
				t.Errorf("corner alpha %d, want 0 (transparent)", a)
			}
			if _, _, _, a := img.At(img.Bounds().Dx()/2, img.Bounds().Dy()/2).RGBA(); a != 0xffff {
				t.Errorf("centre alpha %d, want opaque", a)
			}
		})
	}
}

// The PDF's charts keep their layout: the mail's is its own.
func TestPDFChartLayoutUnchanged(t *testing.T) {
	if pdfLayout.w != 600 || pdfLayout.fontXS != 8.5 || pdfLayout.fontS != 10 || pdfLayout.card {
		t.Errorf("pdfLayout = %+v, want the 600 px layout with 8.5/10 px text and no card", pdfLayout)
	}
}

// BenchmarkEncodePNG encodes (internal/png) a 25-bar chart at the email's 2× density.
func BenchmarkEncodePNG(b *testing.B) {
	var bars []hbar
	for i := 0; i < 25; i++ {
		bars = append(bars, hbar{label: "Agent " + string(rune('A'+i)), segments: []float64{float64(100 - 3*i), 10},
			colors: []drawing.Color{colPrimary, colSecond}, value: "1d 2h"})
	}
	f := hbarsFigure(bars, []string{"Online", "Away"}, []drawing.Color{colPrimary, colSecond}, "alt", mailLayout(2))
	var c rgbaCollector
	if err := f.fig.Render(text.Provider, &c); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(c.img.Pix)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := pngenc.Encode(io.Discard, c.img); err != nil {
			b.Fatal(err)
		}
	}
}
