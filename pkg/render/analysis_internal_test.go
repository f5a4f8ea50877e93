package render

import (
	"testing"
	"time"

	chart "github.com/wcharczuk/go-chart/v2"
)

// TestRankedFoldsOthers: one rule for "others" everywhere — the mean of
// the rest weighted by the metric's own weight, never their sum.
func TestRankedFoldsOthers(t *testing.T) {
	var es []entry
	for i := 0; i < 14; i++ {
		es = append(es, entry{label: string(rune('a' + i)), value: float64(40 - i), row: i})
	}
	plain := ranked(append([]entry{}, es...), 10, nil)
	if len(plain) != 11 || plain[10].label != "4 others (average)" || plain[10].value != (30+29+28+27)/4.0 || len(plain[10].rest) != 4 {
		t.Errorf("counts fold to their mean per member: %+v", plain[10])
	}
	// Weighted: the member with value 27 carries three times the weight.
	w := ranked(append([]entry{}, es...), 10, func(r any) float64 {
		if r.(int) == 13 {
			return 3
		}
		return 1
	})
	if want := (30 + 29 + 28 + 3*27) / 6.0; w[10].value != want {
		t.Errorf("averages fold to their weighted mean %v, got %v", want, w[10].value)
	}
	if short := ranked(es[:11], 10, nil); len(short) != 11 || short[10].others != 0 {
		t.Error("one extra entry is shown, not folded into '1 others'")
	}
}

func TestTimeChartSpansThePeriod(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	ticks := []time.Time{start, start.AddDate(0, 0, 7), start.AddDate(0, 0, 14), start.AddDate(0, 0, 21), start.AddDate(0, 0, 28)}
	f := lineFigure([]line{{name: "x", times: []time.Time{start.AddDate(0, 0, 30)}, values: []float64{1}}}, start, end, ticks, "2 Jan", time.UTC,
		func(v float64) string { return "" }, "", 1)
	c := f.fig.(chart.Chart)
	first, last := c.XAxis.Ticks[0].Value, c.XAxis.Ticks[len(c.XAxis.Ticks)-1].Value
	if first != chart.TimeToFloat64(start) || last != chart.TimeToFloat64(end) {
		t.Errorf("x ticks span %v–%v, want the whole period", chart.TimeFromFloat64(first), chart.TimeFromFloat64(last))
	}
}
