package sendlog_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"reportmailer/internal/awstest"
	"reportmailer/pkg/sendlog"
)

func TestMain(m *testing.M) { awstest.Main(m) }

func logs(t *testing.T) map[string]sendlog.Log {
	moto := awstest.Fresh(t)
	client := dynamodb.NewFromConfig(moto.Config(t))
	if err := sendlog.CreateTable(context.Background(), client, "reportmailer"); err != nil {
		t.Fatal(err)
	}
	return map[string]sendlog.Log{"dynamodb": sendlog.DynamoDB{Client: client, Table: "reportmailer"}, "memory": &sendlog.Memory{}}
}

func TestExactlyOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	for name, log := range logs(t) {
		t.Run(name, func(t *testing.T) {
			c, err := log.Begin(ctx, "digest#weekly#2026-11-16", now, 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			// A second invocation while the first is sending.
			if _, err := log.Begin(ctx, "digest#weekly#2026-11-16", now.Add(time.Minute), 5*time.Minute); !errors.Is(err, sendlog.ErrInProgress) {
				t.Errorf("concurrent begin: %v", err)
			}
			if err := log.Done(ctx, c, "ses-1", now); err != nil {
				t.Fatal(err)
			}
			// A retry hours later.
			if _, err := log.Begin(ctx, "digest#weekly#2026-11-16", now.Add(6*time.Hour), 5*time.Minute); !errors.Is(err, sendlog.ErrAlreadySent) {
				t.Errorf("begin after done: %v", err)
			}
			rec, _ := log.Get(ctx, "digest#weekly#2026-11-16")
			if rec == nil || rec.State != "sent" || rec.MessageID != "ses-1" {
				t.Errorf("record %+v", rec)
			}
		})
	}
}

func TestCrashedClaimIsTakenOverAfterLease(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	for name, log := range logs(t) {
		t.Run(name, func(t *testing.T) {
			if first, err := log.Begin(ctx, "k", now, 5*time.Minute); err != nil || first.TakenOver {
				t.Fatal(first, err)
			}
			// The holder crashed; after the lease a retry takes over, and is told so.
			c, err := log.Begin(ctx, "k", now.Add(6*time.Minute), 5*time.Minute)
			if err != nil || !c.TakenOver {
				t.Fatalf("take over: %+v, %v", c, err)
			}
			if err := log.Abandon(ctx, c); err != nil {
				t.Fatal(err)
			}
			// An abandoned claim (failure before sending) lets a retry go at once.
			if c, err := log.Begin(ctx, "k", now.Add(7*time.Minute), 5*time.Minute); err != nil || c.TakenOver {
				t.Errorf("begin after abandon: %+v, %v", c, err)
			}
		})
	}
}

func TestConcurrentBeginsOneWins(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	for name, log := range logs(t) {
		t.Run(name, func(t *testing.T) {
			var wg sync.WaitGroup
			var mu sync.Mutex
			wins := 0
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := log.Begin(ctx, "race", now, time.Minute); err == nil {
						mu.Lock()
						wins++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if wins != 1 {
				t.Errorf("%d claims won, want 1", wins)
			}
		})
	}
}

// A send of unknown outcome is never claimed again, even long after;
// a failed one (nothing went out) may be; a write by an overtaken holder
// says its claim is lost.
func TestSettledStates(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	for name, log := range logs(t) {
		t.Run(name, func(t *testing.T) {
			c, err := log.Begin(ctx, "unknown", now, 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if err := log.Settle(ctx, c, sendlog.StateUnknown, "ses: EOF", now); err != nil {
				t.Fatal(err)
			}
			if _, err := log.Begin(ctx, "unknown", now.Add(24*time.Hour), 5*time.Minute); !errors.Is(err, sendlog.ErrOutcomeUnknown) {
				t.Errorf("begin after unknown: %v", err)
			}
			if rec, _ := log.Get(ctx, "unknown"); rec == nil || rec.State != sendlog.StateUnknown || rec.Reason != "ses: EOF" {
				t.Errorf("record %+v", rec)
			}

			c, err = log.Begin(ctx, "failed", now, 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if err := log.Settle(ctx, c, sendlog.StateFailed, "MessageRejected", now); err != nil {
				t.Fatal(err)
			}
			if rec, _ := log.Get(ctx, "failed"); rec == nil || rec.State != sendlog.StateFailed || rec.Reason != "MessageRejected" {
				t.Errorf("record %+v", rec)
			}
			if _, err := log.Begin(ctx, "failed", now.Add(time.Minute), 5*time.Minute); !errors.Is(err, sendlog.ErrFailed) {
				t.Errorf("begin after failed: %v, want ErrFailed (a retry never resends a rejected message)", err)
			}
			if err := log.Reopen(ctx, "failed"); err != nil {
				t.Fatal(err)
			}
			if _, err := log.Begin(ctx, "failed", now.Add(2*time.Minute), 5*time.Minute); err != nil {
				t.Errorf("begin after reopen: %v", err)
			}
			if err := log.Reopen(ctx, "unknown"); err != nil {
				t.Fatal(err)
			}
			if rec, _ := log.Get(ctx, "unknown"); rec == nil || rec.State != sendlog.StateUnknown {
				t.Errorf("Reopen touched a record that is not failed: %+v", rec)
			}

			stale, err := log.Begin(ctx, "overtaken", now, 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := log.Begin(ctx, "overtaken", now.Add(6*time.Minute), 5*time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := log.Done(ctx, stale, "ses-2", now); !errors.Is(err, sendlog.ErrClaimLost) {
				t.Errorf("done by an overtaken holder: %v", err)
			}
		})
	}
}

// Forget deletes a settled record (or a lapsed claim) and says what it
// was; it refuses a live claim and ignores a missing key.
func TestForget(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	for name, log := range logs(t) {
		t.Run(name, func(t *testing.T) {
			c, err := log.Begin(ctx, "digest#w#a", now, 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := log.Forget(ctx, "digest#w#a", now.Add(time.Minute)); !errors.Is(err, sendlog.ErrInProgress) {
				t.Errorf("live claim: %v, want ErrInProgress", err)
			}
			if err := log.Done(ctx, c, "ses-1", now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			rec, err := log.Forget(ctx, "digest#w#a", now.Add(time.Hour))
			if err != nil || rec == nil || rec.State != sendlog.StateSent || rec.MessageID != "ses-1" {
				t.Errorf("forget: %+v, %v", rec, err)
			}
			if rec, _ := log.Get(ctx, "digest#w#a"); rec != nil {
				t.Errorf("still there: %+v", rec)
			}
			if _, err := log.Begin(ctx, "digest#w#a", now.Add(time.Hour), 5*time.Minute); err != nil {
				t.Errorf("Begin after Forget: %v", err)
			}
			if rec, err := log.Forget(ctx, "digest#w#none", now); rec != nil || err != nil {
				t.Errorf("missing key: %+v, %v", rec, err)
			}
			// A lapsed claim may be cleared.
			if _, err := log.Begin(ctx, "digest#w#b", now, 5*time.Minute); err != nil {
				t.Fatal(err)
			}
			if rec, err := log.Forget(ctx, "digest#w#b", now.Add(time.Hour)); err != nil || rec == nil || rec.State != sendlog.StateInProgress {
				t.Errorf("lapsed claim: %+v, %v", rec, err)
			}
		})
	}
}
