// Package notify delivers alert notifications to chat, paging and webhook
// receivers: Slack (an incoming webhook with Block Kit), Microsoft Teams
// (a Workflows webhook with an Adaptive Card), PagerDuty (Events API v2)
// and any tool that reads Prometheus Alertmanager's webhook (version 4).
//
// Package alert decides what to send, keeps each delivery in its alert's
// outbox and retries it; a Receiver only turns a Message into one HTTP
// request and says whether a failure is worth retrying (*Error). Webhook
// URLs and routing keys are credentials: they never appear in an error,
// a log line or a printed value.
package notify

import (
	"context"
	"errors"
	"time"

	"reportmailer/pkg/config"
)

// Event is what a message says about its alert.
type Event string

// Events.
const (
	Firing       Event = "firing"
	Reminder     Event = "reminder"
	Acknowledged Event = "acknowledged"
	Resolved     Event = "resolved"
)

// Link is a labelled URL.
type Link struct{ Text, URL string }

// Fact is a labelled value.
type Fact struct{ Title, Value string }

// Message is one notification as every receiver sees it: flat, already
// worded and formatted (times in the rule's zone), so that a receiver only
// lays it out.
type Message struct {
	Event Event
	// DedupKey is stable for one alert episode (rule, scope, start): it
	// ties PagerDuty's trigger, acknowledge and resolve together.
	DedupKey string
	RuleID   string
	Instance string // "department:…", "site", "comm100"
	Site     string // the site's name (or id)
	// Title is the one-line summary (the mail's subject).
	Title    string
	Headline string
	Detail   string
	Severity string // critical, warning or info
	Scope    string // "Department: Sales"
	Facts    []Fact
	StartsAt time.Time
	EndsAt   time.Time // zero while firing
	Links    []Link    // runbook, Comm100 console
	Actions  []Link    // acknowledge, silence (signed links)
	// Labels and Annotations are the alert as Prometheus tools see it.
	Labels      map[string]string
	Annotations map[string]string
	ExternalURL string
}

// Receiver sends messages to one destination.
type Receiver interface {
	Name() string
	Kind() string
	Send(ctx context.Context, m Message) error
}

// Wants reports whether a receiver of kind takes event: PagerDuty needs no
// reminders (it escalates itself) and is the only one told of an
// acknowledgement; chat and webhooks get no message for one (the next
// message says it).
func Wants(kind string, e Event) bool {
	switch e {
	case Reminder:
		return kind != "pagerduty"
	case Acknowledged:
		return kind == "pagerduty"
	}
	return true
}

// Secrets resolves a receiver's secret by name (Secrets Manager).
type Secrets func(ctx context.Context, name string) (string, error)

// Options tune the receivers.
type Options struct {
	// Timeout bounds one request (default 10 s).
	Timeout time.Duration
}

// Build makes the configured receivers, resolving urlSecret and
// routingKeySecret through secrets (which may be nil when none is used).
// A receiver whose secret cannot be read is still in the map, as one whose
// every send fails (retryably: its notifications wait in its outbox until
// a later start reads the secret); the error joins every such *BuildError,
// which names the receiver and the secret, never a value. The other
// receivers work: one broken receiver never silences the rest.
func Build(ctx context.Context, rs []config.Receiver, secrets Secrets, opts Options) (map[string]Receiver, error) {
	out := map[string]Receiver{}
	var errs []error
	c := newClient(opts)
	resolve := func(r config.Receiver, value, name string) (string, error) {
		if value != "" {
			return value, nil
		}
		if secrets == nil {
			return "", &BuildError{Receiver: r.Name, Secret: name, Err: errNoSecrets}
		}
		v, err := secrets(ctx, name)
		if err == nil && v == "" {
			err = errEmptySecret
		}
		if err != nil {
			return "", &BuildError{Receiver: r.Name, Secret: name, Err: err}
		}
		return v, nil
	}
	for _, r := range rs {
		if pd := r.PagerDuty; pd != nil {
			key, err := resolve(r, string(pd.RoutingKey), pd.RoutingKeySecret)
			if err != nil {
				out[r.Name], errs = &unavailable{name: r.Name, kind: r.Kind(), err: err}, append(errs, err)
				continue
			}
			u := pd.URL
			if u == "" {
				u = config.DefaultPagerDutyURL
			}
			out[r.Name] = &PagerDuty{name: r.Name, key: secret(key), url: u, client: c}
			continue
		}
		h := r.Hook()
		u, err := resolve(r, string(h.URL), h.URLSecret)
		if err == nil && h.URLSecret != "" {
			if e := checkSecretURL(u); e != nil {
				err = &BuildError{Receiver: r.Name, Secret: h.URLSecret, Err: e}
			}
		}
		if err != nil {
			out[r.Name], errs = &unavailable{name: r.Name, kind: r.Kind(), err: err}, append(errs, err)
			continue
		}
		hook := hook{name: r.Name, url: secret(u), client: c}
		switch r.Kind() {
		case "slack":
			out[r.Name] = &Slack{hook}
		case "teams":
			out[r.Name] = &Teams{hook}
		default:
			out[r.Name] = &Webhook{hook}
		}
	}
	return out, errors.Join(errs...)
}

// unavailable is a receiver whose secret could not be read.
type unavailable struct {
	name, kind string
	err        error
}

func (u *unavailable) Name() string { return u.name }
func (u *unavailable) Kind() string { return u.kind }

// Send fails retryably: the secret may be readable at the next start.
func (u *unavailable) Send(context.Context, Message) error {
	return &Error{Receiver: u.name, Kind: u.kind, Reason: "not available: " + u.err.Error()}
}
