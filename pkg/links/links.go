// Package links serves the links in digest mail: one-click unsubscribe
// (RFC 8058) with a confirmation page and a re-subscribe button, and
// archive links that re-sign an S3 URL at click time, so a link lives as
// long as it says rather than as long as the Lambda credentials that
// would have signed it. Every action is authorised by a linktoken; a
// forged, altered, expired or stale token gets a 4xx page and changes
// nothing.
package links

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"reportmailer/pkg/format"
	"reportmailer/pkg/linktoken"
	"reportmailer/pkg/oncall"
	"reportmailer/pkg/suppress"
	"reportmailer/templates"
)

// Link lifetimes.
const (
	// UnsubscribeTTL keeps a digest's unsubscribe link working long after
	// the mail arrived (Gmail and Yahoo honour the header for as long as
	// the mail is in the inbox).
	UnsubscribeTTL = 365 * 24 * time.Hour
	// ArchiveRedirectTTL is how long the fresh S3 URL a click gets lives.
	ArchiveRedirectTTL = 15 * time.Minute
)

// Paths the server answers.
const (
	PathUnsubscribe = "/u"
	PathResubscribe = "/r"
	PathArchive     = "/a"
)

// Issuer writes signed link URLs into mail.
type Issuer struct {
	Signer *linktoken.Signer
	Base   string // the links function's public URL, https://…
}

func (i Issuer) url(path string, c linktoken.Claims) string {
	return strings.TrimRight(i.Base, "/") + path + "?t=" + url.QueryEscape(i.Signer.Sign(c))
}

// Unsubscribe is the one-click unsubscribe URL for recipient of digest;
// title (may be empty) names the digest on the page, which then needs no
// configuration.
func (i Issuer) Unsubscribe(digest, title, recipient string, now time.Time) string {
	// The title only names the digest on the page; capped, it keeps every
	// token far below what Verify accepts, whatever the config says.
	title = format.Truncate(title, maxTitleRunes)
	return i.url(PathUnsubscribe, linktoken.Claims{Kind: linktoken.Unsubscribe, Digest: digest, Title: title, Recipient: suppress.Normalize(recipient),
		IssuedAt: now.Unix(), Expires: now.Add(UnsubscribeTTL).Unix()})
}

// maxTitleRunes bounds the digest title carried in an unsubscribe token.
const maxTitleRunes = 80

// Archive is a URL that redirects to the archived object key until now+ttl.
func (i Issuer) Archive(key string, ttl time.Duration, now time.Time) string {
	return i.url(PathArchive, linktoken.Claims{Kind: linktoken.Archive, Object: key, IssuedAt: now.Unix(), Expires: now.Add(ttl).Unix()})
}

