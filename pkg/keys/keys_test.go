package keys_test

import (
	"slices"
	"strings"
	"testing"

	"reportmailer/pkg/config"
	"reportmailer/pkg/keys"
)

// The suppressions live under digest#unsub#; the send log under
// digest#<id>#. The word between must be a digest id validate refuses, or
// that digest's send log would share the suppressions' keys.
func TestKeyPrefixIsAReservedDigestID(t *testing.T) {
	word, ok := strings.CutPrefix(keys.Unsub, keys.Digest)
	word = strings.TrimSuffix(word, "#")
	if !ok || !slices.Contains(config.ReservedDigestIDs, word) {
		t.Errorf("Unsub %q: %q is not in config.ReservedDigestIDs %v", keys.Unsub, word, config.ReservedDigestIDs)
	}
	if !strings.HasPrefix(keys.SendLog(word, "2026-01-01_2026-01-31"), keys.Unsub) {
		t.Errorf("a digest %q would not write among the suppressions; is the word still reserved for a reason?", word)
	}
}

// TestBuildersUseTheirPrefix: each key starts with the prefix the
// template grants for it, and none of another kind's longer prefix.
func TestBuildersUseTheirPrefix(t *testing.T) {
	for _, tc := range []struct{ key, prefix string }{
		{keys.SendLog("weekly", "2026-01-05_2026-01-11"), keys.Digest},
		{keys.Suppressions("weekly"), keys.Unsub},
		{keys.AlertState("queue"), keys.Alert},
	} {
		if !strings.HasPrefix(tc.key, tc.prefix) {
			t.Errorf("%q does not start with %q", tc.key, tc.prefix)
		}
		for _, other := range keys.Prefixes {
			if len(other) > len(tc.prefix) && strings.HasPrefix(tc.key, other) {
				t.Errorf("%q falls under %q, another kind's prefix", tc.key, other)
			}
		}
	}
}
