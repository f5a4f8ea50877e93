package alert_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"reportmailer/pkg/reports"
)

// hostileIDs are queue ids with no configured name, long enough to be cut
// short in a label, whose eighth byte falls inside a character.
var hostileIDs = []reports.ID{"abcdefgÑÑÑÑÑÑÑ", "abcdef€€€€€€€", "abcdefg😀😀😀😀", "ÑÑÑÑÑÑÑÑÑÑÑÑÑÑ", "a\u0301\u0301\u0301\u0301\u0301\u0301\u0301"}

// Alert mail names a queue by its label; every part it declares UTF-8
// (the subject, the text and the HTML) is valid UTF-8 whatever the ids.
func TestAlertMailIsValidUTF8ForHostileIDs(t *testing.T) {
	r := newRun(t, "    - {id: any-queue, metric: queue.length, op: \">\", threshold: 0, for: \"1\", to: [oncall@example.com]}\n",
		func(int) ([]reports.RealtimeQueue, error) {
			var qs []reports.RealtimeQueue
			for _, id := range hostileIDs {
				qs = append(qs, queueOf(reports.RouteTo{Type: reports.RouteDepartment, ID: id}, 3), queueOf(reports.RouteTo{Type: reports.RouteAgent, ID: id}, 2))
			}
			return qs, nil
		})
	for i := 0; i < 3; i++ {
		r.fetch.step = i
		if _, err := r.ev.Evaluate(context.Background(), t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	msgs := r.sender.Messages()
	if len(msgs) == 0 {
		t.Fatal("no alert mail")
	}
	for _, m := range msgs {
		checkUTF8Parts(t, m.Raw)
	}
}

// checkUTF8Parts fails the test for any header or part of raw that is
// declared UTF-8 and is not.
func checkUTF8Parts(t *testing.T, raw []byte) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for name, values := range msg.Header {
		for _, v := range values {
			if d, err := new(mime.WordDecoder).DecodeHeader(v); err != nil || !utf8.ValidString(d) {
				t.Errorf("header %s is not valid UTF-8: %q", name, v)
			}
		}
	}
	var walk func(ct, cte string, body io.Reader)
	walk = func(ct, cte string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			}
		}
		if !strings.EqualFold(params["charset"], "utf-8") {
			return
		}
		if strings.EqualFold(cte, "base64") {
			body = base64.NewDecoder(base64.StdEncoding, body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(b) {
			t.Errorf("%s part declared UTF-8 is not valid UTF-8", mt)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}
