package render

import (
	"fmt"
	"math"
	"strings"

	"reportmailer/pkg/format"
	"reportmailer/pkg/render/figures"
	"reportmailer/pkg/reports"
)

func ratingView(v *view, d *Digest, s *Section, _ *reports.Spec) {
	dist := s.Group.IsDistribution()
	rated, avg, pos := figures.RatingStats(s.Rows, dist)
	if rated == 0 {
		return
	}
	v.Summary = fmt.Sprintf("Average %.1f / 5 from %s rated chats, %s positive (4–5)", avg, format.Count(rated), format.Percent(pos))
	if s.Previous != nil && !dist {
		_, pavg, _ := figures.RatingStats(s.Previous, false)
		if pavg > 0 {
			v.Summary += fmt.Sprintf("; previous period %.1f", pavg)
		}
	}
	legend := []string{"1", "2", "3", "4", "5 stars"}
	scores := func(r any) []float64 {
		out := make([]float64, 5)
		for i := range out {
			wire := fmt.Sprintf("score%d", i+1)
			if dist {
				wire = fmt.Sprintf("avgScore%d", i+1)
			}
			out[i], _ = reports.Value(r, wire)
		}
		return out
	}
	if s.Group.IsDimension() {
		t := &Table{Head: []string{splitCamel(strings.ToUpper(string(s.Group[:1])) + string(s.Group[1:])), "Rated", "Average", "Positive"}, NumericFrom: 1, TotalRow: true}
		var es []entry
		unrated := 0
		for _, r := range s.Rows {
			n, _, _ := figures.RatingStats([]any{r}, false)
			if n == 0 { // "0 rated, 0.0, 0%" says nothing: fold them into one line
				unrated++
				continue
			}
			es = append(es, entry{label: d.Names.Name(s.Group, reports.KeyOf(r, s.Group)), value: n, row: r})
		}
		listed := len(es)
		es = ranked(es, d.topNOf(), nil)
		v.Summary += noDataNote(unrated, s.Group, "rated chats")
		var bars []hbar
		for _, e := range es {
			if e.others > 0 {
				// The average member of the rest: its ratings per member,
				// and the score and share of all their ratings.
				n, a, p := figures.RatingStats(e.rest, false)
				t.Rows = append(t.Rows, []string{e.label, format.Count(math.Round(n / float64(e.others))), fmt.Sprintf("%.1f", a), format.Percent(p)})
				continue
			}
			n, a, p := figures.RatingStats([]any{e.row}, false)
			t.Rows = append(t.Rows, []string{e.label, format.Count(n), fmt.Sprintf("%.1f", a), format.Percent(p)})
			bars = append(bars, hbar{label: e.label, segments: scores(e.row), colors: ratingCols, value: fmt.Sprintf("%.1f avg", a)})
		}
		t.Rows = append(t.Rows, []string{"Total", format.Count(rated), fmt.Sprintf("%.1f", avg), format.Percent(pos)})
		v.more = foldedNote(es, listed, s.Group)
		v.Table = t
		v.figure = func(lo layout) *Figure {
			return hbarsFigure(bars, legend, ratingCols, v.Title+": "+v.Summary, lo)
		}
		return
	}
	t := &Table{Head: []string{"Score", "Chats", "Share"}, NumericFrom: 1}
	total := make([]float64, 5)
	for _, r := range s.Rows {
		for i, x := range scores(r) {
			total[i] += x
		}
	}
	for i := 4; i >= 0; i-- {
		t.Rows = append(t.Rows, []string{fmt.Sprintf("%d", i+1), format.Count(total[i]), format.Percent(ratio(total[i], rated))})
	}
	v.Table = t
	var cols []column
	for i, r := range s.Rows {
		c := column{segments: scores(r)}
		if b := reports.TimeOf(r); b != nil && len(s.Rows) <= 31 {
			c.label = shortBucket(d, b)
		} else if b != nil && i%max(1, len(s.Rows)/8) == 0 {
			c.label = shortBucket(d, b)
		}
		cols = append(cols, c)
	}
	v.figure = func(lo layout) *Figure {
		return columnsFigure(cols, ratingCols, legend, compact, v.Title+": "+v.Summary, lo)
	}
}

func shortBucket(d *Digest, b *reports.Bucket) string {
	switch b.From.Kind {
	case reports.SlotDateTime:
		return d.instant(b.From.DateTime).Format("Mon 2")
	case reports.SlotWeekClock:
		return b.From.Weekday.String()[:3]
	}
	return b.From.String()
}
