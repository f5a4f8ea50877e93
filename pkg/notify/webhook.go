package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Webhook posts Prometheus Alertmanager's webhook payload, version 4, so
// that any tool consuming Alertmanager webhooks consumes ours.
// https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
type Webhook struct{ hook }

// Name implements Receiver.
func (w *Webhook) Name() string { return w.name }

// Kind implements Receiver.
func (w *Webhook) Kind() string { return "webhook" }

// Send implements Receiver.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	return post(ctx, w.client, string(w.url), AlertmanagerPayload(m, w.name), w.name, w.Kind())
}

// zeroTime is how Alertmanager writes a firing alert's endsAt.
var zeroTime = time.Time{}.Format(time.RFC3339)

// AlertmanagerPayload is the version 4 webhook body for one alert.
func AlertmanagerPayload(m Message, receiver string) map[string]any {
	status := "firing"
	ends := zeroTime
	if m.Event == Resolved {
		status = "resolved"
		if !m.EndsAt.IsZero() {
			ends = m.EndsAt.UTC().Format(time.RFC3339)
		}
	}
	labels := m.Labels
	if labels == nil {
		labels = map[string]string{"alertname": m.RuleID}
	}
	annotations := m.Annotations
	if annotations == nil {
		annotations = map[string]string{}
	}
	alert := map[string]any{
		"status": status, "labels": labels, "annotations": annotations,
		"startsAt": m.StartsAt.UTC().Format(time.RFC3339), "endsAt": ends,
		"generatorURL": m.ExternalURL, "fingerprint": Fingerprint(labels),
	}
	group := map[string]string{"alertname": labels["alertname"]}
	return map[string]any{
		"version": "4", "groupKey": groupKey(receiver, group), "truncatedAlerts": 0,
		"status": status, "receiver": receiver,
		"groupLabels": group, "commonLabels": labels, "commonAnnotations": annotations,
		"externalURL": m.ExternalURL, "alerts": []any{alert},
	}
}

// Fingerprint identifies an alert by its labels, as Alertmanager's
// 16-hex-digit fingerprint does.
func Fingerprint(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s\xff%s\xff", k, labels[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// groupKey reads like Alertmanager's: the route, then the group's labels.
func groupKey(receiver string, group map[string]string) string {
	var parts []string
	for k, v := range group {
		parts = append(parts, fmt.Sprintf("%s=%q", k, v))
	}
	sort.Strings(parts)
	return fmt.Sprintf("{}/{receiver=%q}:{%s}", receiver, strings.Join(parts, ", "))
}
