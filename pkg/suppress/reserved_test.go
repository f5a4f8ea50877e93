package suppress

import (
	"slices"
	"strings"
	"testing"

	"reportmailer/pkg/config"
)

// The suppressions live under digest#unsub#; the send log under
// digest#<id>#. The word between must be a digest id validate refuses, or
// that digest's send log would share the suppressions' keys.
func TestKeyPrefixIsAReservedDigestID(t *testing.T) {
	word, ok := strings.CutPrefix(KeyPrefix, "digest#")
	word = strings.TrimSuffix(word, "#")
	if !ok || !slices.Contains(config.ReservedDigestIDs, word) {
		t.Errorf("KeyPrefix %q: %q is not in config.ReservedDigestIDs %v", KeyPrefix, word, config.ReservedDigestIDs)
	}
}
