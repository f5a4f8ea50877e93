package alert

import (
	"fmt"
	"strings"
	"time"

	"reportmailer/pkg/notify"
)

// LinkIssuer signs the links in alerts that act: acknowledge an episode,
// silence a rule's scope. links.Issuer implements it. now carries the
// rule's zone, in which the links' pages show times.
type LinkIssuer interface {
	// Acknowledge is the link acknowledging rule/instance's episode that
	// began at episode.
	Acknowledge(rule, instance, label string, episode, now time.Time) string
	// Silence is the link silencing rule/instance for d from the click,
	// or, with d zero, until the time until.
	Silence(rule, instance, label string, d time.Duration, until, now time.Time) string
}

// SilenceMorning is the local hour a "silence until …" link ends at.
const SilenceMorning = 8

// zone is the location of a notification's times.
func (e *Evaluator) zone(n *Notification) *time.Location {
	if n.Rule != nil && n.Rule.Location != nil {
		return n.Rule.Location
	}
	if loc, err := Zone(e.Config, nil); err == nil {
		return loc
	}
	return time.UTC
}

// siteName names the site: comm100.siteName, else its id (empty when
// neither is configured).
func (e *Evaluator) siteName() string {
	if n := e.Config.Comm100.SiteName; n != "" {
		return n
	}
	return e.Config.Comm100.SiteID
}

// clock is a local time with its zone's abbreviation: "03:12 EST".
func clock(t time.Time, loc *time.Location) string { return t.In(loc).Format("15:04 MST") }

// nextMorning is the next SilenceMorning o'clock in loc after now, and
// how a person would call it.
func nextMorning(now time.Time, loc *time.Location) (time.Time, string) {
	l := now.In(loc)
	m := time.Date(l.Year(), l.Month(), l.Day(), SilenceMorning, 0, 0, 0, loc)
	if m.After(l) {
		return m, fmt.Sprintf("Silence until %02d:00", SilenceMorning)
	}
	return time.Date(l.Year(), l.Month(), l.Day()+1, SilenceMorning, 0, 0, 0, loc), fmt.Sprintf("Silence until tomorrow %02d:00", SilenceMorning)
}

// links returns the actions (signed acknowledge and silence links, on
// what is still firing) and the runbook and console links.
func (e *Evaluator) links(n *Notification, k Kind, now time.Time) (actions, links []notify.Link) {
	if e.Links != nil && k != KindResolved && n.State.Status == Firing {
		now := now.In(e.zone(n))
		if n.State.AckedAt.IsZero() {
			actions = append(actions, notify.Link{Text: "Acknowledge",
				URL: e.Links.Acknowledge(n.RuleID, n.Sample.Instance, n.Sample.Label, n.State.FiringSince, now)})
		}
		until, label := nextMorning(now, e.zone(n))
		actions = append(actions,
			notify.Link{Text: "Silence 1 h", URL: e.Links.Silence(n.RuleID, n.Sample.Instance, n.Sample.Label, time.Hour, time.Time{}, now)},
			notify.Link{Text: label, URL: e.Links.Silence(n.RuleID, n.Sample.Instance, n.Sample.Label, 0, until, now)})
	}
	if n.Rule != nil && n.Rule.RunbookURL != "" {
		links = append(links, notify.Link{Text: "Runbook", URL: n.Rule.RunbookURL})
	}
	if u := e.Config.Alerts.ConsoleURL; u != "" {
		links = append(links, notify.Link{Text: "Comm100 console", URL: u})
	}
	return actions, links
}

// DedupKey names one alert episode for PagerDuty: the same key ties the
// trigger, acknowledge and resolve together; a new episode gets a new one.
func DedupKey(site, rule, instance string, firingSince time.Time) string {
	if site == "" {
		site = "site"
	}
	k := fmt.Sprintf("reportmailer/%s/%s/%s/%d", site, rule, instance, firingSince.Unix())
	return k[:min(len(k), 255)]
}

func eventOf(k Kind) notify.Event {
	switch k {
	case KindRepeat:
		return notify.Reminder
	case KindResolved:
		return notify.Resolved
	}
	return notify.Firing
}

func kindOfEvent(ev notify.Event) Kind {
	switch ev {
	case notify.Reminder:
		return KindRepeat
	case notify.Resolved:
		return KindResolved
	}
	return KindFiring
}

// message is what the receivers get for one notification.
func (e *Evaluator) message(n *Notification, ev notify.Event, now time.Time) notify.Message {
	k := kindOfEvent(ev)
	nk := *n
	nk.Kind = k
	v := e.describe(&nk, now)
	loc := e.zone(n)
	m := notify.Message{Event: ev, RuleID: n.RuleID, Instance: n.Sample.Instance, Site: v.Site,
		Title: subject(&nk, v, 1), Headline: v.Headline, Detail: v.Detail, Severity: n.Severity, Scope: n.Sample.Label,
		StartsAt: n.State.FiringSince, Links: v.Links, Actions: v.Actions, ExternalURL: e.Config.Alerts.ConsoleURL,
		DedupKey: DedupKey(e.Config.Comm100.SiteID, n.RuleID, n.Sample.Instance, n.State.FiringSince)}
	if ev == notify.Acknowledged {
		m.Title = fmt.Sprintf("[ACKNOWLEDGED] %s — %s", v.Headline, v.Where)
	}
	if ev == notify.Resolved {
		m.EndsAt = now
	}
	metric := ""
	if n.Rule != nil {
		metric = n.Rule.Metric
		m.Facts = append(m.Facts, notify.Fact{Title: "Value", Value: n.Rule.Format(n.Sample.Obs.Value)})
		if k == KindResolved {
			m.Facts = append(m.Facts, notify.Fact{Title: "Worst", Value: n.Rule.Format(n.State.Peak)})
		}
	}
	m.Facts = append(m.Facts, notify.Fact{Title: "Condition", Value: v.Condition}, notify.Fact{Title: "Scope", Value: n.Sample.Label},
		notify.Fact{Title: "Since", Value: v.Since})
	if !n.State.AckedAt.IsZero() {
		m.Facts = append(m.Facts, notify.Fact{Title: "Acknowledged", Value: clock(n.State.AckedAt, loc)})
	}
	m.Labels = map[string]string{"alertname": n.RuleID, "instance": n.Sample.Instance, "scope": n.Sample.Label, "severity": n.Severity}
	if metric != "" {
		m.Labels["metric"] = metric
	}
	if site := e.Config.Comm100.SiteID; site != "" {
		m.Labels["site"] = site
	}
	m.Annotations = map[string]string{"summary": strings.TrimSpace(v.Headline + " — " + v.Where), "description": v.Detail}
	if n.Rule != nil && n.Rule.RunbookURL != "" {
		m.Annotations["runbook_url"] = n.Rule.RunbookURL
	}
	return m
}
