package digest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"reportmailer/pkg/archive"
	"reportmailer/pkg/config"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/period"
	"reportmailer/pkg/render"
	"reportmailer/pkg/schedule"
	"reportmailer/pkg/sendlog"
	"reportmailer/pkg/suppress"
	"reportmailer/pkg/workbook"
)

// run is one digest run's state, handed from stage to stage.
type run struct {
	cfg     *config.Config
	d       *config.Digest
	req     Request
	fetcher Fetcher
	sender  mail.Sender
	sendLog sendlog.Log   // nil: no exactly-once record (dry runs, test sends)
	store   archive.Store // nil: no archive
	logger  *slog.Logger
	now     func() time.Time
	// suppress and links: recipients.go; scopes: audience.go.
	suppress suppress.Store
	links    LinkIssuer
	times    SendTimes         // send.go
	tmpl     *render.Templates // nil: the embedded ones
	scopes   []*scope
	// history is the queue history store queueHistory sections read
	// (nil: those sections say there is none); histReads reads each
	// stretch once for all copies.
	history   HistoryReader
	histReads historyReads
	cur       *scope  // the copy being fetched, rendered and composed
	copyErrs  []error // why copies could not be made; the others still go out

	loc     *time.Location
	model   *render.Digest
	started time.Time
	res     *Result
}

// stage is one step of a run, after Alertmanager's notify.Stage. It
// returns done to end the run early with nothing left to do, or an error
// to stop it.
type stage struct {
	name string
	exec func(ctx context.Context, r *run) (done bool, err error)
}

// pipeline is a digest run, in order. Sending and recording happen per
// message inside the send stage (claim → deliver → record), so that one
// message's outcome is recorded before the next is sent.
var pipeline = []stage{
	{"resolve period", resolvePeriod},
	{"recipients", planRecipients},
	{"skip if sent", skipIfSent},
	{"copies", eachScope}, // perScope for the digest and each audience member
	{"send", sendMessages},
}

// perScope makes one copy of the digest: the unfiltered one, or an
// audience member's (audience.go).
var perScope = []stage{
	{"fetch", fetchReports},
	{"render", renderOutput},
	{"archive", archiveOutput},
	{"compose", composeMessages},
}

// runStages runs stages in turn until one ends them (done) or fails; each
// is timed in the debug log, with attrs (the scope of an audience copy).
func runStages(ctx context.Context, r *run, stages []stage, attrs ...any) (done bool, err error) {
	for _, s := range stages {
		started := time.Now()
		done, err = s.exec(ctx, r)
		r.logger.Debug("stage finished", append([]any{"stage", s.name, "elapsedMs", time.Since(started).Milliseconds(), "done", done, "failed", err != nil}, attrs...)...)
		if err != nil || done {
			return done, err
		}
	}
	return false, nil
}

func newRun(cfg *config.Config, deps Deps, req Request) (*run, error) {
	d, err := cfg.Digest(req.DigestID)
	if err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, d: d, req: req, fetcher: deps.Reports, sender: deps.Sender, sendLog: deps.SendLog,
		store: deps.Archive, logger: deps.Logger, now: deps.Now, suppress: deps.Suppress, links: deps.Links, history: deps.History,
		times: deps.SendTimes, tmpl: deps.Templates, cur: &scope{}} // the unscoped copy, until eachScope sets one
	if r.logger == nil {
		r.logger = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.times == (SendTimes{}) {
		r.times = defaultSendTimes
	}
	if req.TestTo != "" {
		r.sendLog = nil // a test send neither reads nor writes the send log
	}
	return r, nil
}

// sending says whether the run mails anything.
func (r *run) sending() bool { return r.req.Send || r.req.TestTo != "" }

// resolvePeriod picks the period from the request (never from the clock)
// and refuses to send one that has not ended.
func resolvePeriod(_ context.Context, r *run) (bool, error) {
	d := r.d
	spec, err := d.Spec() // the schedule's period too (config.Schedules)
	if err != nil {
		return false, err
	}
	loc := spec.Location
	var p period.Period
	if r.req.PeriodStart != "" {
		if p, err = spec.Starting(r.req.PeriodStart); err != nil {
			return false, fmt.Errorf("digest %s: %w", d.ID, err)
		}
	} else {
		if r.req.At.IsZero() {
			return false, fmt.Errorf("digest %s: no schedule time and no periodStart", d.ID)
		}
		p = spec.Prior(r.req.At)
	}
	if r.req.Send && p.End.After(r.now()) {
		return false, fmt.Errorf("digest %s: period %s–%s: %w (it ends %s); preview it without --send",
			d.ID, p.Key(), p.LastDay(), ErrPeriodNotOver, p.End.Format(time.RFC3339))
	}
	r.loc = loc
	with := d.CompareWith
	if with == "" {
		with = period.DefaultCompare(spec.Kind)
	}
	r.res = &Result{Digest: d, Period: p, Previous: p.Compare(spec, with),
		BaseName: fmt.Sprintf("%s-%s_%s", d.ID, p.Key(), p.LastDay())}
	r.logger = r.logger.With("digest", d.ID, "period", p.Key()+"/"+p.LastDay())
	return false, nil
}

