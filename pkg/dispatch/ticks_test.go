package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"reportmailer/internal/testconfig"
	"reportmailer/pkg/schedule"
)

// memQueue records what the handler queues.
type memQueue struct{ jobs []Job }

func (q *memQueue) Enqueue(_ context.Context, jobs []Job) error {
	q.jobs = append(q.jobs, jobs...)
	return nil
}

// TestHandlerTicksAcrossDST runs the dispatcher's handler on every
// quarter-hour tick from 10 March to 6 April 2027 (New York, London and
// Sydney change their clocks) with the example config, each tick twice as
// a Scheduler retry would: the distinct jobs are exactly the plan, and the
// retries add no job the send log would not absorb.
func TestHandlerTicksAcrossDST(t *testing.T) {
	cfg := testconfig.Example(t)
	ds, err := cfg.Schedules()
	if err != nil {
		t.Fatal(err)
	}
	q := &memQueue{}
	h := Handler(func(context.Context) ([]schedule.Entry, error) { return ds, nil }, q, nil)
	from := time.Date(2027, 3, 10, 0, 0, 0, 0, time.UTC)
	to := time.Date(2027, 4, 6, 0, 0, 0, 0, time.UTC)
	for at := from.Add(DefaultEvery); !at.After(to); at = at.Add(DefaultEvery) {
		tick := json.RawMessage(fmt.Sprintf(`{"scheduledTime":%q,"every":"15m"}`, at.Format(time.RFC3339)))
		for range 2 {
			if _, err := h(context.Background(), tick); err != nil {
				t.Fatal(err)
			}
		}
	}
	queued := map[Job]int{}
	for _, j := range q.jobs {
		queued[j]++
	}
	plan := schedule.Plan(ds, from.Add(time.Nanosecond), to.Add(time.Nanosecond))
	if len(queued) != len(plan) {
		t.Errorf("%d distinct jobs, plan has %d sends", len(queued), len(plan))
	}
	for _, p := range plan {
		if n := queued[JobOf(p)]; n != 2 {
			t.Errorf("%s %s queued %d times, want once per tick and once per retry", p.Digest, p.Period.Key(), n)
		}
	}
}
