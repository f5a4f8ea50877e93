package config

import (
	"strings"
	"testing"
)

// TestNameRules checks the name rules at the ends of their lengths.
func TestNameRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rule  nameRule
		value string
		ok    bool
	}{
		{"site id, 12 digits", siteID, strings.Repeat("1", 12), true},
		{"site id, 13 digits", siteID, strings.Repeat("1", 13), false},
		{"site id, empty", siteID, "", false},
		{"site id, a letter", siteID, "12a", false},
		{"bucket, 2", bucketName, "ab", false},
		{"bucket, 3", bucketName, "abc", true},
		{"bucket, 63", bucketName, "a" + strings.Repeat("b.-", 20) + "c", true},
		{"bucket, 64", bucketName, "a" + strings.Repeat("b", 62) + "c", false},
		{"bucket, ends in a dot", bucketName, "abc.", false},
		{"bucket, starts with a dash", bucketName, "-abc", false},
		{"bucket, upper case", bucketName, "Abc", false},
		{"configuration set, 64", configSetName, strings.Repeat("a", 64), true},
		{"configuration set, 65", configSetName, strings.Repeat("a", 65), false},
		{"configuration set, a dot", configSetName, "a.b", false},
		{"table, 2", tableName, "ab", false},
		{"table, 3", tableName, "a.b", true},
		{"table, 255", tableName, strings.Repeat("a", 255), true},
		{"table, 256", tableName, strings.Repeat("a", 256), false},
	} {
		if got := tc.rule.MatchString(tc.value); got != tc.ok {
			t.Errorf("%s: MatchString(%q) = %v, want %v", tc.name, tc.value, got, tc.ok)
		}
	}
}
