package config_test

import (
	"strings"
	"testing"

	"reportmailer/pkg/config"
)

// TestLinksBaseURLWithAPathIsRefused: the links function answers /u, /r,
// /a, /ack and /silence at its root, and its pages' buttons post to those
// root paths. A base URL with a path validated, then every link in every
// mail answered 404 (behind a proxy that strips the prefix, the pages'
// buttons would post outside it).
func TestLinksBaseURLWithAPathIsRefused(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"https://example.com/links/", "https://example.com/links"} {
		_, err := config.Load([]byte(sample("", ", linksBaseURL: "+base, "", "", "")))
		if err == nil || !strings.Contains(err.Error(), "mail.linksBaseURL") {
			t.Errorf("linksBaseURL %s accepted (err = %v)", base, err)
		}
	}
}
