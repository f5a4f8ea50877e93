package functions_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"reportmailer/pkg/links"
	"reportmailer/pkg/oncall"
)

// TestLinksFunctionAcknowledgesAndSilences: the real links binary under
// the Runtime Interface Emulator, on moto's DynamoDB, answers an alert's
// acknowledge and silence links as Function URL events: GET shows the
// confirmation and stores nothing, POST stores, a tampered or expired
// link changes nothing.
func TestLinksFunctionAcknowledgesAndSilences(t *testing.T) {
	st := startLinksStack(t, false)
	store := oncall.DynamoDB{Client: dynamodb.NewFromConfig(st.cfg), Table: "reportmailer"}
	load := func() oncall.State {
		t.Helper()
		s, err := store.Load(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	iss := links.Issuer{Signer: st.signer, Base: "https://abc123.lambda-url.eu-west-1.on.aws/"}
	now := time.Now()
	ny, _ := time.LoadLocation("America/New_York")
	episode := now.Add(-4 * time.Minute).Truncate(time.Second)
	ack := iss.Acknowledge("queue-long", "department:d1", "Department: Sales", episode, now.In(ny))
	silence := iss.Silence("queue-long", "department:d1", "Department: Sales", time.Hour, time.Time{}, now.In(ny))
	expired := iss.Acknowledge("queue-long", "department:d1", "Department: Sales", episode, now.Add(-links.AlertLinkTTL-time.Minute))
	tampered := strings.Replace(ack, "t=", "t=A", 1)

	for _, link := range []string{ack, silence} {
		if resp := st.request(t, http.MethodGet, link, ""); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `method="post"`) {
			t.Fatalf("GET %s: %d %s", link, resp.StatusCode, resp.Body)
		}
	}
	for name, tc := range map[string]struct {
		link string
		code int
	}{"tampered": {tampered, http.StatusBadRequest}, "expired": {expired, http.StatusGone}} {
		if resp := st.request(t, http.MethodPost, tc.link, ""); resp.StatusCode != tc.code {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
	if s := load(); len(s.Acks)+len(s.Silences) != 0 {
		t.Fatalf("GET or a refused link changed something: %+v", s)
	}

	resp := st.request(t, http.MethodPost, ack, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "Acknowledged at") || !strings.Contains(resp.Body, "ST") {
		t.Errorf("POST acknowledge: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := st.request(t, http.MethodPost, silence, ""); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "Silenced until") {
		t.Errorf("POST silence: %d %s", resp.StatusCode, resp.Body)
	}
	s := load()
	if s.Acked("queue-long", "department:d1", episode.Unix()).IsZero() {
		t.Errorf("no acknowledgement stored: %+v", s.Acks)
	}
	if !s.Silenced("queue-long", "department:d1", time.Now().Add(50*time.Minute)) || s.Silenced("queue-long", "department:d1", now.Add(2*time.Hour)) {
		t.Errorf("silence %+v, want about an hour from the click", s.Silences)
	}
}
