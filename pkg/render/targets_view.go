package render

import (
	"fmt"
	"strconv"
	"strings"

	"reportmailer/pkg/reports"
)

// TargetRow is one target as the Targets block shows it, in the mail, the
// text part and on the PDF cover.
type TargetRow struct {
	Label string // the figure, e.g. "Avg wait time"
	Limit string // "≤ 40s", "≥ 95%", "≤ 50 a day"
	// Value is this period's figure, or "on target 5 of 7 days".
	Value string
	// Verdict is a word first, never colour alone: "Met", "Missed by 12s",
	// "Too few ratings to judge (3, needs 10)", "No data: …".
	Verdict string
	Tone    string // good, bad or flat
	// Previous is the previous period's attainment: "last period: met".
	Previous string
	Anchor   string
	section  int
}

// targetRows builds the Targets block from the attainments.
func targetRows(d *Digest, as []Attainment, views []view) []TargetRow {
	var out []TargetRow
	for _, a := range as {
		r := TargetRow{Label: a.Figure.Label, Limit: a.limit(d), section: a.Section}
		if a.Section >= 0 && a.Section < len(views) {
			r.Anchor = views[a.Section].Anchor
		}
		r.Value, r.Verdict, r.Tone = a.describe(d)
		if d.Previous != nil {
			r.Previous = "last period: " + a.prevText(d)
		}
		out = append(out, r)
	}
	return out
}

func (a Attainment) limit(d *Digest) string {
	l := limitText(a.Target, a.Figure.Unit, d.value)
	if a.Target.PerDay {
		l += " a day"
	}
	return l
}

// describe is the row's figure, verdict and tone.
func (a Attainment) describe(d *Digest) (value, verdict, tone string) {
	value = "—"
	if a.Target.PerDay && len(a.Days) > 0 {
		met, _, tooFew, noData := count(a.Days, a.DaysInPeriod)
		value = daysText(met, a.DaysInPeriod, tooFew, noData)
	} else if a.Status == Met || a.Status == Missed || a.Status == TooFew {
		value = figureText(d, a.Figure, a.Value)
	}
	switch a.Status {
	case Met:
		return value, "Met", "good"
	case Missed:
		if a.Target.PerDay {
			_, missed, _, _ := count(a.Days, a.DaysInPeriod)
			return value, fmt.Sprintf("Missed on %s (worst by %s)", plural(missed, "day"), byText(a.By, a.Figure.Unit, d.value)), "bad"
		}
		return value, "Missed by " + byText(a.By, a.Figure.Unit, d.value), "bad"
	case TooFew:
		return value, upperFirst(a.Reason), "flat"
	}
	return value, "No data: " + a.Reason, "flat"
}

// prevText is the previous period's attainment in a few words.
func (a Attainment) prevText(d *Digest) string {
	if a.Target.PerDay && len(a.PrevDays) > 0 {
		met, _, tooFew, noData := count(a.PrevDays, d.daysIn(*d.Previous))
		return daysText(met, d.daysIn(*d.Previous), tooFew, noData)
	}
	switch a.Prev.Status {
	case Met:
		return "met (" + figureText(d, a.Figure, a.Prev.Value) + ")"
	case Missed:
		return "missed (" + figureText(d, a.Figure, a.Prev.Value) + ")"
	case TooFew:
		return "too few to judge"
	}
	return "no data"
}