// Presigner signs a short-lived GET URL for an archived object.
type Presigner interface {
	Link(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// Server answers the links.
type Server struct {
	Signer  *linktoken.Signer
	Store   suppress.Store
	Archive Presigner         // nil: archive links answer 404
	Titles  map[string]string // digest id → title, for the pages
	Now     func() time.Time
	Logger  *slog.Logger

	// OnCall records the alert links' acknowledgements and silences (nil:
	// those links answer 404).
	OnCall oncall.Store
	// Page is the pages' template (nil: the embedded links.html.tmpl).
	Page *template.Template
}

// embeddedPage is the embedded links.html.tmpl, parsed on first use.
var embeddedPage = sync.OnceValues(func() (*template.Template, error) { return template.ParseFS(templates.FS, "links.html.tmpl") })

type pageData struct {
	Heading, Who, Action, Button, ButtonClass string
	Lines                                     []string
}

func (s *Server) render(w http.ResponseWriter, status int, d pageData) {
	page, pageErr := s.Page, error(nil)
	if page == nil {
		page, pageErr = embeddedPage()
	}
	if pageErr != nil {
		http.Error(w, "page template: "+pageErr.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(status)
	_ = page.Execute(w, d)
}

// title names the digest: from the server's map, else as the token
// carries it, else its id.
func (s *Server) title(c linktoken.Claims) string {
	if t := s.Titles[c.Digest]; t != "" {
		return t
	}
	if c.Title != "" {
		return c.Title
	}
	return c.Digest
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == PathUnsubscribe && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		s.confirm(w, r)
	case r.URL.Path == PathUnsubscribe && r.Method == http.MethodPost:
		s.change(w, r, true)
	case r.URL.Path == PathResubscribe && r.Method == http.MethodPost:
		s.change(w, r, false)
	case r.URL.Path == PathArchive && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		s.archive(w, r)
	case r.URL.Path == PathAcknowledge || r.URL.Path == PathSilence:
		s.alertLink(w, r)
	case r.URL.Path == PathUnsubscribe || r.URL.Path == PathResubscribe || r.URL.Path == PathArchive:
		w.Header().Set("Allow", "GET, POST")
		s.render(w, http.StatusMethodNotAllowed, pageData{Heading: "Not allowed", Lines: []string{"This link does not accept that request."}})
	default:
		s.render(w, http.StatusNotFound, pageData{Heading: "Not found", Lines: []string{"There is nothing at this address."}})
	}
}

// check verifies the request's token for kind and writes the error page if
// it is not good.
func (s *Server) check(w http.ResponseWriter, r *http.Request, kind string) (linktoken.Claims, bool) {
	c, err := s.Signer.Verify(r.URL.Query().Get("t"), s.now())
	switch {
	case errors.Is(err, linktoken.ErrExpired):
		s.render(w, http.StatusGone, pageData{Heading: "This link has expired", Lines: []string{"Use the link in a more recent email."}})
		return c, false
	case err != nil || c.Kind != kind:
		s.logger().Warn("link refused", "path", r.URL.Path, "reason", "invalid token")
		s.render(w, http.StatusBadRequest, pageData{Heading: "This link is not valid", Lines: []string{"It may have been cut short or changed. Use the link from the email itself."}})
		return c, false
	}
	return c, true
}

// stale reports whether an unsubscribe token predates the recipient's
// latest re-subscribe: replaying an old mail's link must not undo it.
func (s *Server) stale(ctx context.Context, c linktoken.Claims) (suppress.Status, bool, error) {
	st, err := s.Store.Get(ctx, c.Digest, c.Recipient)
	if err != nil {
		return st, false, err
	}
	return st, !st.Suppressed && !st.Since.IsZero() && c.IssuedAt < st.Since.Unix(), nil
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	c, ok := s.check(w, r, linktoken.Unsubscribe)
	if !ok {
		return
	}
	st, stale, err := s.stale(r.Context(), c)
	if err != nil {
		s.unavailable(w, err)
		return
	}
	title := s.title(c)
	switch {
	case stale:
		s.render(w, http.StatusGone, pageData{Heading: "This link is from an older email",
			Lines: []string{"You subscribed again to " + title + " after this email was sent. To leave again, use the link in your latest digest."}})
	case st.Suppressed:
		s.render(w, http.StatusOK, pageData{Heading: "You are unsubscribed", Lines: []string{"You no longer receive " + title + "."},
			Who: c.Recipient, Action: PathResubscribe + "?t=" + url.QueryEscape(r.URL.Query().Get("t")), Button: "Subscribe again", ButtonClass: "secondary"})
	default:
		s.render(w, http.StatusOK, pageData{Heading: "Unsubscribe from " + title + "?", Lines: []string{"This address will no longer receive " + title + "."},
			Who: c.Recipient, Action: PathUnsubscribe + "?t=" + url.QueryEscape(r.URL.Query().Get("t")), Button: "Unsubscribe"})
	}
}

// change handles the one-click POST (RFC 8058: body
// "List-Unsubscribe=One-Click", no cookies) and the page's buttons.
func (s *Server) change(w http.ResponseWriter, r *http.Request, leave bool) {
	c, ok := s.check(w, r, linktoken.Unsubscribe)
	if !ok {
		return
	}
	_, stale, err := s.stale(r.Context(), c)
	if err != nil {
		s.unavailable(w, err)
		return
	}
	title := s.title(c)
	if leave && stale {
		s.render(w, http.StatusGone, pageData{Heading: "This link is from an older email",
			Lines: []string{"You subscribed again to " + title + " after this email was sent. To leave again, use the link in your latest digest."}})
		return
	}
	if err := s.Store.Set(r.Context(), c.Digest, c.Recipient, leave, s.now()); err != nil {
		s.unavailable(w, err)
		return
	}
	tok := url.QueryEscape(r.URL.Query().Get("t"))
	if leave {
		s.logger().Info("unsubscribed", "digest", c.Digest)
		s.render(w, http.StatusOK, pageData{Heading: "You are unsubscribed", Lines: []string{"You will no longer receive " + title + "."},
			Who: c.Recipient, Action: PathResubscribe + "?t=" + tok, Button: "Subscribe again", ButtonClass: "secondary"})
		return
	}
	s.logger().Info("resubscribed", "digest", c.Digest)
	s.render(w, http.StatusOK, pageData{Heading: "You are subscribed again", Lines: []string{"You will receive " + title + " again from its next issue."}, Who: c.Recipient})
}

func (s *Server) archive(w http.ResponseWriter, r *http.Request) {
	c, ok := s.check(w, r, linktoken.Archive)
	if !ok {
		return
	}
	if s.Archive == nil {
		s.render(w, http.StatusNotFound, pageData{Heading: "No archive", Lines: []string{"This deployment keeps no archive."}})
		return
	}
	u, err := s.Archive.Link(r.Context(), c.Object, ArchiveRedirectTTL)
	if err != nil {
		s.unavailable(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u, http.StatusFound)
}

func (s *Server) unavailable(w http.ResponseWriter, err error) {
	s.logger().Error("links: store unavailable", "error", err.Error())
	w.Header().Set("Retry-After", "60")
	s.render(w, http.StatusServiceUnavailable, pageData{Heading: "Please try again", Lines: []string{"We could not record this just now. Nothing was changed."}})
}
