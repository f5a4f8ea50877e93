package links

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"reportmailer/pkg/format"
	"reportmailer/pkg/linktoken"
	"reportmailer/pkg/oncall"
)

// Paths of the alert links.
const (
	PathAcknowledge = "/ack"
	PathSilence     = "/silence"
)

// AlertLinkTTL is how long an acknowledge or silence link works.
const AlertLinkTTL = 7 * 24 * time.Hour

// maxLabelRunes bounds the alert's label carried in a token.
const maxLabelRunes = 80

// Acknowledge is the link acknowledging rule/instance's episode that
// began at episode; label names the alert on the page, and now's zone
// is the zone the page shows times in. It implements alert.LinkIssuer.
func (i Issuer) Acknowledge(rule, instance, label string, episode, now time.Time) string {
	return i.url(PathAcknowledge, linktoken.Claims{Kind: linktoken.Acknowledge, Rule: rule, Instance: instance,
		Title: format.Truncate(label, maxLabelRunes), Episode: episode.Unix(), Zone: now.Location().String(),
		IssuedAt: now.Unix(), Expires: now.Add(AlertLinkTTL).Unix()})
}

// Silence is the link silencing rule/instance for d from the click or,
// with d zero, until the time until. It implements alert.LinkIssuer.
func (i Issuer) Silence(rule, instance, label string, d time.Duration, until, now time.Time) string {
	c := linktoken.Claims{Kind: linktoken.Silence, Rule: rule, Instance: instance, Title: format.Truncate(label, maxLabelRunes),
		Zone: now.Location().String(), IssuedAt: now.Unix(), Expires: now.Add(AlertLinkTTL).Unix()}
	if d > 0 {
		c.For = int64(d / time.Second)
	} else {
		c.Until = until.Unix()
		c.Expires = min(c.Expires, c.Until)
	}
	return i.url(PathSilence, c)
}

// zone is the location of a token's times (UTC when unknown).
func zone(c linktoken.Claims) *time.Location {
	if loc, err := time.LoadLocation(c.Zone); err == nil && c.Zone != "" {
		return loc
	}
	return time.UTC
}

func localTime(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 15:04 MST") }

// alertLink serves the acknowledge and silence links: GET (and HEAD, which
// mail scanners and chat unfurlers send) shows a confirmation page and
// changes nothing; only the page's POST acts.
func (s *Server) alertLink(w http.ResponseWriter, r *http.Request) {
	kind := linktoken.Acknowledge
	if r.URL.Path == PathSilence {
		kind = linktoken.Silence
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		s.render(w, http.StatusMethodNotAllowed, pageData{Heading: "Not allowed", Lines: []string{"This link does not accept that request."}})
		return
	}
	c, ok := s.check(w, r, kind)
	if !ok {
		return
	}
	if s.OnCall == nil {
		s.render(w, http.StatusNotFound, pageData{Heading: "Not available", Lines: []string{"This deployment does not record acknowledgements or silences."}})
		return
	}
	what := c.Title
	if what == "" {
		what = c.Instance
	}
	loc := zone(c)
	tok := url.QueryEscape(r.URL.Query().Get("t"))
	rule := "Alert rule " + c.Rule + "."
	if kind == linktoken.Acknowledge {
		if r.Method != http.MethodPost {
			s.render(w, http.StatusOK, pageData{Heading: "Acknowledge this alert?", Who: what,
				Lines:  []string{rule, "Reminders stop until it resolves, and PagerDuty (if it is told of this alert) hears of it within a minute."},
				Action: PathAcknowledge + "?t=" + tok, Button: "Acknowledge"})
			return
		}
		now := s.now()
		a, err := s.OnCall.Acknowledge(r.Context(), oncall.Ack{Rule: c.Rule, Instance: c.Instance, Episode: c.Episode, At: now, By: "link"})
		if err != nil {
			s.unavailable(w, err)
			return
		}
		s.logger().Info("alert acknowledged", "rule", c.Rule, "instance", c.Instance, "episode", c.Episode)
		heading := "Acknowledged at " + localTime(a.At, loc)
		if !a.At.Equal(now) {
			heading = "Already acknowledged at " + localTime(a.At, loc)
		}
		s.render(w, http.StatusOK, pageData{Heading: heading, Who: what, Lines: []string{rule, "No more reminders until it resolves."}})
		return
	}
	now := s.now()
	end, span := now.Add(time.Duration(c.For)*time.Second), fmt.Sprintf("for %s", time.Duration(c.For)*time.Second)
	if c.For == 0 {
		end = time.Unix(c.Until, 0)
		span = "until " + localTime(end, loc)
	}
	if r.Method != http.MethodPost {
		s.render(w, http.StatusOK, pageData{Heading: "Silence this alert " + span + "?", Who: what,
			Lines:  []string{rule, "Nothing is sent about it (mail, chat, paging) until the silence ends."},
			Action: PathSilence + "?t=" + tok, Button: "Silence"})
		return
	}
	if !end.After(now) {
		s.render(w, http.StatusGone, pageData{Heading: "This silence would already be over", Lines: []string{"Use the link in a more recent alert."}})
		return
	}
	// One silence per link: a second click (or a retried POST) rewrites
	// the same silence rather than stacking another.
	sum := sha256.Sum256([]byte(r.URL.Query().Get("t")))
	si, err := s.OnCall.AddSilence(r.Context(), oncall.Silence{ID: hex.EncodeToString(sum[:6]), Rule: c.Rule, Scope: c.Instance,
		Start: now, End: end, By: "link", Comment: "silenced from an alert"})
	if err != nil {
		s.unavailable(w, err)
		return
	}
	s.logger().Info("alert silenced", "rule", c.Rule, "instance", c.Instance, "silence", si.ID, "until", end.UTC().Format(time.RFC3339))
	s.render(w, http.StatusOK, pageData{Heading: "Silenced until " + localTime(end, loc), Who: what,
		Lines: []string{rule, "Silence " + si.ID + ". To end it early: reportmailer silence expire " + si.ID}})
}
