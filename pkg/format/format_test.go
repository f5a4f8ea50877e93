package format

import (
	"math"
	"testing"
)

// Out-of-range numbers format without crashing: 1e19 seconds used to
// recurse until the stack overflowed (int64 overflow made it negative).
func TestOutOfRangeValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"duration 1e19", Duration(1e19), ">11574074d 1h"},
		{"duration -1e19", Duration(-1e19), "->11574074d 1h"},
		{"duration NaN", Duration(math.NaN()), "—"},
		{"duration +Inf", Duration(math.Inf(1)), ">11574074d 1h"},
		{"duration ordinary", Duration(750), "12m 30s"},
		{"count NaN", Count(math.NaN()), "—"},
		{"count Inf", Count(math.Inf(1)), "+Inf"},
		{"count 1e19", Count(1e19), "1e+19"},
		{"count 1e9", Count(1e9), "1,000,000,000"},
		{"percent NaN", Percent(math.NaN()), "—"},
		{"money NaN", Money(math.NaN()), "—"},
		{"money ordinary", Money(1234.5), "1,234.50"},
		{"money in EUR", MoneyIn(1234.5, "EUR"), "EUR 1,234.50"},
		{"change NaN", Change(math.NaN(), 3, false, false).Text, "—"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

// Money rounds to cents before it splits whole and cents: 19.995 used to
// print "19.00" (the cents rounded to 100 and wrapped to 00) and -0.5
// "0.50" (the sign went with the truncated zero), while the target
// judgement (figures.ShownValue) read 20.00 and -0.50.
func TestMoneyRoundsToCents(t *testing.T) {
	for v, want := range map[float64]string{
		19.995: "20.00", 1.999: "2.00", 999.999: "1,000.00", -0.5: "-0.50", -1.999: "-2.00",
		0.004: "0.00", 1234.5: "1,234.50", 0: "0.00", -0.001: "0.00",
	} {
		if got := Money(v); got != want {
			t.Errorf("Money(%v) = %q, want %q", v, got, want)
		}
	}
}
