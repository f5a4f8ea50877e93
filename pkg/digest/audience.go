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
	messages    []*Message
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

// eachScope makes every copy in turn: fetch, render, archive, compose.
// The run's Output is the first copy's; Failed names each copy's failed
// reports (scoped ones as "report (filter=value)").
//
// Copies stand alone. One that cannot be made (every report failed for
// one department) is left out and remembered in r.copyErrs; the others
// are sent, and only then does the run fail (sendMessages), so that
// Lambda retries it. A retry skips the copies already settled without
// fetching them, so it remakes only the broken one; the healthy ones are
// never sent twice, however often the run is retried or dead-lettered.
func eachScope(ctx context.Context, r *run) (bool, error) {
	var failed []string
	var first *render.Output
	r.copyErrs = nil
	for _, sc := range r.scopes {
		if len(r.scopes) > 1 && r.req.Send && r.sendLog != nil {
			done, err := settled(ctx, r.sendLog, sc.deliveries, r.res.Period.End, r.req.RetryFailed)
			if err != nil {
				return false, err
			}
			if done {
				r.logger.Info("copy already sent; not made again", "scope", sc.key)
				for _, dl := range sc.deliveries {
					r.res.Messages = append(r.res.Messages, &Message{Key: dl.key, legacyKey: dl.legacy,
						Recipients: append(append(append([]string{}, dl.to...), dl.cc...), dl.bcc...),
						Skipped:    "copy settled by an earlier run (sent, unknown or rejected); not made again"})
				}
				continue
			}
		}
		r.cur, r.res.Failed = sc, nil
		if _, err := runStages(ctx, r, perScope, "scope", sc.key); err != nil {
			if len(r.scopes) == 1 {
				return false, err
			}
			r.logger.Error("copy not made; the other copies go on", "scope", sc.key, "error", err.Error())
			r.copyErrs = append(r.copyErrs, err)
			continue
		}
		if first == nil {
			first = r.res.Output
		}
		for _, f := range r.res.Failed {
			failed = append(failed, f+sc.suffix())
		}
		r.res.Messages = append(r.res.Messages, sc.messages...)
		c := Copy{Label: sc.label, Output: r.res.Output, Messages: sc.messages}
		if sc.filter != nil {
			c.Filter, c.Value = sc.filter.Name, sc.filter.Value
		}
		r.res.Copies = append(r.res.Copies, c)
	}
	r.res.Output, r.res.Failed = first, failed
	if len(r.copyErrs) > 0 && (first == nil || !r.sending()) {
		return false, r.copyError() // nothing to send, or nothing sends
	}
	return !r.sending(), nil
}

// copyError is the run's error when some copies could not be made.
func (r *run) copyError() error {
	if len(r.copyErrs) == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d copies not made (the others were sent; a retry makes only these): %w",
		len(r.copyErrs), len(r.scopes), errors.Join(r.copyErrs...))
}
