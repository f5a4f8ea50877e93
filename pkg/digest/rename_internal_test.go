package digest

import (
	"context"
	"strings"
	"testing"
	"time"

	"reportmailer/internal/testconfig"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/sendlog"
	"reportmailer/pkg/suppress"
)

// weekly-managers was called weekly: a reader who unsubscribed through
// an older mail's link (recorded under weekly) is not mailed again once
// the config lists formerIds: [weekly].
func TestRenamedDigestKeepsUnsubscribes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testconfig.Example(t)
	d, _ := cfg.Digest("weekly-managers")
	d.FormerIDs = []string{"weekly"}
	d.To = []string{"Ana <ana@example.com>", "ben@example.com"}
	store := &suppress.Memory{}
	if err := store.Set(ctx, "weekly", "ana@example.com", true, wednesday.Add(-30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	sender := &mail.Memory{}
	res, err := Run(ctx, cfg, Deps{Reports: &boundFetcher{filters: map[string]int{}}, Sender: sender, SendLog: &sendlog.Memory{},
		Suppress: store, Now: func() time.Time { return wednesday }},
		Request{DigestID: "weekly-managers", PeriodStart: "2026-11-16", Send: true})
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, m := range sender.Messages() {
		to = append(to, m.Envelope.Recipients...)
	}
	if got := strings.Join(to, ","); strings.Contains(got, "ana@") || !strings.Contains(got, "ben@example.com") {
		t.Errorf("sent to %s; want ben only", got)
	}
	if res.Suppressed != 1 {
		t.Errorf("suppressed %d, want 1", res.Suppressed)
	}
}
