// Package mail builds standards-correct MIME messages and sends them.
//
// Structure (what renders across Gmail, Outlook and Apple Mail):
//
//	multipart/mixed
//	├── multipart/alternative
//	│   ├── text/plain
//	│   └── multipart/related
//	│       ├── text/html
//	│       └── image/png (Content-ID, inline) …
//	└── application/pdf (attachment) …
//
// Parts that are not needed are left out (no mixed without attachments, no
// related without images). MIME encoding is github.com/emersion/go-message:
// RFC 2047 headers, base64 wrapped at 76 columns, quoted-printable text.
package mail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

// Part is an inline image or an attachment.
type Part struct {
	Filename    string
	ContentType string
	CID         string // inline parts only
	Data        []byte
}

// Message is an email before encoding.
type Message struct {
	From    string
	ReplyTo string
	To      []string
	Cc      []string
	// Bcc recipients get the message but never appear in its headers.
	Bcc     []string
	Subject string
	Date    time.Time
	// MessageID without angle brackets, e.g. digest.weekly.2026-11-16@reportmailer.
	// Deterministic ids let receivers drop a duplicate if one ever slips through.
	MessageID  string
	InReplyTo  string
	References []string
	Text       string
	HTML       string
	Inline     []Part
	Attachment []Part
	// Headers are extra headers (List-Unsubscribe, X-…); each appears once.
	Headers map[string]string
}

// ErrHeaderInjection means a header value carried a line break.
var ErrHeaderInjection = errors.New("line break in a header value")

// Recipients is every envelope recipient (To, Cc and Bcc) as bare addresses.
func (m *Message) Recipients() []string {
	var out []string
	for _, list := range [][]string{m.To, m.Cc, m.Bcc} {
		for _, s := range list {
			if a, err := netmail.ParseAddress(s); err == nil {
				out = append(out, a.Address)
			} else {
				out = append(out, s)
			}
		}
	}
	return out
}

func parseList(field string, list []string) ([]*gomail.Address, error) {
	out := make([]*gomail.Address, 0, len(list))
	for _, s := range list {
		if strings.ContainsAny(s, "\r\n") {
			return nil, fmt.Errorf("%s %q: %w", field, s, ErrHeaderInjection)
		}
		a, err := netmail.ParseAddress(s)
		if err != nil {
			return nil, fmt.Errorf("%s %q: not an email address", field, s)
		}
		out = append(out, &gomail.Address{Name: a.Name, Address: a.Address})
	}
	return out, nil
}

