package render

import (
	"fmt"
	"math"
	"strings"
	"time"

	"reportmailer/pkg/format"
	"reportmailer/pkg/render/figures"
	"reportmailer/pkg/reports"
)

// instant converts a bucket's wall-clock reading (in the query offset) to an instant.
func (d *Digest) instant(civil time.Time) time.Time {
	return civil.Add(-d.Offset).In(d.Period.Location)
}

// ticks are the x-axis ticks for the period, and their label format.
func (d *Digest) ticks() ([]time.Time, string) {
	loc := d.Period.Location
	start, end := d.Period.Start.In(loc), d.Period.End.In(loc)
	days := end.Sub(start).Hours() / 24
	var out []time.Time
	switch {
	case days <= 1.1:
		for t := start; !t.After(end); t = t.Add(3 * time.Hour) {
			out = append(out, t)
		}
		return out, "15:04"
	case days <= 14:
		for t := start; !t.After(end); t = t.AddDate(0, 0, 1) {
			out = append(out, t)
		}
		return out, "Mon 2"
	case days <= 62:
		for t := start; !t.After(end); t = t.AddDate(0, 0, 7) {
			out = append(out, t)
		}
		return out, "2 Jan"
	}
	for t := start; !t.After(end); t = t.AddDate(0, 1, 0) {
		out = append(out, t)
	}
	return out, "Jan 2006"
}

func (d *Digest) shift() time.Duration {
	if d.Previous == nil {
		return 0
	}
	return d.Period.Start.Sub(d.Previous.Start)
}

func (d *Digest) series(rows []any, m reports.Metric, shift time.Duration) ([]time.Time, []float64) {
	var ts []time.Time
	var vs []float64
	for _, r := range rows {
		b := reports.TimeOf(r)
		if b == nil || b.From.Kind != reports.SlotDateTime {
			continue
		}
		at := d.instant(b.From.DateTime)
		// Day, week and month buckets sit at their middle, between the ticks
		// that bound them; hour buckets at their start.
		if b.To.Kind == reports.SlotDateTime && b.To.DateTime.Sub(b.From.DateTime) > time.Hour {
			at = at.Add(b.To.DateTime.Sub(b.From.DateTime) / 2)
		}
		ts = append(ts, at.Add(shift))
		vs = append(vs, reports.MetricValue(r, m, false))
	}
	return ts, vs
}

// totalsTable compares each metric's roll-up with the previous period.
// Averages show the period figure (periodFigure), so they agree with the
// KPI strip and with every other section of the digest.
func totalsTable(d *Digest, s *Section, spec *reports.Spec, metrics []reports.Metric, hasPrev bool) *Table {
	rows, prev, dist, g := s.Rows, s.Previous, s.Group.IsDistribution(), s.Group
	t := &Table{Head: []string{"Metric", "This period", "Previous", "Change"}, NumericFrom: 1}
	if dist {
		// Counts add up over the buckets to a typical week (24*7) or day
		// (half-hours); averages stay averages.
		typical, cycle := "Typical day", 24*time.Hour
		if g == reports.GroupWeekDistribution {
			typical, cycle = "Typical week", 7*24*time.Hour
		}
		if d.Period.End.Sub(d.Period.Start) <= cycle+time.Hour {
			typical = "This period" // one week's 24×7 is that week, not a typical one
		}
		// A distribution's buckets are averages: their highest is the peak
		// slot's average, not the period's maximum, and says so.
		peak := "Peak half-hour (avg)"
		if g == reports.GroupWeekDistribution {
			peak = "Peak hour (avg)"
		}
		t.Head = []string{"Metric", typical, peak, "At"}
	}
	for _, m := range metrics {
		cur := d.periodFigure(s, m, false)
		if dist {
			if _, whole := d.canonicalFor(s, m); m.IsMax() && !whole {
				// The highest half-hour average is no maximum; without the
				// API's whole-period answer there is none to show.
				cur = math.NaN()
			}
			peak, at := peakOf(rows, m)
			shown := "—"
			if !math.IsNaN(cur) {
				shown = d.value(cur, m.Unit)
			}
			t.Rows = append(t.Rows, []string{m.Label, shown, d.value(peak, m.Unit), at})
			t.Tones = append(t.Tones, nil)
			continue
		}
		row := []string{m.Label, d.value(cur, m.Unit), "—", ""}
		tones := []string{"", "", "", "flat"}
		if n, small := d.smallSample(s, m); small {
			// Too few chats to compare: the figure shows its n, no change.
			row[1] += " (n=" + format.Count(math.Round(n)) + ")"
			if hasPrev {
				row[2] = d.value(d.periodFigure(s, m, true), m.Unit)
			}
		} else if hasPrev {
			p := d.periodFigure(s, m, true)
			delta := d.change(cur, p, m, false)
			row[2], row[3], tones[3] = d.value(p, m.Unit), delta.Text, delta.Tone
		}
		t.Rows = append(t.Rows, row)
		t.Tones = append(t.Tones, tones)
	}
	if !dist {
		for _, dr := range spec.Rates {
			den := totalOf(s, rows, dr.Den)
			cur := ratio(totalOf(s, rows, dr.Num), den)
			row := []string{dr.Label, format.Percent(cur), "—", ""}
			tones := []string{"", "", "", "flat"}
			if pden := totalOf(s, prev, dr.Den); den < float64(d.minChats()) || (hasPrev && pden < float64(d.minChats())) {
				// A rate of a handful: its n, no change.
				row[1] += " (n=" + format.Count(den) + ")"
				if hasPrev {
					row[2] = format.Percent(ratio(totalOf(s, prev, dr.Num), pden))
				}
			} else if hasPrev {
				p := ratio(totalOf(s, prev, dr.Num), totalOf(s, prev, dr.Den))
				delta := format.ChangePoints(cur, p, false, false)
				row[2], row[3], tones[3] = format.Percent(p), delta.Text, delta.Tone
			}
			t.Rows = append(t.Rows, row)
			t.Tones = append(t.Tones, tones)
		}
	}
	return t
}

