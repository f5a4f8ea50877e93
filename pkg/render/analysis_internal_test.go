package render

import (
	"bytes"
	"encoding/csv"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"

	chart "github.com/wcharczuk/go-chart/v2"
)

// TestRankedFoldsOthers: one rule for "others" everywhere — the mean of
// the rest weighted by the metric's own weight, never their sum.
func TestRankedFoldsOthers(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	ticks := []time.Time{start, start.AddDate(0, 0, 7), start.AddDate(0, 0, 14), start.AddDate(0, 0, 21), start.AddDate(0, 0, 28)}
	f := lineFigure([]line{{name: "x", times: []time.Time{start.AddDate(0, 0, 30)}, values: []float64{1}}}, start, end, ticks, "2 Jan", time.UTC,
		func(v float64) string { return "" }, "", pdfLayout)
	c := f.fig.(chart.Chart)
	first, last := c.XAxis.Ticks[0].Value, c.XAxis.Ticks[len(c.XAxis.Ticks)-1].Value
	if first != chart.TimeToFloat64(start) || last != chart.TimeToFloat64(end) {
		t.Errorf("x ticks span %v–%v, want the whole period", chart.TimeFromFloat64(first), chart.TimeFromFloat64(last))
	}
}

// TestOthersAgreeAcrossTableChartAndCSV: a ranked section's "others"
// row is the chat-weighted mean of the rest, the chart's others bar is the
// same figure, and both, like the Total row, follow from the CSV's rows.
func TestOthersAgreeAcrossTableChartAndCSV(t *testing.T) {
	start := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	var rows []any
	for i := 0; i < 30; i++ {
		avg := float64(300 + 7*i)
		rows = append(rows, &reports.AgentPerformanceRow{AgentID: reports.ID(strconv.Itoa(i + 1)), AvgChatTime: avg, TotalChatTime: avg * float64(1+i%4)})
	}
	d := &Digest{Title: "T", TopN: 5, Period: Period{Start: start, End: start.AddDate(0, 0, 7), Location: time.UTC},
		Sections: []Section{{Report: "agentPerformance", Group: reports.GroupAgent, Rows: rows}}}
	c := cleanDigest(d)
	v := buildViews(c)[0]
	// From the CSV: Σ totalChatTime / Σ chats (chats = total / avg) over
	// the agents outside the top 5, and over all.
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(CSV(c), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	total, avg := map[string]float64{}, map[string]float64{}
	for _, r := range recs[1:] {
		x, _ := strconv.ParseFloat(r[8], 64)
		switch r[7] {
		case "totalChatTime":
			total[r[5]] = x
		case "avgChatTime":
			avg[r[5]] = x
		}
	}
	type agent struct{ avg, total float64 }
	var all []agent
	for k := range avg {
		all = append(all, agent{avg[k], total[k]})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].avg > all[j].avg })
	mean := func(as []agent) float64 {
		var tt, n float64
		for _, a := range as {
			tt += a.total
			n += a.total / a.avg
		}
		return tt / n
	}
	wantOthers, wantTotal := format.Duration(mean(all[5:])), format.Duration(mean(all))
	var gotOthers, gotTotal string
	for _, r := range v.Table.Rows {
		switch r[0] {
		case "25 others (average)":
			gotOthers = r[1]
		case "Total":
			gotTotal = r[1]
		}
	}
	if gotOthers != wantOthers || gotTotal != wantTotal {
		t.Errorf("table: others %q, total %q; from the CSV: %q, %q", gotOthers, gotTotal, wantOthers, wantTotal)
	}
	m, _ := c.Sections[0].spec().MetricByWire("avgChatTime")
	bars := dimensionEntries(c, &c.Sections[0], m, c.Sections[0].Rows)
	if last := bars[len(bars)-1]; last.others != 25 || format.Duration(last.value) != wantOthers {
		t.Errorf("chart's others bar %q (%d), want %q", format.Duration(last.value), last.others, wantOthers)
	}
	if !strings.Contains(v.Caveat, "the CSV attachment has every one") {
		t.Errorf("no pointer to the full list: %q", v.Caveat)
	}
}
