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

// MaxSeconds is the longest duration formatted as such (about 31,700
// years); longer ones, like NaN and ±Inf, cannot be real and read "—" or
// are clamped. The renderer notes such values where it finds them.
const MaxSeconds = 1e12

// Duration formats seconds as a person reads them: 45s, 12m 30s, 3h 05m, 2d 4h.
// NaN reads "—"; values beyond ±MaxSeconds are clamped and marked with ">".
func Duration(seconds float64) string {
	switch {
	case math.IsNaN(seconds):
		return "—"
	case seconds < 0:
		return "-" + Duration(-seconds)
	case seconds > MaxSeconds:
		return ">" + Duration(MaxSeconds)
	}
	s := int64(math.Round(seconds))
	switch {
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

// maxCount is the largest magnitude Count writes digit by digit; beyond
// it (or for ±Inf) it writes an exponent rather than overflow an int64.
const maxCount = 1e15

// Count formats a count with thousands separators; fractions keep one decimal.
func Count(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case math.IsInf(v, 0) || math.Abs(v) >= maxCount:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
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
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) {
		return "—"
	}
	p := ratio * 100
	if p != 0 && math.Abs(p) < 10 {
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', 0, 64) + "%"
}

// Money formats a conversion value.
func Money(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) >= maxCount {
		return Count(v)
	}
	// Cents first, as figures.ShownValue rounds: splitting first turned
	// 19.995 into "19.00" and lost the sign of -0.50.
	cents := int64(math.Round(v * 100))
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%s.%02d", sign, Count(float64(cents/100)), cents%100)
}

// MoneyIn formats a conversion value with its currency: "EUR 1,234.50".
// An empty currency gives the bare number.
func MoneyIn(v float64, currency string) string {
	if currency == "" {
		return Money(v)
	}
	return currency + " " + Money(v)
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
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) >= maxCount {
			return Count(v)
		}
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
	if math.IsNaN(pct) || math.IsInf(pct, 0) {
		return Delta{Text: "—", Tone: "flat"}
	}
	if math.Abs(pct) < 0.5 {
		return Delta{Text: "no change", Tone: "flat"}
	}
	return directed(pct, strconv.FormatFloat(math.Abs(pct), 'f', 0, 64)+"%", lowerIsBetter, neutral)
}

// ChangePoints describes the change of a rate (0..1) in percentage points,
// which is how rates are read: 18.8% → 18.5% is "▼ 0.3 pts", not "▼ 1%".
func ChangePoints(cur, prev float64, lowerIsBetter, neutral bool) Delta {
	pts := (cur - prev) * 100
	if math.IsNaN(pts) || math.IsInf(pts, 0) {
		return Delta{Text: "—", Tone: "flat"}
	}
	if math.Abs(pts) < 0.05 {
		return Delta{Text: "no change", Tone: "flat"}
	}
	return directed(pts, strconv.FormatFloat(math.Abs(pts), 'f', 1, 64)+" pts", lowerIsBetter, neutral)
}

// directed is a change of sign by with its size already written: the
// arrow, and the tone from whether that direction is good news.
func directed(by float64, size string, lowerIsBetter, neutral bool) Delta {
	d := Delta{Arrow: "▲"}
	good := !lowerIsBetter
	if by < 0 {
		d.Arrow = "▼"
		good = lowerIsBetter
	}
	d.Text = d.Arrow + " " + size
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

// SplitCamel writes a wire name as words: "visitorSegment" → "visitor
// Segment", for labels built from the API's names.
func SplitCamel(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
