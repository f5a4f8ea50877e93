package config

import (
	"net/url"
	"strings"
)

// linksBaseURL checks mail.linksBaseURL: an absolute https:// URL with a
// host and nothing after the path, since link paths and tokens are
// appended to it.
func (v *validator) linksBaseURL(raw string) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || hasControl(raw) || strings.ContainsAny(raw, "<> "):
		v.add("mail.linksBaseURL", "%q is not a URL", raw)
	case u.Scheme != "https" || u.Host == "":
		v.add("mail.linksBaseURL", "%q: want an https:// URL (RFC 8058 one-click unsubscribe requires https)", raw)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		v.add("mail.linksBaseURL", "%q: want a base URL without query, fragment or user info", raw)
	}
}
