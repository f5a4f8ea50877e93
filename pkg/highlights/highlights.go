// Package highlights says what changed in a period in a few plain
// sentences: "Missed chats rose 38% (84 → 116), most of them in Sales."
// It ranks candidate facts (period-over-period changes of the digest's
// figures, where a change came from, unusual peaks) by a significance
// score that respects volume, keeps one statement per section, and states
// nothing the facts do not show. No language model: the same numbers
// always give the same sentences.
package highlights

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"reportmailer/pkg/format"
)

// Unit says how a fact's values read and how their change is judged.
type Unit int

// Units.
const (
	Count   Unit = iota // events: chats, visits, conversions
	Seconds             // an average duration over CurN/PrevN events
	Ratio               // a share 0..1 of CurN/PrevN
	Money               // a value summed over CurN/PrevN conversions
)

// Contributor is one part of a total (an agent, a department, a page).
type Contributor struct {
	Label     string
	Cur, Prev float64
}

// Fact is one candidate statement.
type Fact struct {
	Section string // anchor of the section that shows it
	Metric  string // "Missed chats", as the digest names it
	Unit    Unit
	// Cur and Prev are the period's and the previous period's values.
	Cur, Prev float64
	// CurN and PrevN are the volumes behind an average or ratio (chats
	// that waited, chats offered); counts use their own value.
	CurN, PrevN   float64
	LowerIsBetter bool
	// Parts break the change down (optional; counts and money only).
	Parts []Contributor
	// Peak, when set, is where the period's value concentrated, e.g.
	// "Tue 14:00–16:00", with PeakShare of the total in it.
	Peak      string
	PeakShare float64
}

// Statement is one sentence of the block.
type Statement struct {
	Text    string
	Section string
	Score   float64
}

// Thresholds: a change is news when it is both large (MinChange, relative)
// and unlikely to be noise (MinScore, roughly a z-score), and rests on
// enough events (MinVolume).
var (
	MinChange = 0.10
	MinScore  = 2.0
	MinVolume = 20.0
)

// score is a z-like significance: for counts, the change over its Poisson
// noise √(cur+prev); for ratios, a two-proportion z; for averages, the
// relative change scaled by √ of the smaller volume (money likewise, over
// the number of conversions). A change from 2 to 4
// scores 0.8; from 84 to 116, 2.3.
func (f Fact) score() float64 {
	switch f.Unit {
	case Count:
		if f.Cur+f.Prev < MinVolume {
			return 0
		}
		return math.Abs(f.Cur-f.Prev) / math.Sqrt(f.Cur+f.Prev)
	case Ratio:
		n1, n2 := f.CurN, f.PrevN
		if n1 < MinVolume || n2 < MinVolume {
			return 0
		}
		p := (f.Cur*n1 + f.Prev*n2) / (n1 + n2)
		se := math.Sqrt(p * (1 - p) * (1/n1 + 1/n2))
		if se == 0 {
			return 0
		}
		return math.Abs(f.Cur-f.Prev) / se
	case Seconds, Money:
		n := math.Min(f.CurN, f.PrevN)
		if n < MinVolume || f.Prev == 0 {
			return 0
		}
		return math.Abs(f.Cur-f.Prev) / f.Prev * math.Sqrt(n)
	}
	return 0
}

func (f Fact) relChange() float64 {
	if f.Prev == 0 {
		return math.Inf(1)
	}
	return (f.Cur - f.Prev) / math.Abs(f.Prev)
}

func (f Fact) value(v float64) string {
	switch f.Unit {
	case Seconds:
		return format.Duration(v)
	case Ratio:
		return format.Percent(v)
	case Money:
		return format.Money(v)
	}
	return format.Count(v)
}

// sentence states the change, and where most of it came from when one
// part explains at least half of it.
func (f Fact) sentence() string {
	verb := "rose"
	if f.Cur < f.Prev {
		verb = "fell"
	}
	var b strings.Builder
	if f.Unit == Ratio {
		pts := math.Abs(f.Cur-f.Prev) * 100
		fmt.Fprintf(&b, "%s %s %s points (%s → %s)", f.Metric, verb, trimFloat(pts), f.value(f.Prev), f.value(f.Cur))
	} else if f.Prev == 0 {
		fmt.Fprintf(&b, "%s %s from none to %s", f.Metric, verb, f.value(f.Cur))
	} else {
		fmt.Fprintf(&b, "%s %s %s (%s → %s)", f.Metric, verb, format.Percent(math.Abs(f.relChange())), f.value(f.Prev), f.value(f.Cur))
	}
	if c, ok := f.mainPart(); ok {
		d := c.Cur - c.Prev
		fmt.Fprintf(&b, "; %s accounts for %s of it (%s → %s)", c.Label, sharePhrase(d/(f.Cur-f.Prev)), f.value(c.Prev), f.value(c.Cur))
	} else if f.Peak != "" && f.PeakShare >= 0.3 {
		fmt.Fprintf(&b, ", %s of them %s", format.Percent(f.PeakShare), f.Peak)
	}
	b.WriteString(".")
	return b.String()
}

func sharePhrase(s float64) string {
	switch {
	case s >= 0.95:
		return "nearly all"
	case s >= 0.75:
		return "most"
	}
	return format.Percent(s)
}

func trimFloat(v float64) string {
	if math.Abs(v-math.Round(v)) < 0.05 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// mainPart is the part that moved the same way as the total and explains
// at least half of its change.
func (f Fact) mainPart() (Contributor, bool) {
	total := f.Cur - f.Prev
	if total == 0 || len(f.Parts) < 2 {
		return Contributor{}, false
	}
	best, bestShare := Contributor{}, 0.0
	for _, c := range f.Parts {
		if share := (c.Cur - c.Prev) / total; share > bestShare || (share == bestShare && c.Label < best.Label) {
			best, bestShare = c, share
		}
	}
	return best, bestShare >= 0.5 && bestShare <= 1.5
}

// Select returns at most max statements, most significant first, one per
// section; ties break by metric name so the order never wobbles.
func Select(facts []Fact, max int) []Statement {
	var cands []Statement
	for _, f := range facts {
		if math.IsNaN(f.Cur) || math.IsNaN(f.Prev) || math.IsInf(f.Cur, 0) || math.IsInf(f.Prev, 0) {
			continue
		}
		rel := math.Abs(f.relChange())
		if f.Unit == Ratio {
			rel = math.Abs(f.Cur-f.Prev) / math.Max(f.Prev, 0.01)
		}
		s := f.score()
		if s < MinScore || rel < MinChange {
			continue
		}
		cands = append(cands, Statement{Text: f.sentence(), Section: f.Section, Score: s})
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].Score != cands[j].Score {
			return cands[i].Score > cands[j].Score
		}
		return cands[i].Text < cands[j].Text
	})
	var out []Statement
	seen := map[string]bool{}
	for _, c := range cands {
		if len(out) == max {
			break
		}
		if c.Section != "" && seen[c.Section] {
			continue // near-duplicate: the section's strongest change says it
		}
		seen[c.Section] = true
		out = append(out, c)
	}
	return out
}

// Quiet is the line shown when nothing passed: "No notable changes this week."
func Quiet(periodKind string) string {
	switch periodKind {
	case "day":
		return "No notable changes on this day."
	case "month":
		return "No notable changes this month."
	}
	return "No notable changes this week."
}
