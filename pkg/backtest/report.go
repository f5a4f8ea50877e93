package backtest

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"reportmailer/pkg/config"
	"reportmailer/pkg/history"
)

// Options say what to backtest.
type Options struct {
	From, To time.Time
	Rule     string // "" for every rule
	Sets     []Set
}

// Report is a backtest over a stretch of history: the rules as
// configured, and with the overrides when there are any.
type Report struct {
	From     time.Time     `json:"from"`
	To       time.Time     `json:"to"`
	Minutes  int           `json:"minutes"`
	Polls    int           `json:"polls"`  // snapshots kept, failed ones included
	Failed   int           `json:"failed"` // polls stored as failed
	Gaps     []history.Gap `json:"gaps"`
	Rule     string        `json:"rule,omitempty"` // only this rule
	Sets     []string      `json:"sets,omitempty"`
	Baseline *Result       `json:"baseline"`
	Variant  *Result       `json:"variant,omitempty"` // with Sets applied
}

// Run reads the history from store and replays it. cfg is not changed.
func Run(ctx context.Context, store history.Store, cfg *config.Config, o Options) (*Report, error) {
	if !o.To.After(o.From) {
		return nil, fmt.Errorf("backtest: --to %s is not after --from %s", o.To.Format(time.RFC3339), o.From.Format(time.RFC3339))
	}
	snaps, err := store.Range(ctx, o.From, o.To)
	if err != nil {
		return nil, err
	}
	rep := &Report{From: o.From.UTC(), To: o.To.UTC(), Minutes: int(o.To.Sub(o.From) / time.Minute), Polls: len(snaps),
		Gaps: history.Gaps(snaps, o.From, o.To), Rule: o.Rule}
	for _, s := range snaps {
		if !s.OK() {
			rep.Failed++
		}
	}
	if rep.Baseline, err = Replay(ctx, cfg, o.Rule, snaps, rep.Gaps); err != nil {
		return nil, err
	}
	if len(o.Sets) == 0 {
		return rep, nil
	}
	variant, err := Apply(cfg, o.Sets)
	if err != nil {
		return nil, err
	}
	for _, s := range o.Sets {
		rep.Sets = append(rep.Sets, s.String())
	}
	if rep.Variant, err = Replay(ctx, variant, o.Rule, snaps, rep.Gaps); err != nil {
		return nil, err
	}
	return rep, nil
}

const stamp = "Mon 02 Jan 15:04"

