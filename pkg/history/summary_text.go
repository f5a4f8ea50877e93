package history

import (
	"fmt"
	"io"
	"strings"
	"time"

	"reportmailer/pkg/format"
)

// WriteText prints the summary as plain text: the days, then the heatmap
// (a blank cell is a gap, never a zero).
func (s Summary) WriteText(w io.Writer) {
	if !s.CoveredFrom.IsZero() {
		fmt.Fprintf(w, "Queue history covers this period only from %s.\n", s.CoveredFrom.In(s.location()).Format("Mon 2 Jan 15:04 MST"))
	}
	fmt.Fprintf(w, "%-11s %6s %7s %16s %13s %6s\n", "day", "peak", "at", "waits > "+format.Duration(s.Wait.Seconds()), "longest wait", "gaps")
	for _, d := range s.Days {
		if !d.Covered {
			fmt.Fprintf(w, "%-11s %s\n", d.Date.Format("Mon 2 Jan"), "no history")
			continue
		}
		gaps := ""
		if d.GapMinutes > 0 {
			gaps = fmt.Sprintf("%d min", d.GapMinutes)
		}
		fmt.Fprintf(w, "%-11s %6d %7s %12d min %13s %6s\n", d.Date.Format("Mon 2 Jan"), d.Peak, d.PeakAt.Format("15:04"),
			d.MinutesOverWait, format.Duration(d.LongestWait), gaps)
	}
	fmt.Fprintf(w, "\nmedian queue length by hour (%s)\n     ", s.location())
	for h := range 24 {
		fmt.Fprintf(w, "%5d", h)
	}
	fmt.Fprintln(w)
	for _, wd := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		var b strings.Builder
		for h := range 24 {
			c := s.Heatmap[wd][h]
			if c.Polls == 0 {
				b.WriteString("    ·")
				continue
			}
			fmt.Fprintf(&b, "%5s", format.Count(c.Median))
		}
		fmt.Fprintf(w, "%-5s%s\n", wd.String()[:3], b.String())
	}
}

func (s Summary) location() *time.Location {
	if len(s.Days) > 0 {
		return s.Days[0].Date.Location()
	}
	return time.UTC
}