// change describes a figure's change: in points for rates; for a count
// too small to be a trend (both periods under minSample.chats), the plain
// difference ("▲ 1"), never a percentage, and no colour.
func (d *Digest) change(cur, prev float64, m reports.Metric, neutral bool) format.Delta {
	switch {
	case m.Unit == reports.Ratio:
		return format.ChangePoints(cur, prev, m.LowerIsBetter, neutral)
	case !m.IsAverage() && !m.IsMax() && m.Unit == reports.Count && math.Max(cur, prev) < float64(d.minChats()) && cur != prev:
		arrow := "▲ "
		if cur < prev {
			arrow = "▼ "
		}
		return format.Delta{Arrow: arrow[:len(arrow)-1], Text: arrow + format.Count(math.Abs(cur-prev)), Tone: "flat"}
	}
	return format.Change(cur, prev, m.LowerIsBetter, neutral)
}

func ratio(n, d float64) float64 {
	if d == 0 {
		return 0
	}
	return n / d
}

func peakOf(rows []any, m reports.Metric) (float64, string) {
	var best float64
	at := "—"
	for _, r := range rows {
		v := reports.MetricValue(r, m, true)
		if v > best {
			best = v
			if b := reports.TimeOf(r); b != nil {
				at = b.From.String()
			}
		}
	}
	return best, at
}

func summaryLine(d *Digest, s *Section, m reports.Metric, hasPrev bool) string {
	cur := d.periodFigure(s, m, false)
	line := m.Label + ": " + d.value(cur, m.Unit)
	if n, small := d.smallSample(s, m); small {
		return line + " (from " + format.Count(math.Round(n)) + " chats)"
	}
	if hasPrev {
		vs := "previous period"
		if d.CompareLabel != "" {
			vs = strings.TrimPrefix(d.CompareLabel, "the ")
		}
		line += " (" + d.change(cur, d.periodFigure(s, m, true), m, false).Text + " vs " + vs + ")"
	}
	return line
}

// periodFigure is a metric's figure for the whole period (or the previous
// one) in section s: an average's canonical figure when the digest has one
// (figures.Period), else the section's own roll-up. For a distribution, counts
// add up to a typical day or week.
func (d *Digest) periodFigure(s *Section, m reports.Metric, previous bool) float64 {
	if f, ok := d.canonicalFor(s, m); ok && (!previous || f.HasPrev) {
		if previous {
			return f.Prev
		}
		return f.Cur
	}
	rows := s.Rows
	if previous {
		rows = s.Previous
	}
	return s.rollup(rows, m, s.Group.IsDistribution())
}

func timeView(v *view, d *Digest, s *Section, spec *reports.Spec) {
	metrics := figures.ActiveMetrics(spec, s.Rows, false)
	if len(metrics) == 0 {
		return
	}
	hasPrev := s.Previous != nil && d.Previous != nil
	v.Table = totalsTable(d, s, spec, metrics, hasPrev)
	v.Summary = summaryLine(d, s, metrics[0], hasPrev)
	// Chart at most two metrics that share a unit, plus the previous period of the first.
	charted := []reports.Metric{metrics[0]}
	// A second series shares the axis only when it is on a comparable
	// scale (peaks within 4× of each other): beside chats, conversions (a
	// tenth of them) would lie flat along the bottom, their changes
	// invisible; the table still shows both.
	peak := func(m reports.Metric) float64 {
		var p float64
		for _, r := range s.Rows {
			p = math.Max(p, reports.MetricValue(r, m, false))
		}
		return p
	}
	for _, m := range metrics[1:] {
		a, b := peak(m), peak(metrics[0])
		if m.Unit == metrics[0].Unit && len(charted) < 2 && math.Min(a, b) >= math.Max(a, b)/4 {
			charted = append(charted, m)
		}
	}
	ticks, format := d.ticks()
	v.figure = func(lo layout) *Figure {
		var lines []line
		if hasPrev {
			ts, vs := d.series(s.Previous, charted[0], d.shift())
			lines = append(lines, line{name: charted[0].Label + " (previous)", times: ts, values: vs, faint: true})
		}
		for i, m := range charted {
			ts, vs := d.series(s.Rows, m, 0)
			lines = append(lines, line{name: m.Label, times: ts, values: vs, color: seriesCols[i]})
		}
		lines = append(lines, d.targetLines(s, charted)...)
		alt := fmt.Sprintf("%s, %s: %s", v.Title, strings.ToLower(v.Subtitle), v.Summary)
		return lineFigure(lines, d.Period.Start, d.Period.End, ticks, format, d.Period.Location, unitFormatter(charted[0].Unit), alt, lo)
	}
}
