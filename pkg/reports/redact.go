package reports

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// redacted replaces a credential in error text.
const redacted = "[redacted]"

// maxEchoed bounds how much of a caller- or server-supplied value (an id,
// a time, a filter value) an error message repeats. The probe that found
// this put a 1 MB id into one error string, and from there into logs.
const maxEchoed = 64

// clip shortens s to at most maxEchoed bytes on a rune boundary, saying
// how long the original was, so error text stays bounded whatever the input.
func clip(s string) string { return clipTo(s, maxEchoed) }

func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d bytes)", s[:cut], len(s))
}

// credentialForms returns every spelling of the credentials that an
// upstream echoing the request could put into a body: the Authorization
// value, its token, and for Basic auth the decoded user:password and the
// password alone; each also JSON- and URL-escaped.
func credentialForms(req *http.Request) []string {
	h := req.Header.Get("Authorization")
	if h == "" {
		return nil
	}
	parts := []string{h}
	scheme, token, ok := strings.Cut(h, " ")
	if ok && token != "" {
		parts = append(parts, token)
		if strings.EqualFold(scheme, "Basic") {
			if raw, err := base64.StdEncoding.DecodeString(token); err == nil {
				userPass := string(raw)
				parts = append(parts, userPass)
				if _, pass, ok := strings.Cut(userPass, ":"); ok && pass != "" {
					parts = append(parts, pass)
				}
			}
		}
	}
	var forms []string
	for _, p := range parts {
		forms = append(forms, p, url.QueryEscape(p))
		if j, err := json.Marshal(p); err == nil {
			forms = append(forms, string(j[1:len(j)-1]))
		}
	}
	return forms
}

// authValue matches anything that looks like an Authorization header or a
// credential-bearing field, echoed in any format (raw HTTP, JSON, a form):
// the name, a separator, and the value up to the end of the line or field.
var authValue = regexp.MustCompile(`(?i)((?:proxy-)?authorization|x-api-key|api[-_]?key|password|access[-_]?token)("?\s*[:=]\s*"?)(?:[^"\r\n,;}&]*)`)

// schemeValue matches a bare "Basic …" or "Bearer …" credential.
var schemeValue = regexp.MustCompile(`(?i)\b(basic|bearer)\s+[A-Za-z0-9+/=._~-]{8,}`)

// redactBody removes the request's credentials and anything that looks
// like an Authorization value from an error body before it is kept.
func redactBody(body string, forms []string) string {
	for _, f := range forms {
		// Short forms (an empty password, a one-letter token) would
		// shred the text and protect nothing.
		if len(f) >= 4 {
			body = strings.ReplaceAll(body, f, redacted)
		}
	}
	body = authValue.ReplaceAllString(body, "${1}${2}"+redacted)
	return schemeValue.ReplaceAllString(body, "${1} "+redacted)
}

// readLimit is how much of an error body to read so that a credential
// starting before the maxErrorBody cut is read whole, and redacted whole.
func readLimit(forms []string) int64 {
	longest := 0
	for _, f := range forms {
		longest = max(longest, len(f))
	}
	return int64(maxErrorBody + longest + 64)
}

// excerpt turns a raw error body into what an APIError keeps: credentials
// redacted first, then cut to maxErrorBody bytes on a rune boundary.
func excerpt(raw []byte, forms []string) string {
	s := redactBody(strings.ToValidUTF8(string(raw), "\uFFFD"), forms)
	s = strings.TrimSpace(s)
	if len(s) > maxErrorBody {
		cut := maxErrorBody
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// maxMessage bounds a wrapped library error's text (a JSON decoder's
// message can quote a whole offending literal).
const maxMessage = 256

// clipMessage shortens a wrapped error's text to maxMessage bytes.
func clipMessage(s string) string { return clipTo(s, maxMessage) }
