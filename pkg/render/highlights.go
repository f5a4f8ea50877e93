package render

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"reportmailer/pkg/format"
	"reportmailer/pkg/render/figures"
	"reportmailer/pkg/reports"
)

// Highlight is one sentence of the "What changed" block at the top of the
// digest: a significant change against the previous period, with its
// numbers and, when one bucket or entity accounts for most of it, where.
type Highlight struct {
	Text      string
	Anchor    string // the section it comes from ("" for the all-quiet line)
	section   int
	score     float64
	cur, prev float64
}

// maxHighlights bounds the block: managers read the top and stop.
const maxHighlights = 5

// minScore is the significance a change needs to be news (figures.MinScore).
const minScore = figures.MinScore

// quiet is the line shown when nothing passes the bar.
const quiet = "No notable changes against the previous period."

// changeHighlights picks the most significant period-over-period changes. The
// rules are deterministic and use only figures the digest itself shows
// (each section's totals against the previous period): candidates are every
// metric and rate of the time and dimension sections that have a previous
// period; the same figure in several sections (chats, avg wait) counts
// once; ties keep the digest's order.
func changeHighlights(d *Digest, views []view) []Highlight {
	if d.Previous == nil {
		return nil
	}
	var cands []Highlight
	seen := map[string]int{} // figure key → index in cands
	add := func(key string, h Highlight) {
		if h.score < minScore {
			return
		}
		if i, ok := seen[key]; ok {
			if h.score > cands[i].score {
				cands[i] = h
			}
			return
		}
		seen[key] = len(cands)
		cands = append(cands, h)
	}
	for i := range d.Sections {
		s := &d.Sections[i]
		if s.Note != "" || views[i].Note != "" || s.Previous == nil || s.Group.IsDistribution() || s.Group == reports.GroupNone {
			continue
		}
		spec, ok := reports.Lookup(s.Report)
		if !ok || spec.ViewFor(s.Group) == reports.ViewTable {
			continue
		}
		if spec.ViewFor(s.Group) == reports.ViewRating {
			// Score counts are not news; the average score is.
			rated, avg, _ := figures.RatingStats(s.Rows, false)
			prated, pavg, _ := figures.RatingStats(s.Previous, false)
			score := figures.RatingSignificance(avg, pavg)
			if rated >= float64(d.minRatings()) && prated >= float64(d.minRatings()) && score > 0 {
				h := Highlight{Anchor: views[i].Anchor, section: i, score: score, cur: avg, prev: pavg}
				verb := "rose"
				if avg < pavg {
					verb = "fell"
				}
				h.Text = fmt.Sprintf("Average rating %s from %.1f to %.1f / 5 (%s rated chats).", verb, pavg, avg, format.Count(rated))
				add("rating/"+filterKey(s.Filter), h)
			}
			continue
		}
		for _, m := range spec.Metrics {
			if m.IsMax() {
				continue
			}
			if _, small := d.smallSample(s, m); small {
				continue // an average of a handful of chats is no news
			}
			cur, prev := d.periodFigure(s, m, false), d.periodFigure(s, m, true)
			h := Highlight{Anchor: views[i].Anchor, section: i, score: figures.Significance(m.Unit, m.IsAverage(), cur, prev), cur: cur, prev: prev}
			if h.score < minScore {
				continue
			}
			label := subject(m.Label, views[i].Title)
			if m.Unit == reports.Money {
				label = strings.TrimSuffix(views[i].Title, "s") + " value"
			}
			h.Text = changeSentence(d, label, cur, prev, m.Unit) + where(d, s, m, cur-prev) + "."
			add(figureKey(s, m), h)
		}
		for _, r := range spec.Rates {
			n, dn := totalOf(s, s.Rows, r.Num), totalOf(s, s.Rows, r.Den)
			pn, pd := totalOf(s, s.Previous, r.Num), totalOf(s, s.Previous, r.Den)
			if dn < float64(d.minChats()) || pd < float64(d.minChats()) { // a rate of a handful is no trend
				continue
			}
			cur, prev := n/dn, pn/pd
			h := Highlight{Anchor: views[i].Anchor, section: i, score: figures.Significance(reports.Ratio, true, cur, prev), cur: cur, prev: prev}
			h.Text = changeSentence(d, subject(r.Label, views[i].Title), cur, prev, reports.Ratio) + "."
			add(string(s.Report)+"/"+r.Label+"/"+filterKey(s.Filter), h)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	// Near-duplicates: the same numbers twice in one section (conversions
	// and converted visitors often move together) say one thing; and no
	// section takes more than two lines.
	var out []Highlight
	perSection := map[int]int{}
	said := map[string]bool{}
	for _, h := range cands {
		key := fmt.Sprintf("%d/%v/%v", h.section, h.cur, h.prev)
		if said[key] || perSection[h.section] == 2 {
			continue
		}
		said[key] = true
		perSection[h.section]++
		out = append(out, h)
		if len(out) == maxHighlights {
			break
		}
	}
	if len(out) == 0 {
		if d.CompareLabel != "" {
			return []Highlight{{Text: "No notable changes against " + d.CompareLabel + "."}}
		}
		return []Highlight{{Text: quiet}}
	}
	return out
}

// figureKey identifies a figure across sections: shared wires (chats, the
// canonical averages) once per filter, others per report and group.
func figureKey(s *Section, m reports.Metric) string {
	if m.Wire == "chats" || m.IsAverage() {
		return m.Wire + "/" + filterKey(s.Filter)
	}
	return string(s.Report) + "/" + m.Wire + "/" + string(s.Group) + "/" + filterKey(s.Filter)
}

// subject names the figure; the section title is added where the metric's
// label alone is ambiguous ("Sent" → "Sent (Manual invitations)").
func subject(label, title string) string {
	if strings.Contains(strings.ToLower(title), strings.ToLower(label)) || strings.Contains(strings.ToLower(label), strings.ToLower(title)) {
		return label
	}
	return label + " (" + title + ")"
}

func changeSentence(d *Digest, subject string, cur, prev float64, u reports.Unit) string {
	verb := "rose"
	if cur < prev {
		verb = "fell"
	}
	if u == reports.Ratio {
		return fmt.Sprintf("%s %s from %s to %s", subject, verb, format.Percent(prev), format.Percent(cur))
	}
	pct := math.Abs(cur-prev) / prev * 100
	return fmt.Sprintf("%s %s %s%% (%s → %s)", subject, verb, format.Count(math.Round(pct)), d.value(prev, u), d.value(cur, u))
}

// where names the bucket or entity that accounts for most (more than
// half) of a count's change, or else the largest contributor as such.
func where(d *Digest, s *Section, m reports.Metric, delta float64) string {
	if m.IsAverage() || delta == 0 {
		return ""
	}
	type part struct {
		label string
		delta float64
	}
	var parts []part
	switch {
	case s.Group.IsDimension():
		prev := map[reports.ID]float64{}
		for _, r := range s.Previous {
			prev[reports.KeyOf(r, s.Group)] += reports.MetricValue(r, m, false)
		}
		for _, r := range s.Rows {
			k := reports.KeyOf(r, s.Group)
			parts = append(parts, part{d.Names.Name(s.Group, k), reports.MetricValue(r, m, false) - prev[k]})
		}
	case s.Group == reports.GroupDay && len(s.Rows) == len(s.Previous):
		// Same grain and as many buckets: day n against day n.
		for i, r := range s.Rows {
			b := reports.TimeOf(r)
			if b == nil || b.From.Kind != reports.SlotDateTime {
				return ""
			}
			parts = append(parts, part{d.instant(b.From.DateTime).Format("Mon 2"), reports.MetricValue(r, m, false) - reports.MetricValue(s.Previous[i], m, false)})
		}
	}
	best := -1
	for i, p := range parts {
		if p.delta*delta > 0 && (best < 0 || math.Abs(p.delta) > math.Abs(parts[best].delta)) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	sign, kind := "+", "rise"
	if parts[best].delta < 0 {
		sign, kind = "−", "drop"
	}
	at := onOrIn(s.Group) + format.Truncate(parts[best].label, 40)
	amount := sign + d.value(math.Abs(parts[best].delta), m.Unit)
	if math.Abs(parts[best].delta) > math.Abs(delta)/2 {
		return fmt.Sprintf(", most of it %s (%s)", at, amount)
	}
	// Not most of it: name it for what it is.
	return fmt.Sprintf("; the largest %s was %s (%s)", kind, at, amount)
}

func onOrIn(g reports.Group) string {
	if g.IsTime() {
		return "on "
	}
	return "from "
}
