package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"reportmailer/pkg/config"
	"reportmailer/pkg/notify"
)

// TestSecretsWithATrailingNewlineWork: a secret stored from a file or an
// echo ends in a newline. The URL check trims it, so the receiver builds,
// but the request must not carry it either: a URL with a newline is
// refused by net/http (every notification "refused for good"), and a
// routing key with one is refused by PagerDuty.
func TestSecretsWithATrailingNewlineWork(t *testing.T) {
	t.Parallel()
	var key string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			RoutingKey string `json:"routing_key"`
		}
		_ = json.NewDecoder(r.Body).Decode(&ev)
		if ev.RoutingKey != "" {
			key = ev.RoutingKey
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	rs := []config.Receiver{
		{Name: "s", Slack: &config.Hook{URLSecret: "slack"}},
		{Name: "p", PagerDuty: &config.PagerDuty{RoutingKeySecret: "pd", URL: srv.URL + "/v2/enqueue"}},
	}
	secrets := map[string]string{"slack": srv.URL + "/services/T/B/SECRET\n", "pd": "R0UT1NGKEY\n"}
	got, err := notify.Build(context.Background(), rs, func(_ context.Context, name string) (string, error) { return secrets[name], nil }, notify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"s", "p"} {
		if err := got[name].Send(context.Background(), message(notify.Firing)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if key != "R0UT1NGKEY" {
		t.Errorf("PagerDuty got routing key %q", key)
	}
}
