package config

import (
	"net/url"
	"strings"
)

// linksBaseURL checks mail.linksBaseURL: an absolute https:// URL with a
// host and no path, query or fragment, since link paths and tokens are
// appended to it and the function answers them at its root.
func (v *validator) linksBaseURL(raw string) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || hasControl(raw) || strings.ContainsAny(raw, "<> "):
		v.add("mail.linksBaseURL", "%q is not a URL", raw)
	case u.Scheme != "https" || u.Host == "":
		v.add("mail.linksBaseURL", "%q: want an https:// URL (RFC 8058 one-click unsubscribe requires https)", raw)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		v.add("mail.linksBaseURL", "%q: want a base URL without query, fragment or user info", raw)
	case u.Path != "" && u.Path != "/":
		// The function answers its links, and its pages' buttons post, at
		// its root: under a path every link would be a 404.
		v.add("mail.linksBaseURL", "%q: want the links function's root URL, without a path (its links live at /u, /a, /ack …)", raw)
	}
}
