package digest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"reportmailer/pkg/digest"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/sendlog"
)

// digest --send --resend PERIOD [--to ADDR]: clears exactly that period's
// records of the digest (all of them, or only what stops ADDR's copy),
// says which, and the send that follows mails them again, once.
func TestResendClearsExactlyThePeriodsRecords(t *testing.T) {
	e := setup(t, "10485760")
	ctx := context.Background()
	if _, err := e.invoke(t, weekly); err != nil {
		t.Fatal(err)
	}
	next := `{"digest":"weekly","scheduledTime":"2026-11-30T08:00:00Z"}`
	if _, err := e.invoke(t, next); err != nil {
		t.Fatal(err)
	}
	e.wantEmails(t, 2, "after two weeks")
	nextKey := digest.GroupKey("weekly", "2026-11-23_2026-11-29", "managers@example.com", "audit@example.com")
	req := digest.Request{DigestID: "weekly", PeriodStart: "2026-11-16"}

	// Only audit's copy.
	cleared, err := digest.ClearForResend(ctx, e.app.Config, e.deps(), req, "Audit <AUDIT@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(cleared), fmt.Sprintf("[%s (sent) digest#weekly#2026-11-16_2026-11-22#r%s (sent)]", weeklyKey, digest.AddressHash("audit@example.com")); got != want {
		t.Errorf("cleared %s, want %s", got, want)
	}
	req.Send = true
	// SES's envelope, as the sender passes it (moto reports the headers').
	rec := &envelopes{Sender: e.app.Sender}
	deps := e.deps()
	deps.Sender = rec
	if _, err := digest.Run(ctx, e.app.Config, deps, req); err != nil {
		t.Fatal(err)
	}
	if sent := e.moto.SentEmails(t); len(sent) != 3 || fmt.Sprint(rec.to) != "[[audit@example.com]]" {
		t.Fatalf("%d mails, envelopes %v; want a third to audit@ alone", len(sent), rec.to)
	}

	// The whole period: the group and each reader.
	if cleared, err = digest.ClearForResend(ctx, e.app.Config, e.deps(), digest.Request{DigestID: "weekly", PeriodStart: "2026-11-16"}, ""); err != nil {
		t.Fatal(err)
	}
	if len(cleared) != 3 {
		t.Errorf("cleared %v, want the group and its two readers", cleared)
	}
	if _, err := digest.Run(ctx, e.app.Config, deps, req); err != nil {
		t.Fatal(err)
	}
	if sent := e.moto.SentEmails(t); len(sent) != 4 || len(rec.to) != 2 || len(rec.to[1]) != 2 {
		t.Fatalf("%d mails, envelopes %v; want a fourth to both readers", len(sent), rec.to)
	}
	if rec := e.record(t, nextKey); rec == nil || rec.State != sendlog.StateSent {
		t.Errorf("the next week's record %+v was touched", rec)
	}

	// Someone who does not get the digest.
	if _, err := digest.ClearForResend(ctx, e.app.Config, e.deps(), digest.Request{DigestID: "weekly", PeriodStart: "2026-11-16"}, "nobody@example.com"); err == nil ||
		!strings.Contains(err.Error(), "nobody@example.com does not receive weekly") {
		t.Errorf("err %v", err)
	}
}

// envelopes records each send's envelope recipients.
type envelopes struct {
	mail.Sender
	to [][]string
}

func (e *envelopes) Send(ctx context.Context, env mail.Envelope, raw []byte) (string, error) {
	e.to = append(e.to, env.Recipients)
	return e.Sender.Send(ctx, env, raw)
}
