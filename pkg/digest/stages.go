package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"reportmailer/pkg/archive"
	"reportmailer/pkg/config"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/period"
	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/sendlog"
)

// fetchAll fetches every report of the digest (and, for time and dimension
// groups, the previous period for comparison) with bounded concurrency.
// Failures become notes; the previous period's failure only drops the comparison.
func fetchAll(ctx context.Context, cfg *config.Config, d *config.Digest, c Fetcher, cur, prev period.Period, log *slog.Logger) []render.Section {
	sections := make([]render.Section, len(d.Reports))
	sem := make(chan struct{}, max(1, d.Concurrency))
	var wg sync.WaitGroup
	for i, ref := range d.Reports {
		spec, _ := reports.Lookup(reports.Name(ref.Report))
		g := reports.Group(ref.Group)
		if g == "" {
			g = spec.DefaultGroup()
		}
		var filter *reports.Filter
		if ref.Filter != nil {
			filter = &reports.Filter{Name: ref.Filter.Name, Value: ref.Filter.Value}
		}
		sections[i] = render.Section{Report: spec.Name, Title: ref.Title, Group: g, Filter: filter}
		wg.Add(1)
		go func(s *render.Section) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			from, to, off := cur.Query()
			q := reports.Query{From: from, To: to, Offset: off, Group: g, Filter: filter}
			started := time.Now()
			r, err := c.Fetch(ctx, spec.Name, q)
			attrs := []any{"report", string(spec.Name), "group", string(g), "elapsedMs", time.Since(started).Milliseconds()}
			if err != nil {
				s.Note = noteFor(err)
				log.Warn("report failed", append(attrs, "reason", reports.Reason(err), "error", err.Error())...)
				return
			}
			s.Rows = r.Rows()
			log.Info("report fetched", append(attrs, "rows", len(s.Rows))...)
			if spec.Timed && (g.IsTime() || g.IsDimension()) {
				pf, pt, poff := prev.Query()
				pq := reports.Query{From: pf, To: pt, Offset: poff, Group: g, Filter: filter}
				if pr, err := c.Fetch(ctx, spec.Name, pq); err == nil {
					s.Previous = pr.Rows()
				} else {
					log.Warn("previous period failed; section has no comparison", "report", string(spec.Name), "reason", reports.Reason(err))
				}
			}
		}(&sections[i])
	}
	wg.Wait()
	return sections
}

func archiveKey(cfg *config.Config, res *Result, ext string) string {
	return fmt.Sprintf("%s%s/%s.%s", cfg.Mail.ArchivePrefix, res.Digest.ID, res.Period.Key(), ext)
}

func archiveOutput(ctx context.Context, store archive.Store, cfg *config.Config, res *Result) error {
	if err := store.Put(ctx, archiveKey(cfg, res, "pdf"), "application/pdf", res.Output.PDF); err != nil {
		return err
	}
	return store.Put(ctx, archiveKey(cfg, res, "html"), "text/html; charset=utf-8", []byte(render.PreviewHTML(res.Output)))
}

// compose builds one message per recipient group. If a message would be
// over the size limit, the PDF is linked from the archive instead.
func compose(ctx context.Context, cfg *config.Config, d *config.Digest, deps Deps, model *render.Digest, res *Result) error {
	out := res.Output
	var pdfLink string
	for attempt := 0; attempt < 2; attempt++ {
		res.Messages = nil
		for i, g := range recipientGroups(d) {
			m := buildMessage(cfg, d, deps, res, out, g, i+1, pdfLink)
			raw, err := m.Bytes()
			if err != nil {
				return err
			}
			res.Messages = append(res.Messages, &Message{Key: sendKey(d, res.Period, i+1), Raw: raw, Recipients: m.Recipients()})
		}
		size := len(res.Messages[0].Raw)
		if size <= cfg.Mail.MaxMessageBytes || !hasFormat(d, "pdf") || pdfLink != "" {
			if size > cfg.Mail.MaxMessageBytes {
				return fmt.Errorf("message is %d bytes even without the PDF (limit %d)", size, cfg.Mail.MaxMessageBytes)
			}
			return nil
		}
		if deps.Archive == nil {
			return fmt.Errorf("message is %d bytes encoded, over mail.maxMessageBytes (%d): set mail.archiveBucket so the PDF is linked instead of attached",
				size, cfg.Mail.MaxMessageBytes)
		}
		link, err := deps.Archive.Link(ctx, archiveKey(cfg, res, "pdf"), 7*24*time.Hour)
		if err != nil {
			return err
		}
		pdfLink = link
		if out, err = render.Render(model, render.Options{PDFURL: link}); err != nil {
			return err
		}
	}
	return nil
}

