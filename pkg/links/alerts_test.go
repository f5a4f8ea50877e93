package links

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"reportmailer/pkg/oncall"
)

func alertSetup(t *testing.T) (*Server, Issuer, *clock, *oncall.Memory) {
	t.Helper()
	srv, iss, c, _ := setup(t)
	store := &oncall.Memory{}
	srv.OnCall = store
	return srv, iss, c, store
}

func loadState(t *testing.T, s *oncall.Memory) oncall.State {
	t.Helper()
	st, err := s.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestAcknowledgeLink: GET and HEAD show the confirmation and change
// nothing; POST records the acknowledgement (the first one wins); the
// page shows the time in the rule's zone.
func TestAcknowledgeLink(t *testing.T) {
	srv, iss, c, store := alertSetup(t)
	ny, _ := time.LoadLocation("America/New_York")
	episode := c.t.Add(-5 * time.Minute)
	link := iss.Acknowledge("queue-long", "department:d1", "Department: Sales", episode, c.t.In(ny))
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		rec := do(t, srv, m, link, "")
		if rec.Code != http.StatusOK || (m == http.MethodGet && !strings.Contains(rec.Body.String(), `method="post"`)) {
			t.Errorf("%s: %d %s", m, rec.Code, rec.Body)
		}
	}
	if st := loadState(t, store); len(st.Acks) != 0 {
		t.Fatalf("GET acknowledged: %+v", st.Acks)
	}
	rec := do(t, srv, http.MethodPost, link, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Acknowledged at Mon 03:00 EST") {
		t.Errorf("POST: %d %s", rec.Code, rec.Body)
	}
	st := loadState(t, store)
	if !st.Acked("queue-long", "department:d1", episode.Unix()).Equal(c.t) {
		t.Errorf("acks %+v", st.Acks)
	}
	c.t = c.t.Add(time.Minute)
	if rec := do(t, srv, http.MethodPost, link, ""); !strings.Contains(rec.Body.String(), "Already acknowledged at Mon 03:00 EST") {
		t.Errorf("second POST: %s", rec.Body)
	}
}

// TestSilenceLinks: a 1 h link silences from the click; an "until" link
// until its time; a second click keeps one silence; GET changes nothing.
func TestSilenceLinks(t *testing.T) {
	srv, iss, c, store := alertSetup(t)
	hour := iss.Silence("queue-long", "department:d1", "Department: Sales", time.Hour, time.Time{}, c.t)
	morning := c.t.Add(24 * time.Hour)
	until := iss.Silence("queue-long", "department:d1", "Department: Sales", 0, morning, c.t)
	if rec := do(t, srv, http.MethodGet, hour, ""); rec.Code != http.StatusOK || len(loadState(t, store).Silences) != 0 {
		t.Fatalf("GET: %d, silences %+v", rec.Code, loadState(t, store).Silences)
	}
	c.t = c.t.Add(10 * time.Minute) // clicked ten minutes after the mail
	for range 2 {
		if rec := do(t, srv, http.MethodPost, hour, ""); rec.Code != http.StatusOK {
			t.Fatalf("POST: %d %s", rec.Code, rec.Body)
		}
	}
	st := loadState(t, store)
	if len(st.Silences) != 1 || !st.Silenced("queue-long", "department:d1", c.t.Add(59*time.Minute)) || st.Silenced("queue-long", "department:d1", c.t.Add(time.Hour)) {
		t.Errorf("silences %+v", st.Silences)
	}
	if rec := do(t, srv, http.MethodPost, until, ""); rec.Code != http.StatusOK {
		t.Fatalf("POST until: %d", rec.Code)
	}
	st = loadState(t, store)
	if len(st.Silences) != 2 || !st.Silences[1].End.Equal(morning) {
		t.Errorf("silences %+v", st.Silences)
	}
}

// TestAlertLinksRefused: a tampered, expired or wrong-kind token changes
// nothing.
func TestAlertLinksRefused(t *testing.T) {
	srv, iss, c, store := alertSetup(t)
	ack := iss.Acknowledge("queue-long", "department:d1", "Sales", c.t, c.t)
	sil := iss.Silence("queue-long", "department:d1", "Sales", time.Hour, time.Time{}, c.t)
	tampered := strings.Replace(ack, "t=", "t=x", 1)
	wrongKind := strings.Replace(ack, PathAcknowledge, PathSilence, 1)
	for name, tc := range map[string]struct {
		link string
		code int
	}{"tampered": {tampered, http.StatusBadRequest}, "wrong kind": {wrongKind, http.StatusBadRequest}} {
		if rec := do(t, srv, http.MethodPost, tc.link, ""); rec.Code != tc.code {
			t.Errorf("%s: %d", name, rec.Code)
		}
	}
	c.t = c.t.Add(AlertLinkTTL + time.Second)
	for _, link := range []string{ack, sil} {
		if rec := do(t, srv, http.MethodPost, link, ""); rec.Code != http.StatusGone {
			t.Errorf("expired: %d", rec.Code)
		}
	}
	if st := loadState(t, store); len(st.Acks)+len(st.Silences) != 0 {
		t.Errorf("refused links changed something: %+v", st)
	}
	if rec := do(t, srv, http.MethodPut, ack, ""); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d", rec.Code)
	}
}
