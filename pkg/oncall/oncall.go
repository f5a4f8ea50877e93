// Package oncall records what on-call did about alerts: acknowledgements
// (reminders stop until the alert resolves; PagerDuty is told) and
// silences (nothing is sent for a rule, or one scope of it, until the
// silence ends). The links function writes them from signed links, the
// CLI adds, lists and expires silences, and every alert evaluation reads
// them all with one query and hands them to the pure state machine.
package oncall

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Ack is an acknowledgement of one alert episode.
type Ack struct {
	Rule     string    `json:"rule"`
	Instance string    `json:"instance"`
	Episode  int64     `json:"episode"` // the episode's start (FiringSince), Unix seconds
	At       time.Time `json:"at"`
	By       string    `json:"by,omitempty"` // "link" or the CLI user
}

// Silence stops notifications for a rule (Scope empty) or one of its
// instances from Start until End.
type Silence struct {
	ID      string    `json:"id"`
	Rule    string    `json:"rule"`
	Scope   string    `json:"scope,omitempty"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Comment string    `json:"comment,omitempty"`
	By      string    `json:"by,omitempty"`
}

// Active reports whether the silence holds at now.
func (s Silence) Active(now time.Time) bool { return !now.Before(s.Start) && now.Before(s.End) }

// Covers reports whether the silence holds for rule and instance at now.
func (s Silence) Covers(rule, instance string, now time.Time) bool {
	return s.Rule == rule && scopeCovers(s.Scope, instance) && s.Active(now)
}

// scopeCovers reports whether a silence's scope names instance: the whole
// rule (""), the instance itself, or the short id an alert shows for a
// queue the config does not name ("department:1487fd00" for
// "department:1487fd00-92e6-…", as alert.queueLabel prints it), so that
// on-call can silence what they read.
func scopeCovers(scope, instance string) bool {
	if scope == "" || scope == instance {
		return true
	}
	kind, id, ok := strings.Cut(scope, ":")
	ikind, iid, iok := strings.Cut(instance, ":")
	return ok && iok && kind == ikind && utf8.RuneCountInString(id) >= 8 &&
		utf8.RuneCountInString(iid) > 13 && strings.HasPrefix(iid, id)
}

// State is every acknowledgement and silence, as one evaluation reads them.
type State struct {
	Acks     []Ack
	Silences []Silence
}

// Silenced reports whether a silence covers rule and instance at now.
func (s State) Silenced(rule, instance string, now time.Time) bool {
	for _, si := range s.Silences {
		if si.Covers(rule, instance, now) {
			return true
		}
	}
	return false
}

// Acked returns when the episode was acknowledged (zero: not).
func (s State) Acked(rule, instance string, episode int64) time.Time {
	for _, a := range s.Acks {
		if a.Rule == rule && a.Instance == instance && a.Episode == episode {
			return a.At
		}
	}
	return time.Time{}
}

// ErrNotFound is an unknown silence id.
var ErrNotFound = errors.New("no such silence")

// Store keeps acknowledgements and silences.
type Store interface {
	// Load returns every acknowledgement and silence not yet expired by TTL.
	Load(ctx context.Context) (State, error)
	// Acknowledge records a; the first acknowledgement of an episode wins
	// and is returned (so a second click shows the first time).
	Acknowledge(ctx context.Context, a Ack) (Ack, error)
	// AddSilence records s (its ID set when empty) and returns it.
	AddSilence(ctx context.Context, s Silence) (Silence, error)
	// ExpireSilence ends a silence at now.
	ExpireSilence(ctx context.Context, id string, now time.Time) (Silence, error)
}

// NewID is a new silence id: 12 hex digits.
func NewID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func ackKey(a Ack) string { return fmt.Sprintf("ack#%s#%s#%d", a.Rule, a.Instance, a.Episode) }

// Memory keeps them in memory (tests, the demo).
type Memory struct {
	mu       sync.Mutex
	acks     map[string]Ack
	silences map[string]Silence
}

// Load implements Store.
func (m *Memory) Load(context.Context) (State, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var st State
	for _, a := range m.acks {
		st.Acks = append(st.Acks, a)
	}
	for _, s := range m.silences {
		st.Silences = append(st.Silences, s)
	}
	sortSilences(st.Silences)
	return st, nil
}

// Acknowledge implements Store.
func (m *Memory) Acknowledge(_ context.Context, a Ack) (Ack, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.acks == nil {
		m.acks = map[string]Ack{}
	}
	if prev, ok := m.acks[ackKey(a)]; ok {
		return prev, nil
	}
	m.acks[ackKey(a)] = a
	return a, nil
}

// AddSilence implements Store.
func (m *Memory) AddSilence(_ context.Context, s Silence) (Silence, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.silences == nil {
		m.silences = map[string]Silence{}
	}
	if s.ID == "" {
		s.ID = NewID()
	}
	m.silences[s.ID] = s
	return s, nil
}

// ExpireSilence implements Store.
func (m *Memory) ExpireSilence(_ context.Context, id string, now time.Time) (Silence, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.silences[id]
	if !ok {
		return Silence{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if s.End.After(now) {
		s.End = now
	}
	m.silences[id] = s
	return s, nil
}

// sortSilences orders silences by start, then end, then id: two silences
// made in the same minute (a "1 h" and an "until 08:00" click) list in
// one order on every read, from memory or from DynamoDB, whose map and
// query orders are not ours to rely on.
func sortSilences(s []Silence) {
	sort.Slice(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		if !a.End.Equal(b.End) {
			return a.End.Before(b.End)
		}
		return a.ID < b.ID
	})
}
