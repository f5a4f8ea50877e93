package reports

import (
	"errors"
	"time"
)

// Source says where a report's figures come from.
type Source int

// Sources of reports.
const (
	// SourceAPI reports are fetched from the Comm100 Report API.
	SourceAPI Source = iota
	// SourceHistory reports are computed from the stack's own history of
	// alert polls (package history); the API is never asked for them.
	SourceHistory
)

// FromHistory reports whether the report is served from our own history,
// not the Comm100 API: the client refuses it without a request, and the
// digest reads the history store instead.
func (s *Spec) FromHistory() bool { return s.Source == SourceHistory }

// ErrFromHistory is returned by the client and Decode for a report served
// from the stack's history: there is nothing to ask the API for.
var ErrFromHistory = errors.New("report is served from the stack's own queue history, not the Comm100 API")

// QueueHistory is the "Queue over the week" section: what the alert
// poller saw every minute of the period, summarised per local day and as
// an hour × weekday heatmap (history.Summarize computes it).
type QueueHistory struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Wait is the wait, in seconds, a minute "over the wait" counts from.
	Wait float64 `json:"wait"`
	// CoveredFrom is the first poll kept, when the history begins after
	// From (a new stack); zero when it covers the whole period.
	CoveredFrom time.Time  `json:"coveredFrom,omitzero"`
	Days        []QueueDay `json:"days"`
	// Heatmap[weekday][hour] (time.Weekday order: Sunday first), local time.
	Heatmap [7][24]QueueCell `json:"heatmap"`
}

// QueueDay is one local day of a QueueHistory.
type QueueDay struct {
	Date time.Time `json:"date"` // local midnight
	// Polls is the successful polls kept that day; zero means no data
	// (Covered false: before the history began, or all gaps).
	Polls   int  `json:"polls"`
	Covered bool `json:"covered"`
	// Peak is the most visitors waiting at once, first reached at PeakAt.
	Peak   int       `json:"peak"`
	PeakAt time.Time `json:"peakAt,omitzero"`
	// MinutesOverWait counts polls at which someone had waited longer than the wait.
	MinutesOverWait int     `json:"minutesOverWait"`
	LongestWait     float64 `json:"longestWait"` // seconds
	// GapMinutes are the minutes without a successful poll since the
	// history began (CoveredFrom): failed polls and polls not made.
	GapMinutes int `json:"gapMinutes"`
}

// QueueCell is one hour × weekday cell of a QueueHistory's heatmap.
type QueueCell struct {
	Median float64 `json:"median"`
	Polls  int     `json:"polls"` // 0: no data (a gap, not a zero)
}

// Covered reports whether any day of the period has history.
func (q *QueueHistory) Covered() bool {
	for _, d := range q.Days {
		if d.Covered {
			return true
		}
	}
	return false
}
