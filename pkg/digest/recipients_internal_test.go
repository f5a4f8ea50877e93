package digest

import (
	"fmt"
	"testing"
)

func addrs(prefix string, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("%s%d@example.com", prefix, i))
	}
	return out
}

func TestRecipientGroupsStayWithinTheLimit(t *testing.T) {
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