// figureText prints a figure as the digest does; the average rating as "4.6 / 5".
func figureText(d *Digest, f reports.Figure, v float64) string {
	if f.Kind == reports.FigureRatingAverage {
		return strconv.FormatFloat(v, 'f', 1, 64) + " / 5"
	}
	return d.value(v, f.Unit)
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// markKPIs shows each card's target and verdict: the card's figure is the
// one the target judges (same section, same number).
func markKPIs(d *Digest, ks []KPI) []KPI {
	as := attainments(d)
	for i := range ks {
		for _, a := range as {
			if a.Figure.Name != ks[i].figure {
				continue
			}
			ks[i].Target = "Target " + a.limit(d)
			switch a.Status {
			case Met:
				ks[i].Verdict, ks[i].VerdictTone = "met", "good"
			case Missed:
				ks[i].Verdict, ks[i].VerdictTone = "missed", "bad"
				if a.Target.PerDay {
					_, missed, _, _ := count(a.Days, a.DaysInPeriod)
					ks[i].Verdict = "missed on " + plural(missed, "day")
				}
			case TooFew:
				ks[i].Verdict, ks[i].VerdictTone = "too few to judge", "flat"
			default:
				ks[i].Verdict, ks[i].VerdictTone = "no data", "flat"
			}
		}
	}
	return ks
}

// highlights is the "What changed" block: targets newly missed and
// targets recovered lead, then the period's significant changes, within
// maxHighlights sentences.
func highlights(d *Digest, views []view) []Highlight {
	hs := changeHighlights(d, views)
	news := targetNews(d, views)
	if len(news) == 0 {
		return hs
	}
	if len(hs) == 1 && hs[0].Anchor == "" {
		hs = nil // the all-quiet line: targets moved, so it is not quiet
	}
	out := append(news, hs...)
	if len(out) > maxHighlights {
		out = out[:maxHighlights]
	}
	return out
}

// targetNews are the sentences for targets whose verdict changed since
// the previous period: missed now and met then, or the reverse.
func targetNews(d *Digest, views []view) []Highlight {
	if d.Previous == nil {
		return nil
	}
	var misses, recoveries []Highlight
	for _, a := range attainments(d) {
		h := Highlight{section: a.Section}
		if a.Section >= 0 && a.Section < len(views) {
			h.Anchor = views[a.Section].Anchor
		}
		lim, passed, within := targetPhrase(d, a)
		switch {
		case a.Status == Missed && a.Prev.Status == Met:
			if a.Target.PerDay {
				_, missed, _, _ := count(a.Days, a.DaysInPeriod)
				h.Text = fmt.Sprintf("%s %s its target of %s on %s%s; it was met every day last period.", a.Figure.Label, passed, lim, plural(missed, "day"), missedDays(a.Days))
			} else {
				h.Text = fmt.Sprintf("%s %s its target of %s: %s, by %s; it was met last period.", a.Figure.Label, passed, lim,
					figureText(d, a.Figure, a.Value), byText(a.By, a.Figure.Unit, d.value))
			}
			misses = append(misses, h)
		case a.Status == Met && a.Prev.Status == Missed:
			if a.Target.PerDay {
				h.Text = fmt.Sprintf("%s stayed %s its target of %s every day; it was missed last period.", a.Figure.Label, within, lim)
			} else {
				h.Text = fmt.Sprintf("%s is back %s its target of %s (%s); it was missed last period.", a.Figure.Label, within, lim, figureText(d, a.Figure, a.Value))
			}
			recoveries = append(recoveries, h)
		}
	}
	return append(misses, recoveries...)
}

// targetPhrase is the limit in words for a sentence ("37s", "20 a day")
// and the verbs for passing it and staying on its side.
func targetPhrase(d *Digest, a Attainment) (lim, passed, within string) {
	passed, within = "missed", "within"
	switch {
	case a.Target.Min != nil && a.Target.Max != nil:
		lim = limitText(a.Target, a.Figure.Unit, d.value)
	case a.Target.Min != nil:
		lim, passed, within = d.value(*a.Target.Min, a.Figure.Unit), "fell below", "at or above"
	case a.Target.Max != nil:
		lim, passed = d.value(*a.Target.Max, a.Figure.Unit), "went over"
	}
	if a.Figure.Kind == reports.FigureRatingAverage && a.Target.Min != nil && a.Target.Max == nil {
		lim = strconv.FormatFloat(*a.Target.Min, 'f', -1, 64)
	}
	if a.Target.PerDay {
		lim += " a day"
	}
	return lim, passed, within
}

// missedDays names up to three missed days: " (Tue 24, Thu 26)".
func missedDays(days []dayVerdict) string {
	var names []string
	for _, v := range days {
		if v.Status == Missed {
			names = append(names, v.Day.Format("Mon 2"))
		}
	}
	if len(names) == 0 || len(names) > 3 {
		return ""
	}
	return " (" + strings.Join(names, ", ") + ")"
}

// TargetLine is one target judged, as the workbook's Summary shows it:
// the Targets block's words with the figure as a number.
type TargetLine struct {
	TargetRow
	Status Status
	// Figure is the period's figure in Unit (judged at the precision
	// shown); HasFigure is false for per-day targets and missing data.
	Figure    float64
	HasFigure bool
	Unit      reports.Unit
}

// Targets judges the digest's targets the way Render does, for other
// renderings of the same model (the workbook).
func Targets(d *Digest) []TargetLine {
	if len(d.Targets) == 0 {
		return nil
	}
	c := cleanDigest(d)
	as := attainments(c)
	rows := targetRows(c, as, nil)
	out := make([]TargetLine, len(as))
	for i, a := range as {
		out[i] = TargetLine{TargetRow: rows[i], Status: a.Status, Unit: a.Figure.Unit, Figure: a.Value,
			HasFigure: !a.Target.PerDay && (a.Status == Met || a.Status == Missed || a.Status == TooFew)}
	}
	return out
}
