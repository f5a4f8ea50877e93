package alert

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"reportmailer/pkg/format"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/notify"
)

// view is what the templates see of one notification.
type view struct {
	Badge, Severity, Color, Headline, Where, Detail, Description, RuleID, Condition, Waits string
	Facts                                                                                  []Fact
	// Since is when the episode began, in the rule's zone ("10:03 GMT").
	Since string
	Site  string
	// Actions are the signed acknowledge and silence links; Links the
	// runbook and the console.
	Actions, Links []notify.Link
}

type emailData struct {
	Subject   string
	CheckedAt string
	Alerts    []view
}

func badge(k Kind) string {
	switch k {
	case KindRepeat:
		return "STILL FIRING"
	case KindResolved:
		return "RESOLVED"
	}
	return "FIRING"
}

func color(k Kind, severity string) string {
	switch {
	case k == KindResolved:
		return "#15803d"
	case severity == "critical":
		return "#b91c1c"
	case severity == "info":
		return "#2563eb"
	}
	return "#c2410c"
}

// symbol prints a comparison as people write it.
func symbol(op string) string {
	return map[string]string{">=": "≥", "<=": "≤"}[op] + map[string]string{">": ">", "<": "<"}[op]
}

func ago(d time.Duration) string { return format.Duration(d.Round(time.Second).Seconds()) }

// describe writes the headline and detail of a notification, with times
// in the rule's zone and the links on-call can act on.
func (e *Evaluator) describe(n *Notification, now time.Time) view {
	loc := e.zone(n)
	at := func(t time.Time) string { return clock(t, loc) }
	v := view{Badge: badge(n.Kind), Severity: n.Severity, Color: color(n.Kind, n.Severity), Where: n.Sample.Label,
		RuleID: n.RuleID, Facts: n.Sample.Context(), Site: e.siteName(), Since: at(n.State.FiringSince)}
	v.Actions, v.Links = e.links(n, n.Kind, now)
	if waits := n.Sample.Waits(); len(waits) > 0 {
		var ws []string
		for _, w := range waits {
			ws = append(ws, format.Duration(w))
		}
		v.Waits = strings.Join(ws, ", ")
	}
	if n.Rule == nil { // no-data alert
		v.Condition = "the Report API could not be read"
		switch n.Kind {
		case KindResolved:
			v.Headline = "Comm100 data is available again"
			v.Detail = fmt.Sprintf("Alerts were blind for %s (since %s).", ago(now.Sub(n.State.FiringSince)), v.Since)
		default:
			v.Headline = "Comm100 data unavailable"
			v.Detail = fmt.Sprintf("The real-time reports could not be read for the last %d checks (at %s); queue alerts cannot fire until they can.",
				max(1, e.Config.Alerts.NoDataAfter), v.Since)
		}
		v.Detail += acked(n.State, at)
		return v
	}
	r := n.Rule
	v.Description = r.Description
	v.Condition = fmt.Sprintf("%s %s %s", r.Label(), symbol(r.Op), r.Format(*r.Threshold))
	if r.ForText() != "" {
		v.Condition += " for " + r.ForText()
	}
	switch n.Kind {
	case KindResolved:
		if n.Sample.Obs.Present {
			v.Headline = fmt.Sprintf("%s back to %s", r.Label(), r.Format(n.Sample.Obs.Value))
		} else {
			v.Headline = fmt.Sprintf("%s: queue gone", r.Label())
		}
		v.Detail = fmt.Sprintf("Resolved after %s; worst was %s.", ago(now.Sub(n.State.FiringSince)), r.Format(n.State.Peak))
	case KindRepeat:
		v.Headline = fmt.Sprintf("%s %s %s %s", r.Label(), r.Format(n.Sample.Obs.Value), symbol(r.Op), r.Format(*r.Threshold))
		v.Detail = fmt.Sprintf("Still firing after %s (since %s); worst so far %s.", ago(now.Sub(n.State.FiringSince)),
			v.Since, r.Format(n.State.Peak))
	default:
		v.Headline = fmt.Sprintf("%s %s %s %s", r.Label(), r.Format(n.Sample.Obs.Value), symbol(r.Op), r.Format(*r.Threshold))
		held := ""
		if r.ForText() != "" {
			held = " for " + r.ForText()
		}
		v.Detail = fmt.Sprintf("Breached%s; firing since %s.", held, v.Since)
	}
	v.Detail += acked(n.State, at)
	return v
}

// acked says who acknowledged, for the messages after it.
func acked(s State, at func(time.Time) string) string {
	if s.AckedAt.IsZero() {
		return ""
	}
	return " Acknowledged at " + at(s.AckedAt) + "."
}

