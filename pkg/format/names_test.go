package format

import (
	"testing"
	"unicode/utf8"

	"reportmailer/pkg/reports"
)

// An id with no name is cut short by characters, never inside one.
func TestNameCutsLongIDsByCharacters(t *testing.T) {
	for _, tc := range []struct {
		id   reports.ID
		want string
	}{
		{"3f2504e0-4f89-11d3-9a0c-0305e82c3301", "Agent 3f2504e0…"},
		{"abcdefgÑÑÑÑÑÑÑ", "Agent abcdefgÑ…"},
		{"abcdef€€€€€€€€", "Agent abcdef€€…"},
		{"ÑÑÑÑÑÑÑÑÑÑÑÑÑÑ", "Agent ÑÑÑÑÑÑÑÑ…"},
		{"ÑÑÑÑÑÑÑ", "Agent ÑÑÑÑÑÑÑ"}, // 14 bytes, 7 characters: short enough
		{"a2", "Agent a2"},
	} {
		got := Names{}.Name(reports.GroupAgent, tc.id)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("Name(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}
