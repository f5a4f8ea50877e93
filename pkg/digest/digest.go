// Package digest runs one digest as a pipeline of stages (run.go), each
// handing the next what it made: resolve the period → recipients (who
// gets which copy, after unsubscribes: recipients.go, audience.go) → skip
// if sent → for each copy, fetch its reports → render → archive → compose
// the email(s) → send, each message claimed, delivered and recorded in the
// send log so that it goes out at most once (send.go states the
// guarantee). The CLI and the digest Lambda both call Run.
package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"reportmailer/pkg/archive"
	"reportmailer/pkg/config"
	"reportmailer/pkg/keys"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/period"
	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/sendlog"
	"reportmailer/pkg/suppress"
)

// Fetcher is the part of the Comm100 client a digest needs.
type Fetcher interface {
	Fetch(ctx context.Context, name reports.Name, q reports.Query) (reports.Result, error)
}

// Deps are the digest's collaborators, built once per process.
type Deps struct {
	Reports Fetcher
	Sender  mail.Sender      // nil: never send
	SendLog sendlog.Log      // nil: no exactly-once record (dry runs)
	Archive archive.Store    // nil: no archive
	Logger  *slog.Logger     // nil: discard
	Now     func() time.Time // clock for Date headers, leases and "has the period ended"; periods never read it
	// Suppress holds who unsubscribed (nil: nobody known to have).
	Suppress suppress.Store
	// Links signs per-recipient unsubscribe and archive links (nil: group
	// messages, mail.unsubscribe's fixed header); see recipients.go.
	Links LinkIssuer
	// Templates are the mail's templates (nil: the embedded ones).
	Templates *render.Templates
	// SendTimes bound each message's send and record (zero: the defaults,
	// 2 minutes, 15 seconds, 30 seconds); tests shrink them.
	SendTimes SendTimes
	// History is the alert poller's queue history, which queueHistory
	// sections summarise (nil: they say no history is kept).
	History HistoryReader
}

// Request says which digest and which period.
type Request struct {
	DigestID string
	// At is the schedule's time (EventBridge Scheduler's scheduled-time).
	At time.Time
	// PeriodStart, when set (YYYY-MM-DD), names the period explicitly (re-sends, back-fills).
	PeriodStart string
	// Send mails the digest; without it Run only renders and composes.
	Send bool
	// TestTo, when set, sends the digest to this address only, "[TEST]" in
	// the subject, without reading or writing the send log.
	TestTo string
	// RetryFailed sends again the messages SES rejected permanently in an
	// earlier run (after the cause was fixed). Retries of an event never
	// set it: a permanent rejection is not retried on its own.
	RetryFailed bool
}

// Message is one composed email and what happened to it.
type Message struct {
	Key        string   // send-log key
	legacyKey  string   // its key before keys named the whole period (legacyRecord)
	members    []member // a group message's readers, each with their own record
	Raw        []byte
	Recipients []string
	ProviderID string // the id SES gave the message, when sent
	MessageID  string // its Message-ID header, the same in every run
	Skipped    string // why it was not sent, if it was not
	// Outcome is the send log state this run left it in (sendlog.StateSent,
	// StateUnknown, StateFailed), empty if it was not sent by this run.
	Outcome string
	// Reason says why, for StateUnknown and StateFailed.
	Reason string
	// build encodes Raw when it is left nil until the send (recipients.go).
	build func() ([]byte, error)
}

// Result is what a run produced.
type Result struct {
	Digest   *config.Digest
	Period   period.Period
	Previous period.Period
	Output   *render.Output
	Messages []*Message
	// Failed lists the sections that became notes.
	Failed []string
	// BaseName is the stem for files: <id>-<periodStart>_<lastDay>.
	BaseName string
	// AlreadySent is true when every message had been sent by an earlier
	// run (or its outcome is unknown, which is never resent).
	AlreadySent bool
	// Suppressed counts the recipients dropped because they unsubscribed.
	Suppressed int
	// Copies are the run's copies in order (the unfiltered one, then one
	// per audience member), each with its own rendering and messages, so
	// every one can be looked at (`digest --out`). Output and Messages
	// above are the first copy's and every copy's.
	Copies []Copy
}

// Copy is one copy of a digest: the unfiltered one, or an audience
// member's.
type Copy struct {
	// Filter and Value say whose copy it is ("" for the unfiltered one);
	// Label is the member's display name (e.g. the department's name).
	Filter, Value, Label string
	Output               *render.Output
	Messages             []*Message
}

// ErrAllReportsFailed means no section could be fetched; nothing is sent.
var ErrAllReportsFailed = errors.New("every report of the digest failed")

// ErrPeriodNotOver means --send was asked for a period that has not ended.
var ErrPeriodNotOver = errors.New("the period has not ended")

// maxRecipients is SES's limit of To+Cc+Bcc per message.
const maxRecipients = 50

