// Package history keeps what the alert poller saw every minute — every
// queue's figures and the site's right-now figures — which the Comm100
// Report API itself does not keep. The backtest (package backtest) replays
// it through the alert evaluation, and digests can summarise it.
//
// A poll that failed is stored as a failure (a gap), never filled in; a
// minute with no record at all is a gap too (the poller did not run).
package history

import (
	"context"
	"sort"
	"time"

	"reportmailer/pkg/reports"
)

// DefaultDays is how long snapshots are kept when alerts.historyDays is unset.
const DefaultDays = 35

// Queue is one queue's figures at a poll. Visitor ids are not kept: the
// waits are what the rules and summaries read.
type Queue struct {
	RouteTo   reports.RouteTo `json:"r"`
	Ongoing   float64         `json:"o,omitempty"`
	AvgWait30 float64         `json:"a30,omitempty"`
	AvgWait60 float64         `json:"a60,omitempty"`
	Abandoned float64         `json:"ab,omitempty"`
	Switched  float64         `json:"sw,omitempty"`
	Waits     []float64       `json:"w,omitempty"` // seconds each visitor in the queue has waited
}

// Snapshot is one poll: when, whether it succeeded, and what it saw.
type Snapshot struct {
	At time.Time `json:"at"`
	// Err is why the poll failed; a failed snapshot carries no figures.
	Err      string            `json:"err,omitempty"`
	Queues   []Queue           `json:"q,omitempty"`
	RightNow *reports.RightNow `json:"rn,omitempty"`
}

// OK reports whether the poll succeeded.
func (s Snapshot) OK() bool { return s.Err == "" }

// FromPoll builds a snapshot from one poll's answers (err non-nil: a failed poll).
func FromPoll(at time.Time, queues []reports.RealtimeQueue, rn *reports.RightNow, err error) Snapshot {
	s := Snapshot{At: at.UTC().Truncate(time.Minute)}
	if err != nil {
		s.Err = err.Error()
		if len(s.Err) > 200 {
			s.Err = s.Err[:200]
		}
		return s
	}
	for _, q := range queues {
		h := Queue{RouteTo: q.RouteTo, Ongoing: q.OngoingChats, AvgWait30: q.AvgWaitTimeInLast30Mins,
			AvgWait60: q.AvgWaitTimeInLast60Mins, Abandoned: q.AbandonedChatsInLast30Mins, Switched: q.SwitchedToMessagesInLast30Mins}
		for _, v := range q.Queue {
			h.Waits = append(h.Waits, v.WaitTime)
		}
		s.Queues = append(s.Queues, h)
	}
	s.RightNow = rn
	return s
}

// RealtimeQueues rebuilds the API's answer from a snapshot, as the poller saw it
// (visitor ids aside).
func (s Snapshot) RealtimeQueues() []reports.RealtimeQueue {
	out := make([]reports.RealtimeQueue, 0, len(s.Queues))
	for _, q := range s.Queues {
		r := reports.RealtimeQueue{RouteTo: q.RouteTo, OngoingChats: q.Ongoing, AvgWaitTimeInLast30Mins: q.AvgWait30,
			AvgWaitTimeInLast60Mins: q.AvgWait60, AbandonedChatsInLast30Mins: q.Abandoned, SwitchedToMessagesInLast30Mins: q.Switched,
			Queue: make([]reports.QueuedVisitor, len(q.Waits))}
		for i, w := range q.Waits {
			r.Queue[i].WaitTime = w
		}
		out = append(out, r)
	}
	return out
}

// Writer stores one poll's snapshot. It is all the alert poller needs.
type Writer interface {
	Put(ctx context.Context, s Snapshot) error
}

// Store keeps snapshots and reads them back by time.
type Store interface {
	Writer
	// Range returns the snapshots with from <= At < to, oldest first.
	Range(ctx context.Context, from, to time.Time) ([]Snapshot, error)
}

// Gap is a stretch of minutes with no successful poll: failed polls
// (Failed > 0) or minutes with no record at all.
type Gap struct {
	From, To time.Time // To is the first minute after the gap
	Failed   int       // polls stored as failed in it
}

// Minutes is the gap's length.
func (g Gap) Minutes() int { return int(g.To.Sub(g.From) / time.Minute) }

// Gaps lists the stretches of [from, to) not covered by a successful poll.
func Gaps(snaps []Snapshot, from, to time.Time) []Gap {
	ok := map[int64]bool{}
	failed := map[int64]bool{}
	for _, s := range snaps {
		if s.OK() {
			ok[s.At.Unix()] = true
		} else {
			failed[s.At.Unix()] = true
		}
	}
	var out []Gap
	var cur *Gap
	for t := from.UTC().Truncate(time.Minute); t.Before(to); t = t.Add(time.Minute) {
		if ok[t.Unix()] {
			if cur != nil {
				out = append(out, *cur)
				cur = nil
			}
			continue
		}
		if cur == nil {
			cur = &Gap{From: t}
		}
		cur.To = t.Add(time.Minute)
		if failed[t.Unix()] {
			cur.Failed++
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

func sortSnaps(s []Snapshot) {
	sort.Slice(s, func(i, j int) bool { return s[i].At.Before(s[j].At) })
}
