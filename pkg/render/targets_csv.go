package render

import (
	"encoding/csv"
	"strconv"
	"time"
)

// targetsSection is the CSV's section name for target lines.
const targetsSection = "Targets"

// writeTargetsCSV adds the targets to the CSV in its long format: for each
// target (key: the figure's name, name: "Avg wait time ≤ 40s") the limits
// ("target min", "target max"), the figure the digest shows ("figure"),
// "met" (1 or 0, when judged) and "verdict:<met|missed|too few|no data>",
// bounds as RFC 3339 instants and period "current" like the other lines.
// A per-day target has these lines for each day (group "day") and its
// "days met" and "days" for the period. The figures are the attainments'
// own, judged on the cleaned digest the PDF and mail show.
func writeTargetsCSV(w *csv.Writer, raw *Digest) {
	if len(raw.Targets) == 0 {
		return
	}
	d := cleanDigest(raw)
	from, to := d.Period.Start.In(d.Period.Location).Format(time.RFC3339), d.Period.End.In(d.Period.Location).Format(time.RFC3339)
	for _, a := range attainments(d) {
		name := a.Figure.Label + " " + a.limit(d)
		line := func(group, from, to, metric string, v float64) {
			_ = w.Write([]string{targetsSection, string(a.Figure.Report), group, from, to, a.Figure.Name, csvText(name), metric, strconv.FormatFloat(v, 'f', -1, 64), PeriodCurrent})
		}
		judged := func(group, from, to string, v verdict) {
			if a.Target.Min != nil {
				line(group, from, to, "target min", *a.Target.Min)
			}
			if a.Target.Max != nil {
				line(group, from, to, "target max", *a.Target.Max)
			}
			if v.Status == Met || v.Status == Missed || v.Status == TooFew {
				line(group, from, to, "figure", v.Value)
			}
			if v.Status == Met || v.Status == Missed {
				met := 0.0
				if v.Status == Met {
					met = 1
				}
				line(group, from, to, "met", met)
			}
			line(group, from, to, "verdict:"+v.Status.String(), 1)
		}
		if !a.Target.PerDay {
			judged("period", from, to, a.verdict)
			continue
		}
		for _, day := range a.Days {
			judged("day", day.Day.Format(time.RFC3339), day.Day.AddDate(0, 0, 1).Format(time.RFC3339), day.verdict)
		}
		met, _, _, _ := count(a.Days, a.DaysInPeriod)
		line("period", from, to, "days met", float64(met))
		line("period", from, to, "days", float64(a.DaysInPeriod))
		line("period", from, to, "verdict:"+a.Status.String(), 1)
	}
}