// Run runs a digest: each stage of the pipeline in turn, until one ends
// the run (nothing left to do) or fails.
func Run(ctx context.Context, cfg *config.Config, deps Deps, req Request) (*Result, error) {
	r, err := newRun(cfg, deps, req)
	if err != nil {
		return nil, err
	}
	return r.execute(ctx)
}

func siteLabel(cfg *config.Config) string {
	if cfg.Comm100.SiteID == "" {
		return ""
	}
	return "Site " + cfg.Comm100.SiteID
}

// generatedAt is the schedule time, or the period's end for back-fills:
// never the clock, so a re-render is byte-identical.
func generatedAt(req Request, p period.Period) time.Time {
	if !req.At.IsZero() && req.PeriodStart == "" {
		return req.At
	}
	return p.End
}

// sendKeyPrefix starts the send-log key of every message of one digest
// period: digest#<id>#<first day>_<last day>#, then the part (or reader)
// it names.
func sendKeyPrefix(d *config.Digest, p period.Period) string {
	return keys.SendLog(d.ID, p.Span())
}

// legacyKeyPrefix is sendKeyPrefix before keys named the whole period:
// digest#<id>#<first day>#. Records under it (kept for
// sendlog.Retention) still count for their period; see legacySettled.
func legacyKeyPrefix(d *config.Digest, p period.Period) string {
	return keys.SendLog(d.ID, p.Key())
}

// Note texts readers see in place of a failed section. They never carry
// response bodies or credentials.
func noteFor(err error) string {
	var apiErr *reports.APIError
	var panicked *panicError
	switch {
	case errors.As(err, &panicked):
		return "This report's data could not be read; this section was left out."
	case errors.Is(err, errNoHistoryStore):
		return "No queue history is kept for this digest (it is read from the stack's table, which the alert function fills)."
	case errors.Is(err, errHistoryRead):
		return "The queue history could not be read; this section was left out."
	case errors.Is(err, reports.ErrNotInEdition):
		return "Not available in your Comm100 edition."
	case errors.Is(err, reports.ErrUnauthorized):
		return "Comm100 rejected the credentials (HTTP 401); check the API key."
	case errors.Is(err, reports.ErrBadResponse):
		return "Comm100 sent data that could not be read; this section was left out."
	case errors.Is(err, context.DeadlineExceeded):
		return "Comm100 did not answer in time; this section was left out."
	case errors.As(err, &apiErr):
		msg := fmt.Sprintf("Could not fetch this report: HTTP %d", apiErr.Status)
		if apiErr.Attempts > 1 {
			msg += fmt.Sprintf(" after %d attempts", apiErr.Attempts)
		}
		return msg + "."
	}
	return "Could not reach Comm100; this section was left out."
}

func splitRecipients(list []string, n int) [][]string {
	var out [][]string
	for len(list) > 0 {
		k := min(n, len(list))
		out = append(out, list[:k])
		list = list[k:]
	}
	return out
}

type recipients struct{ to, cc, bcc []string }

// recipientGroups splits recipients into messages SES accepts: at most 50
// recipients each. The budget counts To and Cc twice, once in the headers
// and once in the envelope, because SES's rule is stated per header and
// per envelope (and moto counts both); a message never comes near the
// limit by either reading. To and Cc stay together when they fit; Bcc
// fills the rest, then further messages of Bcc only.
func recipientGroups(to, cc, bcc []string) []recipients {
	visible := len(to) + len(cc)
	if 2*visible+len(bcc) <= maxRecipients {
		return []recipients{{to, cc, bcc}}
	}
	var out []recipients
	rest := bcc
	if 2*visible <= maxRecipients {
		first := min(maxRecipients-2*visible, len(bcc))
		out = append(out, recipients{to, cc, bcc[:first]})
		rest = bcc[first:]
	} else {
		for _, chunk := range splitRecipients(append(append([]string{}, to...), cc...), maxRecipients/2) {
			out = append(out, recipients{to: chunk})
		}
	}
	for _, chunk := range splitRecipients(rest, maxRecipients) {
		out = append(out, recipients{bcc: chunk})
	}
	return out
}

func hasFormat(d *config.Digest, f string) bool {
	for _, x := range d.Formats {
		if x == f {
			return true
		}
	}
	return false
}

// Subject is the digest's subject line.
func Subject(d *config.Digest, p period.Period) string {
	label := render.Period{Start: p.Start, End: p.End, Location: p.Location}.Label()
	if d.Subject != "" {
		return strings.ReplaceAll(d.Subject, "{period}", label)
	}
	return d.Title + " — " + label
}

func pdfName(p period.Period) string {
	return fmt.Sprintf("chat-digest-%s_%s.pdf", p.Key(), p.LastDay())
}

// xlsxName is the workbook's file name, beside the PDF's.
func xlsxName(p period.Period) string {
	return strings.TrimSuffix(pdfName(p), ".pdf") + ".xlsx"
}