// Bytes encodes the message as RFC 5322 text.
func (m *Message) Bytes() ([]byte, error) {
	from, err := parseList("from", []string{m.From})
	if err != nil {
		return nil, err
	}
	to, err := parseList("to", m.To)
	if err != nil {
		return nil, err
	}
	cc, err := parseList("cc", m.Cc)
	if err != nil {
		return nil, err
	}
	if _, err := parseList("bcc", m.Bcc); err != nil {
		return nil, err
	}
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
		return nil, errors.New("message has no recipients")
	}
	for name, v := range map[string]string{"subject": m.Subject, "message-id": m.MessageID, "in-reply-to": m.InReplyTo} {
		if strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("%s: %w", name, ErrHeaderInjection)
		}
	}
	var h gomail.Header
	h.SetAddressList("From", from)
	if len(to) > 0 {
		h.SetAddressList("To", to)
	}
	if len(cc) > 0 {
		h.SetAddressList("Cc", cc)
	}
	if m.ReplyTo != "" {
		rt, err := parseList("reply-to", []string{m.ReplyTo})
		if err != nil {
			return nil, err
		}
		h.SetAddressList("Reply-To", rt)
	}
	h.SetSubject(m.Subject)
	h.SetDate(m.Date)
	if m.MessageID != "" {
		h.SetMessageID(m.MessageID)
	} else if err := h.GenerateMessageID(); err != nil {
		return nil, err
	}
	if m.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{m.InReplyTo})
	}
	if len(m.References) > 0 {
		h.SetMsgIDList("References", m.References)
	}
	for k, v := range m.Headers {
		if strings.ContainsAny(k+v, "\r\n") {
			return nil, fmt.Errorf("header %s: %w", k, ErrHeaderInjection)
		}
		h.Set(k, v)
	}
	h.Set("MIME-Version", "1.0")

	var buf bytes.Buffer
	buf.Grow(m.sizeHint())
	if len(m.Attachment) > 0 {
		h.SetContentType("multipart/mixed", nil)
		w, err := message.CreateWriter(&buf, h.Header)
		if err != nil {
			return nil, err
		}
		if err := m.writeBody(w); err != nil {
			return nil, err
		}
		for _, a := range m.Attachment {
			var ph message.Header
			if err := setContentType(&ph, a); err != nil {
				return nil, err
			}
			ph.SetContentDisposition("attachment", map[string]string{"filename": a.Filename})
			ph.Set("Content-Transfer-Encoding", "base64")
			if err := writePart(w, ph, a.Data); err != nil {
				return nil, err
			}
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	if err := m.writeBodyAsRoot(&buf, h.Header); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sizeHint is about the encoded message's size, so its buffer is
// allocated once instead of grown and copied through a megabyte or two.
func (m *Message) sizeHint() int {
	n := 16<<10 + (len(m.Text)+len(m.HTML))*11/10 // headers, boundaries; quoted-printable's escapes
	for _, parts := range [][]Part{m.Inline, m.Attachment} {
		for _, p := range parts {
			n += base64.StdEncoding.EncodedLen(len(p.Data))*78/76 + 512 // CRLF every 76; part headers
		}
	}
	return n
}

// setContentType writes a part's type with its parameters ("text/csv;
// charset=utf-8") and the file name. go-message wants the bare media type
// and the parameters apart; given them together it writes an empty header.
func setContentType(h *message.Header, p Part) error {
	mt, params, err := mime.ParseMediaType(p.ContentType)
	if err != nil {
		return fmt.Errorf("part %s: content type %q: %w", p.Filename, p.ContentType, err)
	}
	params["name"] = p.Filename
	h.SetContentType(mt, params)
	return nil
}

func writePart(w *message.Writer, h message.Header, data []byte) error {
	pw, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := pw.Write(data); err != nil {
		return err
	}
	return pw.Close()
}

func textHeader(ct string) message.Header {
	var h message.Header
	h.SetContentType(ct, map[string]string{"charset": "utf-8"})
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	return h
}

// writeBody writes the alternative part (text + HTML with images) into a parent.
func (m *Message) writeBody(parent *message.Writer) error {
	var h message.Header
	h.SetContentType("multipart/alternative", nil)
	w, err := parent.CreatePart(h)
	if err != nil {
		return err
	}
	if err := m.writeAlternatives(w); err != nil {
		return err
	}
	return w.Close()
}

// writeBodyAsRoot writes a message without attachments: the root is the alternative part.
func (m *Message) writeBodyAsRoot(buf *bytes.Buffer, root message.Header) error {
	root.SetContentType("multipart/alternative", nil)
	w, err := message.CreateWriter(buf, root)
	if err != nil {
		return err
	}
	if err := m.writeAlternatives(w); err != nil {
		return err
	}
	return w.Close()
}

func (m *Message) writeAlternatives(w *message.Writer) error {
	// Text first, HTML last: clients show the last alternative they can (RFC 2046 §5.1.4).
	if err := writePart(w, textHeader("text/plain"), []byte(m.Text)); err != nil {
		return err
	}
	if m.HTML == "" {
		return nil
	}
	if len(m.Inline) == 0 {
		return writePart(w, textHeader("text/html"), []byte(m.HTML))
	}
	var rh message.Header
	rh.SetContentType("multipart/related", map[string]string{"type": "text/html"})
	rw, err := w.CreatePart(rh)
	if err != nil {
		return err
	}
	if err := writePart(rw, textHeader("text/html"), []byte(m.HTML)); err != nil {
		return err
	}
	for _, p := range m.Inline {
		var ph message.Header
		if err := setContentType(&ph, p); err != nil {
			return err
		}
		ph.SetContentDisposition("inline", map[string]string{"filename": p.Filename})
		ph.Set("Content-ID", "<"+p.CID+">")
		ph.Set("Content-Transfer-Encoding", "base64")
		if err := writePart(rw, ph, p.Data); err != nil {
			return err
		}
	}
	return rw.Close()
}
