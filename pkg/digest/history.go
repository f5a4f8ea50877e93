package digest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"reportmailer/pkg/history"
	"reportmailer/pkg/reports"
)

// HistoryReader is the part of the history store a digest reads: the
// alert poller's snapshots of a stretch of time (history.Store has it).
type HistoryReader interface {
	Range(ctx context.Context, from, to time.Time) ([]history.Snapshot, error)
}

// errNoHistoryStore fails a queueHistory section when the run has no
// store; errHistoryRead when the store could not be read.
var (
	errNoHistoryStore = errors.New("no queue history store")
	errHistoryRead    = errors.New("read queue history")
)

// historyReads reads each stretch of history once per run: the period
// and the previous one are shared by every audience copy, which only
// summarise the same snapshots with another department filter.
type historyReads struct {
	mu    sync.Mutex
	reads map[[2]int64]*historyRead
}

type historyRead struct {
	once  sync.Once
	snaps []history.Snapshot
	err   error
}

func (h *historyReads) get(ctx context.Context, store HistoryReader, from, to time.Time) ([]history.Snapshot, error) {
	h.mu.Lock()
	if h.reads == nil {
		h.reads = map[[2]int64]*historyRead{}
	}
	k := [2]int64{from.UnixNano(), to.UnixNano()}
	rd := h.reads[k]
	if rd == nil {
		rd = &historyRead{}
		h.reads[k] = rd
	}
	h.mu.Unlock()
	rd.once.Do(func() { rd.snaps, rd.err = store.Range(ctx, from, to) })
	return rd.snaps, rd.err
}

// queueHistory fills a queueHistory call from the history store, never
// from the API: the snapshots of the call's stretch, summarised per local
// day in the digest's timezone, for the section's department filter (its
// own or the audience member's).
func (r *copyRun) queueHistory(ctx context.Context, c *call) ([]any, error) {
	if r.history == nil {
		return nil, errNoHistoryStore
	}
	snaps, err := r.histReads.get(ctx, r.history, c.query.From, c.query.To)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errHistoryRead, err)
	}
	o := history.SummaryOptions{Location: r.plan.loc, Wait: c.wait}
	if f := c.query.Filter; f != nil && f.Name == "department" {
		o.Departments = []string{f.Value}
	}
	return []any{history.Summarize(snaps, c.query.From, c.query.To, o).Section()}, nil
}

// historyCalls are a queueHistory section's reads: the period and the
// previous one (the "was" figures), each whole.
func (r *copyRun) historyCalls(i int, spec *reports.Spec, wait time.Duration, filter *reports.Filter) []*call {
	var out []*call
	for _, prev := range []bool{false, true} {
		p := r.plan.period
		if prev {
			p = r.plan.previous
		}
		from, to, off := p.Query()
		out = append(out, &call{section: i, previous: prev, name: spec.Name, offset: off, history: true, wait: wait,
			query: reports.Query{From: from, To: to, Offset: off, Filter: filter}})
	}
	return out
}
