// Package format turns numbers, durations, changes and Comm100 ids into the
// text people read. The digest renderer and the alert mails share it, so the
// same figure reads the same everywhere.
package format

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"reportmailer/pkg/reports"
)

// Duration formats seconds as a person reads them: 45s, 12m 30s, 3h 05m, 2d 4h.
func Duration(seconds float64) string {
	s := int64(math.Round(seconds))
	switch {
	case s < 0:
		return "-" + Duration(-seconds)
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		if s%60 == 0 {
			return fmt.Sprintf("%dm", s/60)
		}
		return fmt.Sprintf("%dm %02ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh %02dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd %dh", s/86400, s%86400/3600)
}

// Count formats a count with thousands separators; fractions keep one decimal.
func Count(v float64) string {
	if v != math.Trunc(v) && math.Abs(v) < 1000 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	n := int64(math.Round(v))
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Percent formats a 0..1 ratio.
func Percent(ratio float64) string {
	p := ratio * 100
	if p != 0 && math.Abs(p) < 10 {
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', 0, 64) + "%"
}

// Money formats a conversion value.
func Money(v float64) string {
	whole := Count(math.Trunc(v))
	return fmt.Sprintf("%s.%02d", whole, int(math.Round(math.Abs(v-math.Trunc(v))*100))%100)
}

// Value formats a metric value by its unit.
func Value(v float64, u reports.Unit) string {
	switch u {
	case reports.Seconds:
		return Duration(v)
	case reports.Ratio:
		return Percent(v)
	case reports.Money:
		return Money(v)
	case reports.Average:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return Count(v)
}

// Delta is the change of a value against the previous period.
type Delta struct {
	Text  string // "▲ 12%", "▼ 3%", "no change", "new"
	Tone  string // "good", "bad" or "flat"
	Arrow string // "▲", "▼" or ""
}

// Change compares cur with prev. lowerIsBetter flips which direction is good;
// neutral metrics are never coloured.
func Change(cur, prev float64, lowerIsBetter, neutral bool) Delta {
	switch {
	case prev == 0 && cur == 0:
		return Delta{Text: "no change", Tone: "flat"}
	case prev == 0:
		return Delta{Text: "new", Tone: "flat"}
	}
	pct := (cur - prev) / math.Abs(prev) * 100
	if math.Abs(pct) < 0.5 {
		return Delta{Text: "no change", Tone: "flat"}
	}
	d := Delta{Arrow: "▲"}
	good := !lowerIsBetter
	if pct < 0 {
		d.Arrow = "▼"
		good = lowerIsBetter
	}
	d.Text = fmt.Sprintf("%s %s%%", d.Arrow, strconv.FormatFloat(math.Abs(pct), 'f', 0, 64))
	switch {
	case neutral:
		d.Tone = "flat"
	case good:
		d.Tone = "good"
	default:
		d.Tone = "bad"
	}
	return d
}

// Truncate shortens s to at most n runes, ending with an ellipsis.
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