func buildMessage(cfg *config.Config, d *config.Digest, deps Deps, res *Result, out *render.Output, g recipients, part int, pdfLink string) *mail.Message {
	from := d.From
	if from == "" {
		from = cfg.Mail.From
	}
	m := &mail.Message{
		From: from, ReplyTo: cfg.Mail.ReplyTo, To: g.to, Cc: g.cc, Bcc: g.bcc,
		Subject: Subject(d, res.Period), Date: deps.Now(),
		MessageID: fmt.Sprintf("digest.%s.%s.%d@reportmailer", d.ID, res.Period.Key(), part),
		Text:      out.Text, Headers: map[string]string{"X-Reportmailer-Digest": d.ID},
	}
	if u := cfg.Mail.Unsubscribe; u != "" {
		m.Headers["List-Unsubscribe"] = "<" + u + ">"
		if strings.HasPrefix(u, "https://") {
			m.Headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
		}
	}
	if hasFormat(d, "html") {
		m.HTML = out.HTML
		for _, img := range out.Images {
			m.Inline = append(m.Inline, mail.Part{Filename: img.Name, ContentType: "image/png", CID: img.CID, Data: img.PNG})
		}
	}
	if hasFormat(d, "pdf") && pdfLink == "" {
		m.Attachment = append(m.Attachment, mail.Part{Filename: pdfName(res), ContentType: "application/pdf", Data: out.PDF})
	}
	if hasFormat(d, "csv") {
		m.Attachment = append(m.Attachment, mail.Part{Filename: strings.TrimSuffix(pdfName(res), ".pdf") + ".csv", ContentType: "text/csv; charset=utf-8", Data: out.CSV})
	}
	return m
}

// send sends each message once: claim, send, record. A message already
// sent is skipped; one being sent by a concurrent run makes this run fail
// so that Lambda retries it later (and then finds it sent).
func send(ctx context.Context, cfg *config.Config, d *config.Digest, deps Deps, res *Result, log *slog.Logger) error {
	from := d.From
	if from == "" {
		from = cfg.Mail.From
	}
	env := mail.Envelope{From: from, ConfigurationSet: cfg.Mail.ConfigurationSet, Tags: cfg.Mail.Tags}
	for _, m := range res.Messages {
		var claim sendlog.Claim
		if deps.Log != nil {
			var err error
			claim, err = deps.Log.Begin(ctx, m.Key, deps.Now(), lease)
			if errors.Is(err, sendlog.ErrAlreadySent) {
				m.Skipped = "already sent"
				log.Info("message already sent; skipping", "key", m.Key)
				continue
			}
			if err != nil {
				return err
			}
		}
		env.Recipients = m.Recipients
		id, err := deps.Sender.Send(ctx, env, m.Raw)
		if err != nil {
			if deps.Log != nil {
				if aerr := deps.Log.Abandon(context.WithoutCancel(ctx), claim); aerr != nil {
					log.Error("could not release the send claim", "key", m.Key, "error", aerr.Error())
				}
			}
			return fmt.Errorf("send %s: %w", m.Key, err)
		}
		m.ID = id
		log.Info("digest sent", "key", m.Key, "messageId", id, "recipients", len(m.Recipients), "bytes", len(m.Raw))
		if deps.Log != nil {
			if err := deps.Log.Done(context.WithoutCancel(ctx), claim, id, deps.Now()); err != nil {
				// Sent but not recorded: the lease still blocks a retry for a
				// while; say so loudly rather than fail (a failure would retry and resend).
				log.Error("sent but could not record it", "key", m.Key, "messageId", id, "error", err.Error())
			}
		}
	}
	return nil
}
