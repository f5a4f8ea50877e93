package render

import (
	"testing"
	"time"

	chart "github.com/wcharczuk/go-chart/v2"
)

func TestRankedFoldsOthers(t *testing.T) {
	t.Parallel()
	var es []entry
	for i := 0; i < 14; i++ {
		es = append(es, entry{label: string(rune('a' + i)), value: 30})
	}
	sum := ranked(append([]entry{}, es...), 10, false)
	avg := ranked(append([]entry{}, es...), 10, true)
	if len(sum) != 11 || sum[10].label != "4 others" || sum[10].value != 120 {
		t.Errorf("counts: %+v", sum[10])
	}
	if avg[10].value != 30 {
		t.Errorf("averages fold to their mean, got %v", avg[10].value)
	}
	if short := ranked(es[:11], 10, false); len(short) != 11 || short[10].others != 0 {
		t.Error("one extra entry is shown, not folded into '1 others'")
	}
}

func TestTimeChartSpansThePeriod(t *testing.T) {
	t.Parallel()
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