// skipIfSent ends the run before any work when every message is settled.
func skipIfSent(ctx context.Context, r *run) (bool, error) {
	if !r.req.Send || r.sendLog == nil {
		return false, nil
	}
	var all []delivery
	for _, sc := range r.scopes {
		all = append(all, sc.deliveries...)
	}
	done, err := settled(ctx, r.sendLog, all, r.res.Period.End, r.req.RetryFailed)
	if err != nil || !done {
		return false, err
	}
	r.res.AlreadySent = true
	r.logger.Info("digest already sent for this period; nothing to do")
	return true, nil
}

// renderOutput builds the model from the sections and renders it. It
// fails only when no section could be fetched.
func renderOutput(_ context.Context, r *run) (bool, error) {
	res, d := r.res, r.d
	sections := r.model.Sections
	if n := len(sections) - r.cur.omittedCount(); len(res.Failed) == n {
		return false, fmt.Errorf("digest %s%s: %w (%d of %d); nothing sent", d.ID, r.cur.suffix(), ErrAllReportsFailed, len(res.Failed), n)
	}
	_, _, offset := res.Period.Query()
	m := r.model
	m.ID, m.Title, m.Site = d.ID, r.cur.title(d), siteLabel(r.cfg)
	m.Period = render.Period{Start: res.Period.Start, End: res.Period.End, Location: r.loc}
	m.Previous = &render.Period{Start: res.Previous.Start, End: res.Previous.End, Location: r.loc}
	m.Paper, m.Generated, m.Names, m.Offset = render.Paper(d.Paper), generatedAt(r.req, res.Period), r.cfg.DisplayNames(), offset
	m.Partial = res.Period.End.After(r.now())
	m.Currency = d.Currency
	m.TopN, m.MinRatings, m.MinChats = d.TopN, d.MinSample.Ratings, d.MinSample.Chats
	if d.CompareWith != "" {
		m.CompareLabel = period.CompareLabel(d.CompareWith)
	}
	m.Targets = r.targets()
	var err error
	if res.Output, err = render.Render(m, r.renderOptions(nil)); err != nil {
		return false, fmt.Errorf("digest %s: %w", d.ID, err)
	}
	// The workbook reads the same model as the CSV. It is built after the
	// render, not beside it: their peaks of memory (each about 90 MB at
	// 2,000 agents) would add up in a small Lambda.
	var xlsx []byte
	if hasFormat(d, "xlsx") {
		if xlsx, err = workbook.Build(m); err != nil {
			return false, fmt.Errorf("digest %s: %w", d.ID, err)
		}
	}
	res.Output.XLSX = xlsx
	for _, p := range res.Output.Problems {
		r.logger.Warn("section drawn with a note", "scope", r.cur.key, "section", p.Section, "reason", p.Reason)
	}
	r.logger.Info("digest rendered", "scope", r.cur.key, "sections", len(sections), "failed", len(res.Failed), "pdfBytes", len(res.Output.PDF),
		"htmlBytes", len(res.Output.HTML), "xlsxBytes", len(xlsx), "elapsedMs", time.Since(r.started).Milliseconds())
	return false, nil
}

// renderOptions says what the mail carries, so the text describes what is
// really attached (or linked from the archive: links, by format).
func (r *run) renderOptions(links map[string]string) render.Options {
	opts := render.Options{PDFURL: links["pdf"], XLSXURL: links["xlsx"], Attached: []string{}, Why: r.why(), Unsubscribe: r.cfg.Mail.Unsubscribe, Templates: r.tmpl}
	if r.links != nil { // one message per reader, each with their own link
		opts.Unsubscribe = render.UnsubscribePlaceholder
	}
	for _, f := range []string{"pdf", "csv", "xlsx"} {
		if hasFormat(r.d, f) && links[f] == "" {
			opts.Attached = append(opts.Attached, f)
		}
	}
	return opts
}

