package workbook

import (
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// Sheet names are valid and unique for Excel: at most 31 UTF-16 units,
// none of []:*?/\, no apostrophe at either end, not "History", and
// unique ignoring case.
func TestSheetNames(t *testing.T) {
	b := &book{names: map[string]bool{"summary": true}}
	for _, tc := range []struct{ title, want string }{
		{"Chat volume", "Chat volume"},
		{"chat VOLUME", "chat VOLUME (2)"},
		{"Summary", "Summary (2)"},
		{"History", "Section"},
		{"a/b:c*d?e[f]g\\h", "a b c d e f g h"},
		{"'quoted'", "quoted"},
		{"", "Section (2)"},
		{strings.Repeat("😀", 20), strings.Repeat("😀", 15)},
		{strings.Repeat("x", 40), strings.Repeat("x", 31)},
		{strings.Repeat("x", 40), strings.Repeat("x", 27) + " (2)"},
		// Cut at 31, a title may end in an apostrophe Excel (and
		// excelize, failing the whole workbook) refuses.
		{"Support and Sales Departments' weekly figures", "Support and Sales Departments"},
		{"Support and Sales Department ' x", "Support and Sales Department"},
		{"ab'" + strings.Repeat(" ", 30) + "x", "ab"},
		{"Support and Sales Departments' weekly", "Support and Sales Departmen (2)"},
	} {
		got := b.sheetName(tc.title)
		if got != tc.want {
			t.Errorf("sheetName(%q) = %q, want %q", tc.title, got, tc.want)
		}
		if _, err := excelize.NewFile().NewSheet(got); err != nil {
			t.Errorf("%q: %v", got, err)
		}
		if n := len(utf16.Encode([]rune(got))); n > maxSheetName {
			t.Errorf("%q is %d UTF-16 units", got, n)
		}
	}
}
