package linktoken

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func signer(t *testing.T, key string) *Signer {
	t.Helper()
	s, err := NewSigner([]byte(strings.Repeat(key, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerify(t *testing.T) {
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	s := signer(t, "k")
	c := Claims{Kind: Unsubscribe, Recipient: "ana@example.com", Digest: "weekly", IssuedAt: now.Unix(), Expires: now.Add(90 * 24 * time.Hour).Unix()}
	tok := s.Sign(c)
	payload, sig, _ := strings.Cut(tok, ".")
	other := signer(t, "x").Sign(c)
	altered := s.Sign(Claims{Kind: Unsubscribe, Recipient: "bob@example.com", Digest: "weekly", IssuedAt: c.IssuedAt, Expires: c.Expires})
	cases := []struct {
		name string
		tok  string
		at   time.Time
		want error
	}{
		{"valid", tok, now, nil},
		{"expired", tok, now.Add(91 * 24 * time.Hour), ErrExpired},
		{"other key", other, now, ErrInvalid},
		{"payload swapped under the old signature", strings.Split(altered, ".")[0] + "." + sig, now, ErrInvalid},
		{"signature cut", payload + "." + sig[:10], now, ErrInvalid},
		{"no signature", payload, now, ErrInvalid},
		{"garbage", "%%%.***", now, ErrInvalid},
		{"empty", "", now, ErrInvalid},
		{"huge", strings.Repeat("a", 5000) + "." + sig, now, ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Verify(tc.tok, tc.at)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify: %v, want %v", err, tc.want)
			}
			if err == nil && got != c {
				t.Fatalf("claims %+v, want %+v", got, c)
			}
		})
	}
}

func TestShortKeyRefused(t *testing.T) {
	if _, err := NewSigner([]byte("short")); err == nil {
		t.Fatal("a 5-byte key was accepted")
	}
}
