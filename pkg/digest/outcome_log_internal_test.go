package digest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"reportmailer/pkg/mail"
	"reportmailer/pkg/sendlog"
)

var update = flag.Bool("update", false, "rewrite testdata/outcome-log.jsonl")

// The lines that settle a message's outcome, as the digest function
// writes them (slog's JSON handler, as in functions/digest), are kept in
// testdata/outcome-log.jsonl without their time. internal/deploytest runs
// template.yaml's metric filter on that file; this test keeps the file
// equal to what the code writes (-update rewrites it deliberately).
func TestOutcomeLogLines(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})).With("function", "digest")
	for i, tc := range []struct {
		name     string
		err      error
		takeover bool
	}{
		{name: "sent"},
		{name: "rejected", err: &mail.PermanentError{Err: errors.New("ses: MessageRejected: address suppressed")}},
		{name: "answer lost", err: &mail.UnknownError{Err: errors.New("ses: EOF")}},
		{name: "earlier claim lapsed", takeover: true},
	} {
		sends := &sendlog.Memory{}
		r := exampleRun(t, Deps{SendLog: sends, Sender: &stubSender{err: tc.err}, Logger: logger, Now: func() time.Time { return wednesday }},
			Request{PeriodStart: "2026-11-16", Send: true})
		// resolvePeriod names the digest and period on the log lines.
		p, err := resolvePeriod(r)
		if err != nil {
			t.Fatal(err)
		}
		m := &Message{Key: sendKeyPrefix(r.d, p.period) + string(rune('1'+i)), Raw: []byte("x"),
			Recipients: []string{"a@example.com"}, MessageID: "<m@example.com>"}
		if tc.takeover {
			if _, err := sends.Begin(ctx, m.Key, wednesday.Add(-time.Hour), lease); err != nil {
				t.Fatal(err)
			}
		}
		_, _ = r.sendOne(ctx, p.period.End, mail.Envelope{}, m)
	}
	// Keep only the lines that carry an outcome.
	var got bytes.Buffer
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if _, ok := rec[outcomeKey]; ok {
			got.Write(line)
			got.WriteByte('\n')
		}
	}
	path := filepath.Join("testdata", "outcome-log.jsonl")
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("outcome lines changed (go test -run TestOutcomeLogLines -update, then check the template's filter):\n%s\nwant\n%s", got.Bytes(), want)
	}
	for _, state := range []string{sendlog.StateSent, sendlog.StateFailed, sendlog.StateUnknown} {
		if !bytes.Contains(got.Bytes(), []byte(`"`+outcomeKey+`":"`+state+`"`)) {
			t.Errorf("no line with outcome %s", state)
		}
	}
}
