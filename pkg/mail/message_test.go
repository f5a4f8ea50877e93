package mail_test

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"reportmailer/pkg/mail"
)

func sample() *mail.Message {
	return &mail.Message{
		From: "Chat reports <reports@example.com>", To: []string{"Zoë Brontë <zoe@example.com>"}, Cc: []string{"cc@example.com"},
		Bcc: []string{"secret@example.com"}, Subject: "Wöchentlicher Bericht — Mon 16 – Sun 22 Nov", Date: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC),
		MessageID: "digest.weekly.2026-11-16@reportmailer", Text: "Chats 1,274", HTML: `<p>Chats 1,274</p><img src="cid:c1@reportmailer">`,
		Inline: []mail.Part{{Filename: "c1.png", ContentType: "image/png", CID: "c1@reportmailer", Data: bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 100)}},
		Attachment: []mail.Part{{Filename: "chat-digest-2026-11-16_2026-11-22.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 …")},
			{Filename: "chat-digest-2026-11-16_2026-11-22.csv", ContentType: "text/csv; charset=utf-8", Data: []byte("a,b\n")}},
		Headers: map[string]string{"List-Unsubscribe": "<https://example.com/u>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
	}
}

// walk returns the content types of a message's parts, depth-first.
func walk(t *testing.T, ct string, body io.Reader, out *[]string, parts map[string][]byte) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatal(err)
	}
	*out = append(*out, mt)
	if !strings.HasPrefix(mt, "multipart/") {
		return
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if id := p.Header.Get("Content-ID"); id != "" {
			parts[id] = nil
		}
		if !strings.HasPrefix(p.Header.Get("Content-Type"), "multipart/") {
			*out = append(*out, mustType(p.Header.Get("Content-Type")))
			continue
		}
		walk(t, p.Header.Get("Content-Type"), p, out, parts)
	}
}

func mustType(ct string) string { mt, _, _ := mime.ParseMediaType(ct); return mt }

func TestStructureAndHeaders(t *testing.T) {
	raw, err := sample().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	parts := map[string][]byte{}
	walk(t, msg.Header.Get("Content-Type"), msg.Body, &types, parts)
	want := "multipart/mixed multipart/alternative text/plain multipart/related text/html image/png application/pdf text/csv"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("structure\n got %s\nwant %s", got, want)
	}
	if _, ok := parts["<c1@reportmailer>"]; !ok {
		t.Error("no Content-ID <c1@reportmailer>")
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != sample().Subject {
		t.Errorf("subject %q (%v)", subject, err)
	}
	if !strings.Contains(string(raw), "Subject: =?utf-8?") {
		t.Error("non-ASCII subject not RFC 2047 encoded")
	}
	to, _ := msg.Header.AddressList("To")
	if len(to) != 1 || to[0].Name != "Zoë Brontë" {
		t.Errorf("to %v", to)
	}
	if strings.Contains(string(raw), "secret@example.com") {
		t.Error("Bcc leaked into the headers")
	}
	if msg.Header.Get("Message-Id") != "<digest.weekly.2026-11-16@reportmailer>" || msg.Header.Get("Date") == "" {
		t.Errorf("message-id %q date %q", msg.Header.Get("Message-Id"), msg.Header.Get("Date"))
	}
	if msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Error("List-Unsubscribe-Post missing")
	}
	// RFC 5322 caps lines at 998; base64 bodies wrap at 76 (RFC 2045).
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 || (len(line) > 76 && !strings.Contains(line, " ") && !strings.Contains(line, ":")) {
			t.Errorf("line of %d characters: %.60s…", len(line), line)
		}
	}
}

func TestWithoutAttachmentTheRootIsAlternative(t *testing.T) {
	m := sample()
	m.Attachment, m.Inline, m.HTML = nil, nil, "<p>hi</p>"
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := netmail.ReadMessage(bytes.NewReader(raw))
	var types []string
	walk(t, msg.Header.Get("Content-Type"), msg.Body, &types, map[string][]byte{})
	if got := strings.Join(types, " "); got != "multipart/alternative text/plain text/html" {
		t.Errorf("structure %s", got)
	}
}

func TestHeaderInjectionIsRejected(t *testing.T) {
	for name, mutate := range map[string]func(*mail.Message){
		"subject":    func(m *mail.Message) { m.Subject = "hi\r\nBcc: victim@example.com" },
		"recipient":  func(m *mail.Message) { m.To = []string{"a@example.com\r\nBcc: victim@example.com"} },
		"header":     func(m *mail.Message) { m.Headers = map[string]string{"X-A": "b\nc"} },
		"message-id": func(m *mail.Message) { m.MessageID = "a\r\nb" },
	} {
		m := sample()
		mutate(m)
		if _, err := m.Bytes(); !errors.Is(err, mail.ErrHeaderInjection) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	m := sample()
	m.To = []string{"not an address"}
	if _, err := m.Bytes(); err == nil || !strings.Contains(err.Error(), `to "not an address": not an email address`) {
		t.Errorf("bad address: %v", err)
	}
}
