// Package linktoken signs and checks the tokens in mail links: the
// one-click unsubscribe link, the archive link, and the acknowledge and
// silence links in alerts. A token carries what
// the link acts on and when it expires, signed with HMAC-SHA256 under a
// key only the stack knows, so a link works without cookies or a login
// (RFC 8058's POST carries neither) and cannot be forged or altered.
package linktoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kinds of link.
const (
	Unsubscribe = "u"
	Archive     = "a"
	Acknowledge = "ack" // acknowledge an alert episode
	Silence     = "sil" // silence an alert rule's scope
)

// MinKeyBytes is the shortest signing key accepted.
const MinKeyBytes = 32

// Claims is what a token says.
type Claims struct {
	Kind      string `json:"k"`
	Recipient string `json:"r,omitempty"`  // unsubscribe: the address
	Digest    string `json:"d,omitempty"`  // unsubscribe: the digest id
	Title     string `json:"n,omitempty"`  // unsubscribe: the digest's title when the mail was sent, for the page
	Object    string `json:"o,omitempty"`  // archive: the object key
	Rule      string `json:"ru,omitempty"` // ack, silence: the alert rule
	Instance  string `json:"in,omitempty"` // ack, silence: the alert's scope ("department:…")
	Episode   int64  `json:"ep,omitempty"` // ack: the episode's start, Unix seconds
	For       int64  `json:"f,omitempty"`  // silence: seconds from the click
	Until     int64  `json:"un,omitempty"` // silence: its end, Unix seconds (instead of For)
	Zone      string `json:"z,omitempty"`  // ack, silence: the zone the page shows times in
	IssuedAt  int64  `json:"i"`            // Unix seconds
	Expires   int64  `json:"x"`            // Unix seconds
}

// Errors a check returns; the links page tells them apart.
var (
	ErrInvalid = errors.New("link is not valid")
	ErrExpired = errors.New("link has expired")
)

// Signer makes and checks tokens with one key.
type Signer struct{ key []byte }

// NewSigner returns a Signer for key, which must be at least MinKeyBytes.
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("link signing key: %d bytes, want at least %d", len(key), MinKeyBytes)
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

var b64 = base64.RawURLEncoding

func (s *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("reportmailer-link-v1."))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// Sign returns the token for c.
func (s *Signer) Sign(c Claims) string {
	raw, _ := json.Marshal(c)
	payload := b64.EncodeToString(raw)
	return payload + "." + b64.EncodeToString(s.mac(payload))
}

// Verify checks tok's signature and expiry at now and returns its claims.
// An altered or forged token is ErrInvalid; an intact one past its expiry
// is ErrExpired (its claims are returned too, for the page's wording).
func (s *Signer) Verify(tok string, now time.Time) (Claims, error) {
	var c Claims
	payload, sig, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 2048 {
		return c, ErrInvalid
	}
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(payload)) {
		return c, ErrInvalid
	}
	raw, err := b64.DecodeString(payload)
	if err != nil || json.Unmarshal(raw, &c) != nil || c.Kind == "" {
		return Claims{}, ErrInvalid
	}
	if now.Unix() >= c.Expires {
		return c, ErrExpired
	}
	return c, nil
}
