package digest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	netmail "net/mail"
	"sort"
	"strings"
	"time"

	"reportmailer/pkg/mail"
	"reportmailer/pkg/period"
	"reportmailer/pkg/sendlog"
	"reportmailer/pkg/suppress"
)

// Who gets what. With a link issuer (mail.linksBaseURL and a signing key),
// a digest goes as one message per recipient: the recipient alone in To,
// with their own one-click unsubscribe link (RFC 8058), and its own
// send-log key digest#<id>#<period>#r<hash of the address>. to, cc and bcc
// then all mean "receives the digest": nobody sees the others' addresses,
// and an address listed twice gets one copy. Without an issuer, messages
// go to groups of at most 50 recipients (recipientGroups) as before, with
// mail.unsubscribe's fixed header if set. Either way, addresses that
// unsubscribed (suppress.Store) are dropped first.

// LinkIssuer writes the signed links of a mail (links.Issuer).
type LinkIssuer interface {
	// Unsubscribe is recipient's one-click unsubscribe URL for the digest.
	Unsubscribe(digest, title, recipient string, now time.Time) string
	// Archive is a URL that redirects to the archived object until now+ttl.
	Archive(key string, ttl time.Duration, now time.Time) string
}

// ArchiveLinkTTL is how long a linked oversize PDF stays reachable; the
// mail states it ("the link works for 7 days").
const ArchiveLinkTTL = 7 * 24 * time.Hour

// delivery is one message of a run: its recipients and send-log key.
type delivery struct {
	key string
	// legacy is the key the same message had before keys named the whole
	// period (legacyKeyPrefix); its record still counts (legacyRecord).
	legacy string
	// id tells the message apart in its Message-ID.
	id          string
	to, cc, bcc []string
	// personal is the one recipient (bare address) of a message that
	// carries their own unsubscribe link; empty for group messages.
	personal string
	// members are a group message's readers, each with their own
	// send-log key (the key a personal message to them has): see
	// (*run).claimMembers.
	members []member
}

// member is one reader of a group message.
type member struct{ bare, key string }

// planRecipients decides the copies (audience.go) and their messages,
// after dropping the recipients who unsubscribed (one Query per digest),
// and hands on the plan with them. nobodyLeft ends the run: every
// reader unsubscribed.
func planRecipients(ctx context.Context, r *run, p plan) (_ plan, nobodyLeft bool, err error) {
	d := r.d
	scopes := scopesOf(r.cfg, d)
	if r.req.TestTo != "" {
		for _, sc := range scopes {
			sc.deliveries = r.deliveriesOf(p.period, sc, []string{r.req.TestTo}, nil, nil)
		}
		p.scopes = scopes
		return p, false, nil
	}
	var gone map[string]bool
	if r.suppress != nil && r.req.Send {
		if gone, err = r.suppress.Suppressed(ctx, d.ID, d.FormerIDs...); err != nil {
			return p, false, fmt.Errorf("digest %s: %w", d.ID, err)
		}
	}
	before, dropped := 0, 0
	p.scopes = nil
	for _, sc := range scopes {
		n := len(sc.to) + len(sc.cc) + len(sc.bcc)
		to, cc, bcc := without(sc.to, gone), without(sc.cc, gone), without(sc.bcc, gone)
		before, dropped = before+n, dropped+n-len(to)-len(cc)-len(bcc)
		if len(to)+len(cc)+len(bcc) == 0 {
			continue // every reader of this copy left: not even fetched
		}
		sc.deliveries = r.deliveriesOf(p.period, sc, to, cc, bcc)
		p.scopes = append(p.scopes, sc)
	}
	p.suppressed = dropped
	if dropped > 0 {
		r.logger.Info("unsubscribed recipients dropped", "suppressed", dropped, "remaining", before-dropped)
	}
	if len(p.scopes) == 0 {
		r.logger.Info("every recipient has unsubscribed; nothing sent", "suppressed", dropped)
		return p, true, nil
	}
	return p, false, nil
}

