package figures

import "sort"

// Ranked orders a ranked list and folds its tail: entries are sorted in
// place by value, largest first (ties by label, stably); when more than
// top+1 remain, the first top lead and the rest fold into one "others"
// figure: their mean, each weighted by weight (nil weighs every entry 1).
// A sum of the rest would dwarf every single member on a shared axis, so
// every ranked table and chart folds this one way. fold is false when the
// list is short enough to show whole (one extra entry is shown, not
// folded into "1 others").
func Ranked[E any](entries []E, top int, value func(E) float64, label func(E) string, weight func(E) float64) (lead, rest []E, others float64, fold bool) {
	sort.SliceStable(entries, func(i, j int) bool {
		if vi, vj := value(entries[i]), value(entries[j]); vi != vj {
			return vi > vj
		}
		return label(entries[i]) < label(entries[j])
	})
	if len(entries) <= top+1 {
		return entries, nil, 0, false
	}
	var wsum, wv float64
	for _, e := range entries[top:] {
		w := 1.0
		if weight != nil {
			w = weight(e)
		}
		wsum += w
		wv += w * value(e)
	}
	if wsum != 0 {
		others = wv / wsum
	}
	return entries[:top:top], entries[top:], others, true
}
