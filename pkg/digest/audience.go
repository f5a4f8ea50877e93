package digest

import (
	"context"
	"errors"
	"fmt"

	"reportmailer/pkg/config"
	"reportmailer/pkg/period"
	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// Audiences. A digest with an audience is made in several copies in one
// run: the unfiltered one for to/cc/bcc (if any), and one per member with
// every report filtered to the member's value (e.g. a department id).
// Reports that cannot take the audience's filter (the registry's allowed
// filters), or that carry a filter of their own, are left out of the
// scoped copies with a note. Copies are made one after the other, each
// fetching under the digest's concurrency bound and the client's shared
// rate limit, and every message of every copy has its own send-log key
// (…#<filter>=<value>#…), so a retried run sends only what is missing.

// scope is one copy of a digest and who gets it.
type scope struct {
	filter      *reports.Filter // nil: the digest as configured
	label       string          // the member's display name, e.g. "Sales"
	key         string          // "<filter>=<value>" in keys; "" unscoped
	to, cc, bcc []string
	deliveries  []delivery
	omitted     []string // by report: why it is left out of this copy ("" if it is not)
}

// scopesOf lists the digest's copies: the unfiltered one when it has
// recipients of its own, then one per audience member by value.
func scopesOf(cfg *config.Config, d *config.Digest) []*scope {
	var out []*scope
	if len(d.To)+len(d.Cc)+len(d.Bcc) > 0 {
		out = append(out, &scope{to: d.To, cc: d.Cc, bcc: d.Bcc})
	}
	a := d.Audience
	if a == nil {
		return out
	}
	for _, v := range a.Values() {
		sc := &scope{filter: &reports.Filter{Name: a.Filter, Value: v}, label: cfg.ScopeName(a.Filter, v), key: a.Filter + "=" + v,
			to: a.Members[v], omitted: make([]string, len(d.Reports))}
		for i, ref := range d.Reports {
			spec, _ := reports.Lookup(reports.Name(ref.Report))
			switch {
			case ref.Filter != nil:
				// The API takes one filter per request.
				sc.omitted[i] = fmt.Sprintf("Left out of this copy: this report is already filtered by %s.", ref.Filter.Name)
			case !spec.AllowsFilter(a.Filter):
				sc.omitted[i] = fmt.Sprintf("Left out of this copy: this report cannot be narrowed to one %s.", a.Filter)
			}
		}
		out = append(out, sc)
	}
	return out
}

func (sc *scope) isOmitted(i int) bool { return i < len(sc.omitted) && sc.omitted[i] != "" }

func (sc *scope) omittedCount() int {
	n := 0
	for _, o := range sc.omitted {
		if o != "" {
			n++
		}
	}
	return n
}

func (sc *scope) omittedNote(i int) string { return sc.omitted[i] }

// suffix names the copy in errors.
func (sc *scope) suffix() string {
	if sc.key == "" {
		return ""
	}
	return " (" + sc.key + ")"
}

func (sc *scope) title(d *config.Digest) string {
	if sc.label == "" {
		return d.Title
	}
	return d.Title + " — " + sc.label
}

func (sc *scope) subject(d *config.Digest, p period.Period) string {
	if sc.label == "" {
		return Subject(d, p)
	}
	dd := *d
	dd.Title = sc.title(d)
	if dd.Subject != "" {
		dd.Subject += " — " + sc.label
	}
	return Subject(&dd, p)
}

// copies is what makeCopies hands on.
type copies struct {
	// messages are every copy's, in the copies' order; a settled copy's
	// are marked Skipped.
	messages []*Message
	made     []Copy
	output   *render.Output // the first made copy's
	// failed names each made copy's failed reports (scoped ones as
	// "report (filter=value)").
	failed []string
	// notMade says why copies could not be made (nil: every one was).
	notMade error
}

// makeCopies makes every copy in turn (makeCopy: fetch, render, archive,
// compose).
//
// Copies stand alone. One that cannot be made (every report failed for
// one department) is left out and named in notMade; the others are sent,
// and only then does the run fail (sendMessages), so that Lambda retries
// it. A retry skips the copies already settled without fetching them, so
// it remakes only the broken one; the healthy ones are never sent twice,
// however often the run is retried or dead-lettered.
//
// With one copy, its failure is the run's, and what it made is handed on
// as it got.
func makeCopies(ctx context.Context, r *run, p plan) (copies, error) {
	var cs copies
	var errs []error
	// last is the copy made last, and lastOutput the last rendering: what
	// the Result showed when a send-log read stopped the run midway.
	var last *copyRun
	var lastOutput *render.Output
	for _, sc := range p.scopes {
		if len(p.scopes) > 1 && r.req.Send && r.sendLog != nil {
			done, err := settled(ctx, r.sendLog, sc.deliveries, p.period.End, r.req.RetryFailed)
			if err != nil {
				cs.output, cs.failed = lastOutput, nil
				if last != nil {
					cs.failed = last.failed
				}
				return cs, err
			}
			if done {
				r.logger.Info("copy already sent; not made again", "scope", sc.key)
				for _, dl := range sc.deliveries {
					cs.messages = append(cs.messages, &Message{Key: dl.key, legacyKey: dl.legacy,
						Recipients: append(append(append([]string{}, dl.to...), dl.cc...), dl.bcc...),
						Skipped:    "copy settled by an earlier run (sent, unknown or rejected); not made again"})
				}
				continue
			}
		}
		c, err := makeCopy(ctx, r, p, sc)
		last = c
		if c.output != nil {
			lastOutput = c.output
		}
		if err != nil {
			if len(p.scopes) == 1 {
				return copies{output: c.output, failed: c.failed}, err
			}
			r.logger.Error("copy not made; the other copies go on", "scope", sc.key, "error", err.Error())
			errs = append(errs, err)
			continue
		}
		if cs.output == nil {
			cs.output = c.output
		}
		for _, f := range c.failed {
			cs.failed = append(cs.failed, f+sc.suffix())
		}
		cs.messages = append(cs.messages, c.messages...)
		made := Copy{Label: sc.label, Output: c.output, Messages: c.messages}
		if sc.filter != nil {
			made.Filter, made.Value = sc.filter.Name, sc.filter.Value
		}
		cs.made = append(cs.made, made)
	}
	if len(errs) > 0 {
		cs.notMade = fmt.Errorf("%d of %d copies not made (the others were sent; a retry makes only these): %w",
			len(errs), len(p.scopes), errors.Join(errs...))
	}
	return cs, nil
}
