package history

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// Memory keeps snapshots in memory (tests, dry runs), one per minute: a
// later put of the same minute replaces the earlier one, as in DynamoDB.
type Memory struct {
	mu    sync.Mutex
	snaps map[int64]Snapshot
}

// Put implements Writer.
func (m *Memory) Put(_ context.Context, s Snapshot) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snaps == nil {
		m.snaps = map[int64]Snapshot{}
	}
	s.At = s.At.UTC().Truncate(time.Minute)
	m.snaps[s.At.Unix()] = s
	return nil
}

// Range implements Store.
func (m *Memory) Range(_ context.Context, from, to time.Time) ([]Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Snapshot
	for _, s := range m.snaps {
		if !s.At.Before(from) && s.At.Before(to) {
			out = append(out, s)
		}
	}
	sortSnaps(out)
	return out, nil
}

// File keeps snapshots in a JSON-lines file, for the CLI without an
// account (`history fill --store file:…`). Reads load the whole file.
type File struct {
	Path string
	mu   sync.Mutex
}

// Put implements Writer by appending a line.
func (f *File) Put(_ context.Context, s Snapshot) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s.At = s.At.UTC().Truncate(time.Minute)
	line, err := json.Marshal(s)
	if err != nil {
		return err
	}
	fh, err := os.OpenFile(f.Path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("history file: %w", err)
	}
	_, err = fh.Write(append(line, '\n'))
	return errors.Join(err, fh.Close())
}

// Range implements Store; a later line for the same minute wins.
func (f *File) Range(ctx context.Context, from, to time.Time) ([]Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fh, err := os.Open(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("history file: %w", err)
	}
	defer fh.Close()
	var m Memory
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var s Snapshot
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			return nil, fmt.Errorf("history file %s line %d: %w", f.Path, n, err)
		}
		_ = m.Put(ctx, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("history file: %w", err)
	}
	return m.Range(ctx, from, to)
}
