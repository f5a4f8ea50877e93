package config_test

import (
	"strings"
	"testing"

	"reportmailer/pkg/config"
)

// TestValuesThatBreakLater: each value here passed validate and failed
// only when a digest ran, a link was clicked or an archive written. Each
// is now a problem at its path, saying what to write instead.
func TestValuesThatBreakLater(t *testing.T) {
	t.Parallel()
	longest := strings.Repeat("d", config.MaxDigestIDLen)
	for _, tc := range []struct {
		name                            string
		comm100, mail, names, dig, rule string
		path, message                   string
		ok                              bool
	}{
		{name: "1,500-character digest id", dig: ", id: " + strings.Repeat("d", 1500), path: "digests[0].id", message: "at most 64"},
		{name: "digest id one over the bound", dig: ", id: " + longest + "x", path: "digests[0].id", message: "at most 64"},
		{name: "digest id at the bound", dig: ", id: " + longest, ok: true},
		{name: "digest id unsub", dig: ", id: unsub", path: "digests[0].id", message: "reserved"},
		{name: "digest id UNSUB", dig: ", id: UNSUB", path: "digests[0].id", message: "reserved"},
		{name: "non-ASCII local part", dig: ", to: [josé@example.com]", path: "digests[0].to[0]", message: "SMTPUTF8"},
		{name: "non-ASCII local part in from", mail: ", from: 'José <josé@example.com>'", path: "mail.from", message: "ASCII"},
		{name: "non-ASCII local part in an alert", rule: ", to: [ñandú@example.com]", path: "alerts.rules[0].to[0]", message: "ASCII"},
		{name: "non-ASCII domain", dig: ", to: [jose@bücher.example]", path: "digests[0].to[0]", message: "jose@xn--bcher-kva.example"},
		{name: "non-ASCII display name is fine", mail: ", from: 'José Núñez <jose@example.com>'", ok: true},
		{name: "Punycode domain is fine", dig: ", to: [jose@xn--bcher-kva.example]", ok: true},
		{name: "archive prefix outside the grant", mail: ", archivePrefix: archive/", path: "mail.archivePrefix", message: "digests/"},
		{name: "archive prefix that only starts like the grant", mail: ", archivePrefix: digests-old/", path: "mail.archivePrefix", message: "digests/"},
		{name: "archive prefix climbing out", mail: ", archivePrefix: digests/../x/", path: "mail.archivePrefix"},
		{name: "archive prefix inside the grant", mail: ", archivePrefix: digests/site-a/", ok: true},
		{name: "archive prefix without its slash", mail: ", archivePrefix: digests", path: "mail.archivePrefix", message: "digests/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load([]byte(sample(tc.comm100, tc.mail, tc.names, tc.dig, tc.rule)))
			if tc.ok {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			ps, ok := err.(config.Problems)
			if !ok {
				t.Fatalf("accepted (err = %v)", err)
			}
			for _, p := range ps {
				if p.Path == tc.path && strings.Contains(p.Message, tc.message) {
					return
				}
			}
			t.Errorf("no problem at %s containing %q; got:\n%v", tc.path, tc.message, err)
		})
	}
}
