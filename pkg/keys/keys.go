// Package keys builds every partition key of the reportmailer table. The
// table is shared by the functions; template.yaml's dynamodb:LeadingKeys
// conditions give each function's role only its own prefixes, and
// internal/deploytest checks those conditions against the builders here.
// A new kind of item adds its prefix to Prefixes, a builder below and a
// grant in template.yaml.
package keys

// Prefixes of the partition keys, one per kind of item.
const (
	// Digest starts the send log of every digest: SendLog.
	Digest = "digest#"
	// Unsub starts the suppressions (unsubscribes) of every digest:
	// Suppressions. It sits under Digest, so its word is a reserved
	// digest id.
	Unsub = Digest + unsubWord + "#"
	// Alert starts the state of every alert rule: AlertState.
	Alert = "alert#"
	// AlertControl is the one partition of the on-call acknowledgements
	// and silences. Rule ids cannot hold '#', so no rule's AlertState is
	// under it.
	AlertControl = Alert + "ctl#"
	// History starts the queue history each alert poll keeps: History.
	History = "history#"
)

// Prefixes lists every prefix above: each must be granted to some role in
// template.yaml (TestKeyPrefixesMatchTheCode).
var Prefixes = []string{Digest, Unsub, Alert, AlertControl, History}

const unsubWord = "unsub"

// ReservedDigestIDs cannot name a digest: each is a word the table's keys
// use after Digest for something else. A digest "unsub" would write its
// send log (digest#unsub#<period>#…) among the suppressions
// (Unsub, "digest#unsub#<digest>"), where the public links function may
// write. Compared case-insensitively.
var ReservedDigestIDs = []string{unsubWord}

// SendLog starts the send-log key of every message of one digest period:
// digest#<id>#<period>#, then the part (or reader) it names. period is
// the period's span (<first day>_<last day>), or its first day for the
// records written before keys named the whole period.
func SendLog(digestID, period string) string {
	return Digest + digestID + "#" + period + "#"
}

// Suppressions is the partition of one digest's unsubscribes:
// digest#unsub#<digest>.
func Suppressions(digestID string) string { return Unsub + digestID }

// AlertState is the partition of one rule's alert states: alert#<rule>.
func AlertState(ruleID string) string { return Alert + ruleID }

// QueueHistory is the partition of one site's queue history for one UTC
// day: history#<site>#<yyyy-mm-dd>.
func QueueHistory(siteID, day string) string { return History + siteID + "#" + day }