// archiveOutput keeps the PDF, the workbook (when the digest makes one)
// and the HTML preview, when an archive is set.
func archiveOutput(ctx context.Context, r *run) (bool, error) {
	if r.store == nil {
		return false, nil
	}
	key := r.archiveKey("pdf")
	if err := r.store.Put(ctx, key, "application/pdf", r.res.Output.PDF); err != nil {
		return false, err
	}
	if x := r.res.Output.XLSX; len(x) > 0 {
		if err := r.store.Put(ctx, r.archiveKey("xlsx"), workbook.ContentType, x); err != nil {
			return false, err
		}
	}
	return false, r.store.Put(ctx, r.archiveKey("html"), "text/html; charset=utf-8", []byte(render.PreviewHTML(r.res.Output)))
}

// archiveKey names the current copy's object: <prefix><id>/<first
// day>_<last day>.<ext> (period.Span, so a week never overwrites the day
// it starts with),
// with ".<filter>-<value>" before the extension for an audience member's.
func (r *run) archiveKey(ext string) string {
	scoped := ""
	if f := r.cur.filter; f != nil {
		scoped = "." + f.Name + "-" + f.Value
	}
	return fmt.Sprintf("%s%s/%s%s.%s", r.cfg.Mail.ArchivePrefix, r.res.Digest.ID, r.res.Period.Span(), scoped, ext)
}

// composeMessages builds one message per recipient group. If a message
// would be over the size limit, the PDF, then the workbook, is linked
// from the archive instead of attached.
func composeMessages(ctx context.Context, r *run) (bool, error) {
	if err := r.compose(ctx); err != nil {
		return false, fmt.Errorf("digest %s: %w", r.d.ID, err)
	}
	if r.sending() && r.sender == nil {
		return false, fmt.Errorf("digest %s: no sender configured", r.d.ID)
	}
	return !r.sending(), nil
}

// linkable are the archived attachments the size guard may link instead,
// largest first.
var linkable = []string{"pdf", "xlsx"}

func (r *run) compose(ctx context.Context) error {
	out, limit := r.res.Output, r.cfg.Mail.MaxMessageBytes
	links := map[string]string{} // by format: linked from the archive, not attached
	for {
		if err := r.buildAll(out, links); err != nil {
			return err
		}
		// Messages differ only in a few headers; the first stands for all.
		if len(r.cur.messages) == 0 {
			return nil
		}
		size := len(r.cur.messages[0].Raw)
		if size <= limit {
			return nil
		}
		next := ""
		for _, f := range linkable {
			if hasFormat(r.d, f) && links[f] == "" && next == "" {
				next = f
			}
		}
		if next == "" {
			return fmt.Errorf("message is %d bytes even without the PDF (limit %d)", size, limit)
		}
		if r.store == nil {
			return fmt.Errorf("message is %d bytes encoded, over mail.maxMessageBytes (%d): set mail.archiveBucket so the PDF is linked instead of attached",
				size, limit)
		}
		link, err := r.archiveLink(ctx, next)
		if err != nil {
			return err
		}
		links[next] = link
		xlsx := out.XLSX
		if out, err = render.Render(r.model, r.renderOptions(links)); err != nil {
			return err
		}
		out.XLSX = xlsx
	}
}

// archiveLink links an archived file (ext: "pdf", "xlsx"): through the
// links function when there is an issuer (the link lives ArchiveLinkTTL,
// whatever the credentials), else with a pre-signed URL, which dies with
// the credentials that signed it.
func (r *run) archiveLink(ctx context.Context, ext string) (string, error) {
	key := r.archiveKey(ext)
	if r.links != nil {
		return r.links.Archive(key, ArchiveLinkTTL, r.now()), nil
	}
	return r.store.Link(ctx, key, ArchiveLinkTTL)
}

