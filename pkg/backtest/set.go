package backtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"reportmailer/pkg/config"
)

// Set is one `--set rule.field=value` override.
type Set struct {
	Rule, Field, Value string
}

func (s Set) String() string { return s.Rule + "." + s.Field + "=" + s.Value }

// Fields are the rule fields --set may change.
var Fields = []string{"threshold", "recovery", "op", "for", "repeat", "sendResolved", "queue", "severity"}

// ParseSet reads "rule.field=value" (the rule id may itself contain dots).
func ParseSet(s string) (Set, error) {
	key, value, ok := strings.Cut(s, "=")
	dot := strings.LastIndex(key, ".")
	if !ok || dot <= 0 || dot == len(key)-1 {
		return Set{}, fmt.Errorf("--set %q: want rule.field=value, e.g. queue-long.threshold=10", s)
	}
	set := Set{Rule: key[:dot], Field: key[dot+1:], Value: strings.TrimSpace(value)}
	if !slices.Contains(Fields, set.Field) {
		return Set{}, fmt.Errorf("--set %q: field %q: want one of %s", s, set.Field, strings.Join(Fields, ", "))
	}
	return set, nil
}

// Apply returns a copy of cfg with the overrides applied; cfg itself,
// and so the stored rules the live poller uses, is not changed.
func Apply(cfg *config.Config, sets []Set) (*config.Config, error) {
	c := *cfg
	c.Alerts.Rules = make([]config.Rule, len(cfg.Alerts.Rules))
	for i, r := range cfg.Alerts.Rules {
		r.To = slices.Clone(r.To)
		c.Alerts.Rules[i] = r
	}
	for _, s := range sets {
		i := slices.IndexFunc(c.Alerts.Rules, func(r config.Rule) bool { return r.ID == s.Rule })
		if i < 0 {
			return nil, fmt.Errorf("--set %s: no alert rule %q", s, s.Rule)
		}
		if err := setField(&c.Alerts.Rules[i], s); err != nil {
			return nil, fmt.Errorf("--set %s: %w", s, err)
		}
	}
	var bad config.Problems
	for _, p := range c.Validate() {
		if strings.HasPrefix(p.Path, "alerts") {
			bad = append(bad, p)
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("--set: %w", bad)
	}
	return &c, nil
}

// The config's defaults for a rule's repeat and severity (its
// applyDefaults): an override of 0 or "" means them, as in the file.
const (
	defaultRepeat   = time.Hour
	defaultSeverity = "warning"
)

func setField(r *config.Rule, s Set) error {
	num := func() (*float64, error) {
		v, err := strconv.ParseFloat(s.Value, 64)
		if err != nil {
			return nil, fmt.Errorf("want a number")
		}
		return &v, nil
	}
	var err error
	switch s.Field {
	case "threshold":
		r.Threshold, err = num()
	case "recovery":
		r.Recovery, err = num()
		if s.Value == "" || s.Value == "none" {
			r.Recovery, err = nil, nil
		}
	case "op":
		r.Op = s.Value
	case "for":
		r.For = s.Value
	case "repeat":
		var d time.Duration
		if s.Value != "" {
			d, err = time.ParseDuration(s.Value)
		}
		if d == 0 {
			d = defaultRepeat // as the config reads a repeat of 0 or none
		}
		r.Repeat = config.Duration(d)
	case "sendResolved":
		var b bool
		b, err = strconv.ParseBool(s.Value)
		r.SendResolved = &b
	case "queue":
		r.Queue = s.Value
	case "severity":
		r.Severity = s.Value
		if r.Severity == "" {
			r.Severity = defaultSeverity
		}
	}
	return err
}
