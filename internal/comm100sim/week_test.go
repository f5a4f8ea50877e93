package comm100sim_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/reports"
)

// TestScriptedWeek: the week follows a day pattern, surges where the
// script says, and fails (503) during its outage.
func TestScriptedWeek(t *testing.T) {
	t.Parallel()
	steps := comm100sim.WeekScript()
	if len(steps) != comm100sim.WeekMinutes {
		t.Fatalf("%d steps", len(steps))
	}
	sim := comm100sim.New(comm100sim.Options{})
	script := comm100sim.NewScript(steps, false)
	sim.SetScript(script)
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c := reports.New(reports.WithBaseURL(srv.URL), reports.WithRetry(reports.RetryPolicy{MaxAttempts: 1}),
		reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}))
	sales := func(at time.Time) (int, error) {
		script.Step(comm100sim.WeekStep(at))
		qs, err := c.RealtimeQueue(context.Background(), reports.Query{})
		if err != nil {
			return 0, err
		}
		return len(qs[1].Queue), nil
	}
	mon := comm100sim.WeekStart
	for _, tc := range []struct {
		at       time.Time
		min, max int
	}{
		{mon.Add(3 * time.Hour), 0, 1},                   // night
		{mon.Add(10*time.Hour + 22*time.Minute), 12, 14}, // Monday's surge
		{mon.Add(5*24*time.Hour + 3*time.Hour + 30*time.Minute), 0, 1},
	} {
		n, err := sales(tc.at)
		if err != nil || n < tc.min || n > tc.max {
			t.Errorf("%s: Sales queue %d (%v), want %d–%d", tc.at.Format("Mon 15:04"), n, err, tc.min, tc.max)
		}
	}
	var apiErr *reports.APIError
	if _, err := sales(mon.Add(3*24*time.Hour + 9*time.Hour + 10*time.Minute)); !errors.As(err, &apiErr) || apiErr.Status != 503 {
		t.Errorf("Thursday 09:10: %v, want the scripted 503", err)
	}
	if _, err := c.RealtimeRightNow(context.Background(), reports.Query{}); err == nil {
		t.Error("realtime/rightNow answered during the outage")
	}
}
