package figures

import "testing"

type member struct {
	label  string
	value  float64
	weight float64
}

// TestRankedFoldsTheTail: the largest lead, ties by label; the rest fold
// to their weighted mean, and one extra member is shown, not folded.
func TestRankedFoldsTheTail(t *testing.T) {
	t.Parallel()
	value := func(m member) float64 { return m.value }
	label := func(m member) string { return m.label }
	weight := func(m member) float64 { return m.weight }
	ms := []member{{"c", 1, 1}, {"b", 5, 1}, {"a", 5, 1}, {"d", 3, 3}, {"e", 2, 1}}
	lead, rest, others, fold := Ranked(ms, 2, value, label, weight)
	if !fold || len(lead) != 2 || lead[0].label != "a" || lead[1].label != "b" || len(rest) != 3 {
		t.Fatalf("lead %v, rest %v, fold %v", lead, rest, fold)
	}
	if want := (3*3 + 2 + 1) / 5.0; others != want {
		t.Errorf("others = %v, want the weighted mean %v", others, want)
	}
	if _, _, _, fold := Ranked(ms[:3], 2, value, label, nil); fold {
		t.Error("one extra member is folded")
	}
}
