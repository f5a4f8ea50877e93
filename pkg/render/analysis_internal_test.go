package render

import "testing"

func TestRankedFoldsOthers(t *testing.T) {
	var es []entry
	for i := 0; i < 14; i++ {
		es = append(es, entry{label: string(rune('a' + i)), value: 30})
	}
	sum := ranked(append([]entry{}, es...), 10, false)
	avg := ranked(append([]entry{}, es...), 10, true)
	if len(sum) != 11 || sum[10].label != "4 others" || sum[10].value != 120 {
		t.Errorf("counts: %+v", sum[10])
	}
	if avg[10].value != 30 {
		t.Errorf("averages fold to their mean, got %v", avg[10].value)
	}
	if short := ranked(es[:11], 10, false); len(short) != 11 || short[10].others != 0 {
		t.Error("one extra entry is shown, not folded into '1 others'")
	}
}