// WriteText prints the report for a person; with overrides, each figure
// reads "before → after".
func (r *Report) WriteText(w io.Writer, cfg *config.Config) {
	fmt.Fprintf(w, "Backtest %s → %s UTC: %d minutes, %d polls kept (%d failed)\n",
		r.From.Format(stamp), r.To.Format(stamp), r.Minutes, r.Polls, r.Failed)
	for _, g := range r.Gaps {
		what := "no poll recorded"
		if g.Failed > 0 {
			what = fmt.Sprintf("%d failed polls", g.Failed)
		}
		fmt.Fprintf(w, "  gap %s – %s (%d min, %s)\n", g.From.Format(stamp), g.To.Format("15:04"), g.Minutes(), what)
	}
	if len(r.Sets) > 0 {
		fmt.Fprintf(w, "Overrides (backtest only): %s\n", strings.Join(r.Sets, ", "))
		for _, s := range r.Sets {
			set, _ := ParseSet(s)
			fmt.Fprintf(w, "  %s %s: %s → %s\n", set.Rule, set.Field, current(cfg, set), set.Value)
		}
	}
	for _, key := range r.keys() {
		base, variant := r.Baseline.Scope(key[0], key[1]), (*Scope)(nil)
		if r.Variant != nil {
			variant = r.Variant.Scope(key[0], key[1])
		}
		label := key[1]
		for _, s := range []*Scope{base, variant} {
			if s != nil && s.Label != "" {
				label = s.Label
			}
		}
		fmt.Fprintf(w, "\n%s — %s\n", key[0], label)
		pair := func(f func(*Scope) int) string {
			a := fmt.Sprint(f(orEmpty(base)))
			if r.Variant == nil {
				return a
			}
			return a + " → " + fmt.Sprint(f(orEmpty(variant)))
		}
		fmt.Fprintf(w, "  episodes %s, minutes firing %s\n", pair(func(s *Scope) int { return len(s.Episodes) }),
			pair(func(s *Scope) int { return s.MinutesFiring }))
		fmt.Fprintf(w, "  mails: FIRING %s, reminders %s, RESOLVED %s\n", pair(func(s *Scope) int { return s.Mails.Firing }),
			pair(func(s *Scope) int { return s.Mails.Repeat }), pair(func(s *Scope) int { return s.Mails.Resolved }))
		same := variant != nil && base != nil && reflect.DeepEqual(base.Episodes, variant.Episodes)
		for i, s := range []*Scope{base, variant} {
			if s == nil || (r.Variant != nil && len(s.Episodes) == 0) || (same && i == 1) {
				continue
			}
			if same {
				fmt.Fprintf(w, "  the same with and without the overrides:\n")
			} else if r.Variant != nil {
				fmt.Fprintf(w, "  %s:\n", []string{"as configured", "with overrides"}[i])
			}
			for _, ep := range s.Episodes {
				fmt.Fprintf(w, "    %s\n", ep.text())
			}
		}
	}
	fired := map[string]bool{}
	for _, k := range r.keys() {
		fired[k[0]] = true
	}
	var quiet []string
	for _, rule := range cfg.Alerts.Rules {
		if !fired[rule.ID] && (r.Rule == "" || r.Rule == rule.ID) {
			quiet = append(quiet, rule.ID)
		}
	}
	if len(quiet) > 0 {
		fmt.Fprintf(w, "\nno episode: %s\n", strings.Join(quiet, ", "))
	}
	emails := fmt.Sprint(r.Baseline.Emails)
	if r.Variant != nil {
		emails += " → " + fmt.Sprint(r.Variant.Emails)
	}
	fmt.Fprintf(w, "\nemails in all (notifications to the same people in one minute share one): %s\n", emails)
}

func (e Episode) text() string {
	end := "still firing"
	if !e.Open {
		end = e.End.Format("15:04")
		if e.End.YearDay() != e.Start.YearDay() {
			end = e.End.Format(stamp)
		}
		end += fmt.Sprintf(" (%s)", e.End.Sub(e.Start))
	}
	s := fmt.Sprintf("%s – %s, peak %s", e.Start.Format(stamp), end, e.PeakText)
	if e.AcrossGap {
		s += " — spans a gap in the history"
	}
	return s
}

func orEmpty(s *Scope) *Scope {
	if s == nil {
		return &Scope{}
	}
	return s
}

func (r *Report) keys() [][2]string {
	var out [][2]string
	seen := map[[2]string]bool{}
	for _, res := range []*Result{r.Baseline, r.Variant} {
		if res == nil {
			continue
		}
		for _, s := range res.Scopes {
			k := [2]string{s.Rule, s.Instance}
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

func current(cfg *config.Config, s Set) string {
	for _, r := range cfg.Alerts.Rules {
		if r.ID != s.Rule {
			continue
		}
		switch s.Field {
		case "threshold":
			return fmtPtr(r.Threshold)
		case "recovery":
			return fmtPtr(r.Recovery)
		case "op":
			return r.Op
		case "for":
			return r.For
		case "repeat":
			return time.Duration(r.Repeat).String()
		case "sendResolved":
			if r.SendResolved == nil {
				return "true"
			}
			return fmt.Sprint(*r.SendResolved)
		case "queue":
			return r.Queue
		case "severity":
			return r.Severity
		}
	}
	return "?"
}

func fmtPtr(p *float64) string {
	if p == nil {
		return "unset"
	}
	return fmt.Sprint(*p)
}
