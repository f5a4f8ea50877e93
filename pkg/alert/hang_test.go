package alert_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"reportmailer/pkg/alert"
	"reportmailer/pkg/config"
	"reportmailer/pkg/notify"
	"reportmailer/pkg/reports"
)

// watchedStates signals when a saved state no longer holds a delivery to
// receiver: that delivery's outcome is recorded.
type watchedStates struct {
	*alert.MemoryStates
	receiver string
	once     sync.Once
	recorded chan struct{}
}

func (w *watchedStates) Save(ctx context.Context, ruleID, instance string, s alert.State, expect int64, now time.Time) (int64, error) {
	v, err := w.MemoryStates.Save(ctx, ruleID, instance, s, expect, now)
	if err == nil && ruleID == "queue-long" {
		pending := false
		for _, d := range s.Deliveries {
			pending = pending || d.Receiver == w.receiver
		}
		if !pending && s.Status == alert.Firing {
			w.once.Do(func() { close(w.recorded) })
		}
	}
	return v, err
}

// TestHangingReceiverDoesNotHoldBackOthersRecords: a webhook that hangs
// (here: until Slack's delivery is recorded, at most a few seconds) must
// not keep Slack's delivered FIRING unrecorded. In the Lambda, a receiver
// that hangs for its whole timeout on several alerts outlives the
// invocation: everything delivered meanwhile was never recorded, and the
// next evaluation posts it again, every minute the hang lasts.
func TestHangingReceiverDoesNotHoldBackOthersRecords(t *testing.T) {
	r := newReceiverRun(t, ``, func(int) ([]reports.RealtimeQueue, error) {
		return []reports.RealtimeQueue{queueOf(reports.RouteTo{Type: reports.RouteDepartment, ID: "d-sales"}, 12)}, nil
	})
	ws := &watchedStates{MemoryStates: &alert.MemoryStates{}, receiver: "support-slack", recorded: make(chan struct{})}
	r.ev.States = ws
	var mu sync.Mutex
	releasedByRecord := false
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-ws.recorded:
			mu.Lock()
			releasedByRecord = true
			mu.Unlock()
		case <-time.After(5 * time.Second): // the bound of the failing case only
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer hang.Close()
	hooks, err := notify.Build(context.Background(), []config.Receiver{{Name: "ops-hook", Webhook: &config.Hook{URL: reports.Secret(hang.URL + "/alerts/SECRETHOOK")}}}, nil, notify.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r.ev.Receivers["ops-hook"] = hooks["ops-hook"]
	r.evaluate(t, 0)
	if len(r.si.slack.Bodies()) != 1 {
		t.Fatalf("Slack got %d messages, want its FIRING", len(r.si.slack.Bodies()))
	}
	mu.Lock()
	defer mu.Unlock()
	if !releasedByRecord {
		t.Error("Slack's delivered FIRING was recorded only after the hanging webhook answered: had the invocation ended meanwhile, Slack would get it again")
	}
}
