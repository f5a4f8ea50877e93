package alert_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"reportmailer/pkg/alert"
	"reportmailer/pkg/history"
	"reportmailer/pkg/reports"
)

// halfDown answers realtime/queue and fails realtime/rightNow, or the reverse.
type halfDown struct{ queueDown bool }

func (h halfDown) RealtimeQueue(context.Context, reports.Query) ([]reports.RealtimeQueue, error) {
	if h.queueDown {
		return nil, errors.New("realtime/queue: HTTP 503")
	}
	return []reports.RealtimeQueue{{RouteTo: reports.RouteTo{Type: reports.RouteDepartment, ID: "d-sales"},
		Queue: []reports.QueuedVisitor{{VisitorID: "v1", WaitTime: 40}}}}, nil
}

func (h halfDown) RealtimeRightNow(context.Context, reports.Query) (*reports.RightNow, error) {
	if !h.queueDown {
		return nil, errors.New("realtime/rightNow: HTTP 503")
	}
	return &reports.RightNow{LoggedInAgents: 2}, nil
}

// TestEachPollIsKept: with History set the poller keeps every poll, both
// endpoints; a failure of the endpoint no rule needs does not fail the
// poll (nor count towards "data unavailable"), a needed one is a gap.
func TestEachPollIsKept(t *testing.T) {
	c := cfg(t, `
    - {id: q, metric: queue.length, op: ">", threshold: 8, to: [oncall@example.com]}
`)
	at := time.Date(2026, 11, 23, 10, 0, 30, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		fetch     halfDown
		failed    bool
		queueSeen int
	}{
		{name: "unneeded endpoint down", fetch: halfDown{queueDown: false}, queueSeen: 1},
		{name: "needed endpoint down", fetch: halfDown{queueDown: true}, failed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &history.Memory{}
			ev, err := alert.New(c, tc.fetch, &alert.MemoryStates{}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			ev.History = store
			out, err := ev.Evaluate(context.Background(), at)
			if err != nil {
				t.Fatal(err)
			}
			if (out.FetchError != nil) != tc.failed {
				t.Errorf("FetchError = %v, want failed=%v", out.FetchError, tc.failed)
			}
			snaps, _ := store.Range(context.Background(), at.Truncate(time.Minute), at.Add(time.Minute))
			if len(snaps) != 1 {
				t.Fatalf("%d snapshots kept, want 1", len(snaps))
			}
			s := snaps[0]
			if s.OK() == tc.failed || len(s.Queues) != tc.queueSeen || !s.At.Equal(at.Truncate(time.Minute)) {
				t.Errorf("kept %+v", s)
			}
		})
	}
}
