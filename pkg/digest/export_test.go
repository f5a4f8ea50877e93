package digest

import (
	"sort"
	"strings"
	"time"
)

// Lease is how long a send-log claim blocks other runs.
const Lease = 10 * time.Minute

func init() {
	if lease != Lease {
		panic("digest: Lease out of date")
	}
}

// GroupKey is the send-log key of the group message of digest id for the
// period span (first_last day) to addrs (bare, any order).
func GroupKey(id, span string, addrs ...string) string {
	bares := append([]string{}, addrs...)
	sort.Strings(bares)
	return "digest#" + id + "#" + span + "#g" + addressHash(strings.Join(bares, "\n"))
}

// GroupMessageID is that message's Message-ID, in angle brackets.
func GroupMessageID(id, span string, addrs ...string) string {
	k := GroupKey(id, span, addrs...)
	return "<digest." + id + "." + span + "." + k[strings.LastIndex(k, "#")+1:] + "@reportmailer>"
}

// AddressHash names a reader in send-log keys.
var AddressHash = addressHash
