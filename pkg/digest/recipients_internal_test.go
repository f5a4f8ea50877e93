package digest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"reportmailer/internal/testconfig"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/sendlog"
)

func addrs(prefix string, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("%s%d@example.com", prefix, i))
	}
	return out
}

func TestRecipientGroupsStayWithinTheLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		to, cc, bcc int
		messages    int
	}{
		{1, 0, 0, 1}, {10, 5, 20, 1}, {1, 0, 120, 3}, {60, 0, 0, 3}, {30, 10, 55, 4},
	} {
		groups := recipientGroups(addrs("to", tc.to), addrs("cc", tc.cc), addrs("bcc", tc.bcc))
		total := 0
		for _, g := range groups {
			if 2*(len(g.to)+len(g.cc))+len(g.bcc) > maxRecipients {
				t.Errorf("%+v: a message over budget: %d to, %d cc, %d bcc", tc, len(g.to), len(g.cc), len(g.bcc))
			}
			total += len(g.to) + len(g.cc) + len(g.bcc)
		}
		if total != tc.to+tc.cc+tc.bcc || len(groups) != tc.messages {
			t.Errorf("%+v: %d messages, %d recipients", tc, len(groups), total)
		}
	}
}

// failNth fails its nth call with an error a retry may fix.
type failNth struct {
	mail.Memory
	n, calls int
}

func (f *failNth) Send(ctx context.Context, env mail.Envelope, raw []byte) (string, error) {
	f.calls++
	if f.calls == f.n {
		return "", errors.New("ses: TooManyRequestsException (retryable)")
	}
	return f.Memory.Send(ctx, env, raw)
}

// Without personal links, messages go to groups. A run sent the first
// group and failed on the second; before the retry an address was added
// at the top of the list, which moves every later address into another
// group. The retry still mails every reader exactly once, the new one
// included: groups are keyed by their members, and each member's own
// send-log record keeps them from a second copy in a regrouped message.
func TestGroupsAreKeyedByTheirMembers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testconfig.Example(t)
	d, _ := cfg.Digest("weekly-managers")
	d.To = addrs("reader", 60) // three groups of 25, 25 and 10
	sends := &sendlog.Memory{}
	sender := &failNth{n: 2}
	run := func() error {
		_, err := Run(ctx, cfg, Deps{Reports: &boundFetcher{filters: map[string]int{}}, Sender: sender, SendLog: sends,
			Now: func() time.Time { return wednesday }}, Request{DigestID: "weekly-managers", PeriodStart: "2026-11-16", Send: true})
		return err
	}
	if err := run(); err == nil || !mail.Retry(err) {
		t.Fatalf("first run: %v, want a retryable failure", err)
	}
	d.To = append([]string{"new@example.com"}, d.To...)
	if err := run(); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, m := range sender.Messages() {
		for _, r := range m.Envelope.Recipients {
			got[r]++
		}
	}
	for _, a := range d.To {
		if got[a] != 1 {
			t.Errorf("%s got %d copies, want 1", a, got[a])
		}
	}
	if err := run(); err != nil {
		t.Fatal(err)
	}
	if n := len(sender.Messages()); n > 4 {
		t.Errorf("a third run sent again: %d messages in all", n)
	}
}
