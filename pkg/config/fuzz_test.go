package config_test

import (
	"bytes"
	"fmt"
	"mime"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"reportmailer/pkg/config"
	"reportmailer/pkg/digest"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/period"
)

// FuzzLoad's property: whatever the loader accepts can be built into a
// mail. Every digest's headers and subject, and an alert subject built
// from each rule (its id, description and the queue's department or agent
// name), encode with mail.Message.Bytes, and the result has exactly the
// headers we set: no value can smuggle in another. The second input is an
// environment override (MAIL_FROM), which goes through the same validator.
// The seed corpus is testdata/fuzz/FuzzLoad; `go test` runs it every time.
func FuzzLoad(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, mailFrom string) {
		getenv := func(k string) string {
			if k == "MAIL_FROM" {
				return mailFrom
			}
			return ""
		}
		c, err := config.LoadWith(data, config.Options{Getenv: getenv})
		if err != nil {
			if _, ok := err.(config.Problems); !ok {
				t.Fatalf("the error is not Problems: %T %v", err, err)
			}
			return
		}
		t.Logf("accepted: %d digest(s), %d alert rule(s)", len(c.Digests), len(c.Alerts.Rules))
		at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
		for i := range c.Digests {
			d := &c.Digests[i]
			loc, err := time.LoadLocation(d.Timezone)
			if err != nil {
				t.Fatalf("accepted timezone %q does not load: %v", d.Timezone, err)
			}
			p := period.Spec{Kind: period.Kind(d.Period), WeekStart: d.WeekStartDay(), Location: loc}.Prior(at)
			m := &mail.Message{From: d.From, ReplyTo: c.Mail.ReplyTo, To: d.To, Cc: d.Cc, Bcc: d.Bcc,
				Subject: digest.Subject(d, p), Date: at, Text: "text",
				MessageID: fmt.Sprintf("digest.%s.%s.%d@reportmailer", d.ID, p.Key(), 1),
				Headers:   map[string]string{"X-Reportmailer-Digest": d.ID}}
			if u := c.Mail.Unsubscribe; u != "" {
				m.Headers["List-Unsubscribe"] = "<" + u + ">"
			}
			checkMail(t, m)
		}
		for _, r := range c.Alerts.Rules {
			where := "every queue"
			kind, id, _ := strings.Cut(r.Queue, ":")
			switch kind {
			case "department":
				where = c.Names.Departments[id] + " (department " + id + ")"
			case "agent":
				where = c.Names.Agents[id] + " (agent " + id + ")"
			}
			headline := r.Description
			if headline == "" {
				headline = r.ID
			}
			m := &mail.Message{From: c.Alerts.From, To: r.To, Date: at, Text: "text",
				Subject:   fmt.Sprintf("[%s] %s for %s — %s", strings.ToUpper(r.Severity), headline, r.For, where),
				MessageID: fmt.Sprintf("alert.%s.firing.%d@reportmailer", r.ID, at.Unix()),
				Headers:   map[string]string{"X-Reportmailer-Alert": r.ID}}
			checkMail(t, m)
		}
	})
}

// checkMail encodes m and reads it back: it must encode, carry only the
// headers it was given, and keep its subject.
func checkMail(t *testing.T, m *mail.Message) {
	t.Helper()
	raw, err := m.Bytes()
	if err != nil {
		t.Fatalf("accepted config cannot be mailed: %v\nmessage: %+v", err, m)
	}
	parsed, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("encoded mail does not parse: %v\n%s", err, raw)
	}
	allowed := map[string]bool{"From": true, "Reply-To": true, "To": true, "Cc": true, "Subject": true, "Date": true,
		"Message-Id": true, "Mime-Version": true, "Content-Type": true, "Content-Transfer-Encoding": true}
	for k := range m.Headers {
		allowed[textproto.CanonicalMIMEHeaderKey(k)] = true
	}
	for k := range parsed.Header {
		if !allowed[k] {
			t.Fatalf("header %q appeared from nowhere:\n%s", k, raw)
		}
	}
	got, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	if err != nil || strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(m.Subject), " ") {
		t.Fatalf("subject %q came back as %q (%v)", m.Subject, got, err)
	}
}
