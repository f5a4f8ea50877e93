package alert

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"sort"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"reportmailer/pkg/format"
	"reportmailer/pkg/mail"
	"reportmailer/templates"
)

var (
	tmplOnce sync.Once
	htmlT    *htmltemplate.Template
	textT    *texttemplate.Template
	tmplErr  error
)

func parseTemplates() error {
	tmplOnce.Do(func() {
		if htmlT, tmplErr = htmltemplate.ParseFS(templates.FS, "alert.html.tmpl"); tmplErr != nil {
			return
		}
		textT, tmplErr = texttemplate.ParseFS(templates.FS, "alert.txt.tmpl")
	})
	return tmplErr
}

// view is what the templates see of one notification.
type view struct {
	Badge, Severity, Color, Headline, Where, Detail, Description, RuleID, Condition, Waits string
	Facts                                                                                  []Fact
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

// describe writes the headline and detail of a notification.
func describe(n *Notification, now time.Time) view {
	v := view{Badge: badge(n.Kind), Severity: n.Severity, Color: color(n.Kind, n.Severity), Where: n.Sample.Label,
		RuleID: n.RuleID, Facts: n.Sample.Context()}
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
			v.Detail = fmt.Sprintf("Alerts were blind for %s.", ago(now.Sub(n.State.FiringSince)))
		default:
			v.Headline = "Comm100 data unavailable"
			v.Detail = "The real-time reports could not be read for several checks in a row; queue alerts cannot fire until they can."
		}
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
		v.Detail = fmt.Sprintf("Still firing after %s (since %s UTC); worst so far %s.", ago(now.Sub(n.State.FiringSince)),
			n.State.FiringSince.UTC().Format("15:04"), r.Format(n.State.Peak))
	default:
		v.Headline = fmt.Sprintf("%s %s %s %s", r.Label(), r.Format(n.Sample.Obs.Value), symbol(r.Op), r.Format(*r.Threshold))
		held := ""
		if r.ForText() != "" {
			held = " for " + r.ForText()
		}
		v.Detail = fmt.Sprintf("Breached%s; firing since %s UTC.", held, n.State.FiringSince.UTC().Format("15:04"))
	}
	return v
}

// subject is short enough for a phone's lock screen.
func subject(n *Notification, v view, count int) string {
	s := fmt.Sprintf("[%s] %s — %s", v.Badge, v.Headline, v.Where)
	if n.Rule != nil && n.Kind == KindFiring && n.Rule.ForText() != "" {
		s = fmt.Sprintf("[%s] %s for %s — %s", v.Badge, v.Headline, n.Rule.ForText(), v.Where)
	}
	if count > 1 {
		s += fmt.Sprintf(" (+%d more)", count-1)
	}
	return s
}

// compose groups notifications by recipients into one email each.
func (e *Evaluator) compose(now time.Time, out *Outcome) {
	if err := parseTemplates(); err != nil {
		e.logger().Error("alert templates", "error", err.Error())
		return
	}
	groups := map[string][]*Notification{}
	var keys []string
	for _, n := range out.Notifications {
		to := append([]string{}, n.To...)
		sort.Strings(to)
		k := strings.Join(to, ",")
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], n)
	}
	sort.Strings(keys)
	from := e.Config.Alerts.From
	if from == "" {
		from = e.Config.Mail.From
	}
	for _, k := range keys {
		ns := groups[k]
		// Firing first, then reminders, then resolved; worst severity first within.
		sort.SliceStable(ns, func(i, j int) bool { return order(ns[i]) < order(ns[j]) })
		data := emailData{CheckedAt: now.UTC().Format("Mon 2 Jan 2006 15:04 UTC")}
		for _, n := range ns {
			data.Alerts = append(data.Alerts, describe(n, now))
		}
		data.Subject = subject(ns[0], data.Alerts[0], len(ns))
		var html, text bytes.Buffer
		if err := htmlT.Execute(&html, data); err != nil {
			e.logger().Error("alert html", "error", err.Error())
			continue
		}
		_ = textT.Execute(&text, data)
		m := &mail.Message{From: from, To: ns[0].To, Subject: data.Subject, Date: now, Text: text.String(), HTML: html.String(),
			Headers: map[string]string{"X-Reportmailer-Alert": ns[0].RuleID, "X-Priority": priority(ns[0])}}
		first := ns[0]
		switch {
		case len(ns) == 1 && first.Kind == KindFiring:
			m.MessageID = first.State.ThreadID
		case len(ns) == 1:
			m.MessageID = fmt.Sprintf("alert.%s.%s.%d@reportmailer", first.RuleID, first.Kind, now.Unix())
			if first.State.ThreadID != "" {
				m.InReplyTo, m.References = first.State.ThreadID, []string{first.State.ThreadID}
			}
		default:
			m.MessageID = fmt.Sprintf("alert-group.%d.%d@reportmailer", now.Unix(), len(out.Emails))
		}
		raw, err := m.Bytes()
		em := &Email{Subject: data.Subject, To: m.Recipients(), Raw: raw, Notifications: ns, Err: err}
		out.Emails = append(out.Emails, em)
	}
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