// subject is short enough for a phone's lock screen; it names the site
// (when known), for on-call who watch more than one.
func subject(n *Notification, v view, count int) string {
	site := ""
	if v.Site != "" {
		site = v.Site + ": "
	}
	s := fmt.Sprintf("[%s] %s%s — %s", v.Badge, site, v.Headline, v.Where)
	if n.Rule != nil && n.Kind == KindFiring && n.Rule.ForText() != "" {
		s = fmt.Sprintf("[%s] %s%s for %s — %s", v.Badge, site, v.Headline, n.Rule.ForText(), v.Where)
	}
	if count > 1 {
		s += fmt.Sprintf(" (+%d more)", count-1)
	}
	return s
}

// compose groups notifications by recipients into one email each. A
// group whose mail cannot be built is split into one mail per
// notification, so that one bad alert does not hold back the others.
func (e *Evaluator) compose(now time.Time, out *Outcome) {
	groups := map[string][]*Notification{}
	var keys []string
	for _, n := range out.Notifications {
		if len(n.To) == 0 {
			out.unmailed = append(out.unmailed, n) // receivers only
			continue
		}
		to := append([]string{}, n.To...)
		sort.Strings(to)
		k := strings.Join(to, ",")
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], n)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ns := groups[k]
		// Firing first, then reminders, then resolved; worst severity first within.
		sort.SliceStable(ns, func(i, j int) bool { return order(ns[i]) < order(ns[j]) })
		em := e.build(ns, now)
		if em.Err == nil || len(ns) == 1 {
			out.Emails = append(out.Emails, em)
			continue
		}
		e.logger().Warn("grouped alert mail could not be built; sending its alerts one by one", "alerts", len(ns), "error", em.Err.Error())
		for _, n := range ns {
			out.Emails = append(out.Emails, e.build([]*Notification{n}, now))
		}
	}
}

// build renders and encodes one email; a failure is kept in Email.Err
// and the notifications stay in the outbox, like a failed send.
func (e *Evaluator) build(ns []*Notification, now time.Time) *Email {
	data := emailData{CheckedAt: now.In(e.zone(ns[0])).Format("Mon 2 Jan 2006 15:04 MST")}
	for _, n := range ns {
		data.Alerts = append(data.Alerts, e.describe(n, now))
	}
	data.Subject = subject(ns[0], data.Alerts[0], len(ns))
	em := &Email{Subject: data.Subject, To: ns[0].To, Notifications: ns}
	tmpl, err := e.templates()
	if em.Err = err; err != nil {
		return em
	}
	var html, text bytes.Buffer
	if err := tmpl.html.Execute(&html, data); err != nil {
		em.Err = fmt.Errorf("alert html: %w", err)
		return em
	}
	if err := tmpl.text.Execute(&text, data); err != nil {
		em.Err = fmt.Errorf("alert text: %w", err)
		return em
	}
	from := e.Config.Alerts.From
	if from == "" {
		from = e.Config.Mail.From
	}
	m := &mail.Message{From: from, To: ns[0].To, Subject: data.Subject, Date: now, Text: text.String(), HTML: html.String(),
		Headers: map[string]string{"X-Reportmailer-Alert": ns[0].RuleID, "X-Priority": priority(ns[0])}}
	m.MessageID, m.References = threading(ns)
	if len(m.References) > 0 {
		m.InReplyTo = m.References[0]
	}
	em.MessageID = m.MessageID
	em.Raw, em.Err = m.Bytes()
	if em.Err == nil {
		em.To = m.Recipients()
	}
	return em
}

// threading names a mail and the threads it continues. A lone FIRING
// starts its instance's thread. Any other mail's id is derived from what
// it notifies (rule, instance, kind, decision time), so a resend of the
// same mail has the same id; it references the threads of its reminders
// and RESOLVED notifications. A grouped FIRING mail's id becomes the
// thread of each alert it carried (recorded when it is sent).
func threading(ns []*Notification) (id string, refs []string) {
	if len(ns) == 1 && ns[0].Kind == KindFiring && ns[0].State.ThreadID != "" {
		return ns[0].State.ThreadID, nil
	}
	h := sha256.New()
	seen := map[string]bool{}
	for _, n := range ns {
		decided := time.Time{}
		if n.State.Outbox != nil {
			decided = n.State.Outbox.Decided
		}
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\n", n.RuleID, n.Sample.Instance, n.Kind, decided.Unix())
		if t := n.State.ThreadID; n.Kind != KindFiring && t != "" && !seen[t] {
			seen[t] = true
			refs = append(refs, t)
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))[:20]
	if len(ns) == 1 {
		return fmt.Sprintf("alert.%s.%s@reportmailer", ns[0].Kind, sum), refs
	}
	return fmt.Sprintf("alert-group.%s@reportmailer", sum), refs
}

func order(n *Notification) int {
	base := map[Kind]int{KindFiring: 0, KindRepeat: 10, KindResolved: 20}[n.Kind]
	sev := map[string]int{"critical": 0, "warning": 1, "info": 2}[n.Severity]
	return base + sev
}

func priority(n *Notification) string {
	if n.Kind != KindResolved && n.Severity == "critical" {
		return "1"
	}
	return "3"
}
