package config

import "fmt"

// formerIDs checks the digests' formerIds. Each is an id whose
// unsubscribes the digest inherits, so it must name one digest only: not
// a live digest (whose own readers' choices would cross over), not the
// former id of another digest, and not listed twice.
func (v *validator) formerIDs(ds []Digest) {
	live := map[string]int{}
	for i, d := range ds {
		if _, ok := live[d.ID]; !ok && d.ID != "" {
			live[d.ID] = i
		}
	}
	claimed := map[string]int{}
	for i, d := range ds {
		mine := map[string]bool{}
		for j, id := range d.FormerIDs {
			p := fmt.Sprintf("digests[%d].formerIds[%d]", i, j)
			other, isLive := live[id]
			prev, isClaimed := claimed[id]
			switch {
			case id == "":
				v.add(p, "empty")
			case !plainKey.MatchString(id):
				v.add(p, "%q: use letters, digits, - and _", id)
			case id == d.ID:
				v.add(p, "%q is this digest's own id", id)
			case isLive:
				v.add(p, "%q is the id of a live digest (digests[%d]): its unsubscribes would apply to both", id, other)
			case mine[id]:
				v.add(p, "%q is listed twice", id)
			case isClaimed:
				v.add(p, "%q is already a former id of digests[%d] (%s): unsubscribes under it would apply to both", id, prev, ds[prev].ID)
			}
			if !mine[id] {
				mine[id] = true
				if !isClaimed {
					claimed[id] = i
				}
			}
		}
	}
}
