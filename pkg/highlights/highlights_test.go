package highlights

import (
	"fmt"
	"strings"
	"testing"
)

func texts(ss []Statement) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Text)
	}
	return strings.Join(out, "\n")
}

func TestRanking(t *testing.T) {
	facts := []Fact{
		{Section: "s-chats", Metric: "Chat requests", Cur: 1533, Prev: 1548}, // -1%: not news
		{Section: "s-missed", Metric: "Missed chats", Cur: 116, Prev: 84, LowerIsBetter: true, // +38%, z 2.3
			Peak: "on Tue 14:00–16:00", PeakShare: 0.41},
		{Section: "s-conv", Metric: "Conversions", Cur: 144, Prev: 182, Parts: []Contributor{ // -21%, z 2.1
			{Label: "the Pricing page nudge", Cur: 40, Prev: 71}, {Label: "Checkout help", Cur: 104, Prev: 111}}},
		{Section: "s-wait", Metric: "Average wait", Unit: Seconds, Cur: 48, Prev: 36, CurN: 900, PrevN: 950, LowerIsBetter: true}, // +33% over 900 chats
		{Section: "s-accept", Metric: "Invitation acceptance", Unit: Ratio, Cur: 0.16, Prev: 0.20, CurN: 2000, PrevN: 2100},
	}
	got := texts(Select(facts, 5))
	want := strings.Join([]string{
		"Average wait rose 33% (36s → 48s).",
		"Invitation acceptance fell 4 points (20% → 16%).",
		"Missed chats rose 38% (84 → 116), 41% of them on Tue 14:00–16:00.",
		"Conversions fell 21% (182 → 144); the Pricing page nudge accounts for most of it (71 → 40).",
	}, "\n")
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := Select(facts, 2); len(got) != 2 || got[0].Section != "s-wait" {
		t.Errorf("max 2: %v", got)
	}
}

// A change from 2 to 4 doubles but is not news; nor is a big relative
// change of an average over a handful of chats.
func TestVolumeFloor(t *testing.T) {
	facts := []Fact{
		{Section: "a", Metric: "Offline messages", Cur: 4, Prev: 2},
		{Section: "b", Metric: "Average chat time", Unit: Seconds, Cur: 600, Prev: 300, CurN: 5, PrevN: 6},
		{Section: "c", Metric: "Positive ratings", Unit: Ratio, Cur: 1, Prev: 0.5, CurN: 3, PrevN: 4},
		{Section: "d", Metric: "Chats", Cur: 1100, Prev: 1000}, // +10% but z 2.2: news
	}
	if got := texts(Select(facts, 5)); got != "Chats rose 10% (1,000 → 1,100)." {
		t.Errorf("got %q", got)
	}
}

// Equal scores break by text, so the block never reorders between runs;
// the same section says one thing.
func TestTiesAndDuplicates(t *testing.T) {
	facts := []Fact{
		{Section: "x", Metric: "Visits", Cur: 200, Prev: 100},
		{Section: "y", Metric: "Chats", Cur: 200, Prev: 100},
		{Section: "y", Metric: "Chat requests", Cur: 210, Prev: 100},
	}
	for i := 0; i < 3; i++ {
		got := texts(Select(facts, 5))
		want := "Chat requests rose 110% (100 → 210).\nVisits rose 100% (100 → 200)."
		if got != want {
			t.Fatalf("run %d: got\n%s\nwant\n%s", i, got, want)
		}
		facts[0], facts[2] = facts[2], facts[0]
	}
}

func TestAllQuiet(t *testing.T) {
	facts := []Fact{{Section: "a", Metric: "Chats", Cur: 1000, Prev: 1005}}
	if got := Select(facts, 5); len(got) != 0 {
		t.Fatalf("quiet period said %v", got)
	}
	for kind, want := range map[string]string{"week": "No notable changes this week.", "day": "No notable changes on this day.", "month": "No notable changes this month."} {
		if got := Quiet(kind); got != want {
			t.Errorf("Quiet(%s) = %q", kind, got)
		}
	}
}

func TestNothingFromBrokenNumbers(t *testing.T) {
	nan := 0.0
	nan = nan / nan
	facts := []Fact{{Section: "a", Metric: "Chats", Cur: nan, Prev: 10}, {Section: "b", Metric: "Visits", Cur: 50, Prev: 0}}
	got := texts(Select(facts, 5))
	if got != "Visits rose from none to 50." {
		t.Errorf("got %q", fmt.Sprint(got))
	}
}
