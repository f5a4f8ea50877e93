package render

import (
	"strings"
	"testing"
)

// TestCSVText: formulas are neutralised, control characters become
// spaces, and nothing is cut.
func TestCSVText(t *testing.T) {
	t.Parallel()
	long := "https://www.example.com/" + strings.Repeat("a", 2000)
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Zoë Brontë 😀", "Zoë Brontë 😀"},
		{"=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
		{"-1", "'-1"},
		{"Ann\x00Lee", "Ann Lee"},
		{"\tTab", " Tab"},
		{"a\x7fb\u0085c", "a b c"},
		{long, long},
	} {
		if got := csvText(tc.in); got != tc.want {
			t.Errorf("csvText(%.40q) = %.40q, want %.40q", tc.in, got, tc.want)
		}
	}
}