// buildAll encodes one message per delivery. Group messages are encoded
// now; per-recipient ones after the first are encoded when sent
// (Message.build), so that a run to many readers never holds every
// encoded copy of the PDF at once.
func (r *run) buildAll(out *render.Output, links map[string]string) error {
	r.cur.messages = nil
	var csv *mail.Part // one copy's CSV, gzipped once for all its messages
	if hasFormat(r.d, "csv") {
		p := csvPart(strings.TrimSuffix(pdfName(r.res), ".pdf")+".csv", out.CSV)
		csv = &p
	}
	for i, dl := range r.cur.deliveries {
		m := r.buildMessage(out, dl, links, csv)
		msg := &Message{Key: dl.key, legacyKey: dl.legacy, members: dl.members, Recipients: m.Recipients(), MessageID: m.MessageID}
		if i == 0 || dl.personal == "" {
			raw, err := m.Bytes()
			if err != nil {
				return err
			}
			msg.Raw = raw
		} else {
			msg.build = m.Bytes
		}
		r.cur.messages = append(r.cur.messages, msg)
	}
	return nil
}

func (r *run) from() string {
	if r.d.From != "" {
		return r.d.From
	}
	return r.cfg.Mail.From
}

func (r *run) buildMessage(out *render.Output, g delivery, links map[string]string, csv *mail.Part) *mail.Message {
	d, res, cfg := r.d, r.res, r.cfg
	m := &mail.Message{
		From: r.from(), ReplyTo: cfg.Mail.ReplyTo, To: g.to, Cc: g.cc, Bcc: g.bcc,
		Subject: r.cur.subject(d, res.Period), Date: r.now(),
		// Deterministic, so a client that de-duplicates by Message-ID
		// collapses any second copy of the same message.
		MessageID: fmt.Sprintf("digest.%s.%s.%s@reportmailer", d.ID, res.Period.Span(), g.id),
		Text:      out.Text, Headers: map[string]string{"X-Reportmailer-Digest": d.ID},
	}
	if r.req.TestTo != "" {
		// A test must never be collapsed with (or hide) the real message.
		m.Subject = "[TEST] " + m.Subject
		m.MessageID = fmt.Sprintf("digest.%s.%s.test.%d@reportmailer", d.ID, res.Period.Span(), r.now().UnixNano())
	}
	u := r.unsubscribeHeaders(m, g)
	// The footer shows the header's link (a reader's own, signed).
	m.Text = render.PersonalUnsubscribe(m.Text, u, false)
	if hasFormat(d, "html") {
		m.HTML = render.PersonalUnsubscribe(out.HTML, u, true)
		for _, img := range out.Images {
			m.Inline = append(m.Inline, mail.Part{Filename: img.Name, ContentType: "image/png", CID: img.CID, Data: img.PNG})
		}
	}
	if hasFormat(d, "pdf") && links["pdf"] == "" {
		m.Attachment = append(m.Attachment, mail.Part{Filename: pdfName(res), ContentType: "application/pdf", Data: out.PDF})
	}
	if csv != nil {
		m.Attachment = append(m.Attachment, *csv)
	}
	if hasFormat(d, "xlsx") && links["xlsx"] == "" && len(out.XLSX) > 0 {
		m.Attachment = append(m.Attachment, mail.Part{Filename: xlsxName(res), ContentType: workbook.ContentType, Data: out.XLSX})
	}
	return m
}

// why tells a reader why they get the digest: its title and schedule,
// and for an audience copy whose copy it is.
func (r *run) why() string {
	d, p := r.d, r.res.Period
	at := schedule.SendAt(p, d.Send).In(p.Location)
	when := "every day"
	switch period.Kind(d.Period) {
	case period.Week:
		when = "every " + at.Weekday().String()
	case period.Month:
		when = "on day " + strconv.Itoa(at.Day()) + " of every month"
	}
	who := ""
	if r.cur != nil && r.cur.label != "" {
		who = " for " + r.cur.label
	}
	return fmt.Sprintf("You get %s%s (%s) %s at %s %s.", d.Title, who, d.ID, when, at.Format("15:04"), p.Location)
}

// gzipCSVOver is the CSV size above which it is attached gzipped: a big
// site's long-format CSV (45,000 status lines at 2,000 agents, 6.8 MB)
// compresses about 17× at gzip's default level in 64 ms (the best level
// saved another 5% in 241 ms), which keeps the mail under SES's and
// inboxes' limits without dropping the PDF.
const gzipCSVOver = 1 << 20

func csvPart(name string, data []byte) mail.Part {
	if len(data) <= gzipCSVOver {
		return mail.Part{Filename: name, ContentType: "text/csv; charset=utf-8", Data: data}
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Name = name
	_, _ = zw.Write(data) // writes to a bytes.Buffer cannot fail
	_ = zw.Close()
	return mail.Part{Filename: name + ".gz", ContentType: "application/gzip", Data: buf.Bytes()}
}