// deliveriesOf is one message per recipient with an issuer, else groups.
// Keys are digest#<id>#<period>#<part or r<address hash>>, with the
// copy's <filter>=<value> before the last part for an audience member's.
func (r *run) deliveriesOf(p period.Period, sc *scope, to, cc, bcc []string) []delivery {
	prefix, legacy, idPrefix := sendKeyPrefix(r.d, p), legacyKeyPrefix(r.d, p), ""
	if sc.key != "" {
		prefix, legacy, idPrefix = prefix+sc.key+"#", legacy+sc.key+"#", sc.key+"."
	}
	if r.links == nil {
		// A group is keyed by its members, not its position: adding an
		// address at the top of the list changes only the groups whose
		// members change, and each member's own record (claimMembers)
		// keeps a reader from a second copy in a regrouped message.
		groups := recipientGroups(to, cc, bcc)
		out := make([]delivery, len(groups))
		for i, g := range groups {
			var members []member
			var bares []string
			for _, list := range [][]string{g.to, g.cc, g.bcc} {
				for _, a := range list {
					b := bareAddress(a)
					members = append(members, member{bare: b, key: prefix + "r" + addressHash(b)})
					bares = append(bares, b)
				}
			}
			sort.Strings(bares)
			h := "g" + addressHash(strings.Join(bares, "\n"))
			out[i] = delivery{key: prefix + h, legacy: fmt.Sprintf("%s%d", legacy, i+1),
				id: idPrefix + h, to: g.to, cc: g.cc, bcc: g.bcc, members: members}
		}
		return out
	}
	var out []delivery
	seen := map[string]bool{}
	for _, list := range [][]string{to, cc, bcc} {
		for _, addr := range list {
			bare := bareAddress(addr)
			if seen[bare] {
				continue
			}
			seen[bare] = true
			h := "r" + addressHash(bare)
			out = append(out, delivery{key: prefix + h, legacy: legacy + h, id: idPrefix + h, to: []string{addr}, personal: bare})
		}
	}
	return out
}

// bareAddress is the normalised address without its display name.
func bareAddress(addr string) string {
	if a, err := netmail.ParseAddress(addr); err == nil {
		return suppress.Normalize(a.Address)
	}
	return suppress.Normalize(addr)
}

// addressHash names a recipient in keys and Message-IDs without writing
// the address into the send log.
func addressHash(bare string) string {
	sum := sha256.Sum256([]byte(bare))
	return hex.EncodeToString(sum[:8])
}

func without(list []string, gone map[string]bool) []string {
	if len(gone) == 0 {
		return list
	}
	var out []string
	for _, a := range list {
		if !gone[bareAddress(a)] {
			out = append(out, a)
		}
	}
	return out
}

// settled says whether every message of the run is settled for good:
// sent, of unknown outcome (never retried blindly), or rejected for good
// (retried only when a person asks).
func settled(ctx context.Context, sends sendlog.Log, ds []delivery, ended time.Time, retryFailed bool) (bool, error) {
	if len(ds) == 0 {
		return false, nil // nothing planned: nothing can be settled
	}
	for _, dl := range ds {
		rec, err := sends.Get(ctx, dl.key)
		if err == nil && rec == nil {
			rec, err = legacyRecord(ctx, sends, dl.legacy, ended)
		}
		if err != nil {
			return false, err
		}
		final := rec != nil && (rec.State == sendlog.StateSent || rec.State == sendlog.StateUnknown || (rec.State == sendlog.StateFailed && !retryFailed))
		if !final {
			return false, nil
		}
	}
	return true, nil
}

// legacyRecord reads a message's record under its old key (legacy), and
// returns it only if it was written for this period, which ended at
// ended. The old key named the period by its first day alone, so the
// record of a day can sit under the key of the week or month starting
// that day; but no period's message is sent before the period ends, so a
// record written (or claimed) earlier belongs to a shorter period.
func legacyRecord(ctx context.Context, sends sendlog.Log, legacy string, ended time.Time) (*sendlog.Record, error) {
	if legacy == "" {
		return nil, nil
	}
	rec, err := sends.Get(ctx, legacy)
	if err != nil || rec == nil {
		return nil, err
	}
	if rec.State == sendlog.StateInProgress {
		if rec.LeaseUntil.After(ended.Add(lease)) {
			return rec, nil
		}
		return nil, nil
	}
	if rec.SentAt.Before(ended) {
		return nil, nil
	}
	return rec, nil
}

// unsubscribeHeaders adds List-Unsubscribe: the recipient's own signed
// one-click link (RFC 8058: https, with List-Unsubscribe-Post), or for
// group messages the configured fixed URL. It returns the URL ("" if none).
func (r *run) unsubscribeHeaders(m *mail.Message, g delivery) string {
	u := r.cfg.Mail.Unsubscribe
	if g.personal != "" && r.links != nil {
		u = r.links.Unsubscribe(r.d.ID, r.d.Title, g.personal, r.now())
	}
	if u == "" {
		return ""
	}
	m.Headers["List-Unsubscribe"] = "<" + u + ">"
	if strings.HasPrefix(u, "https://") {
		m.Headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	return u
}
