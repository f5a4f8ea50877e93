package digest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http/httptest"
	netmail "net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"reportmailer/internal/awstest"
	"reportmailer/internal/comm100sim"
	"reportmailer/internal/lambdalocal"
	"reportmailer/internal/testtool"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/digest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const testConfig = `
comm100: {siteID: "10000", maxAttempts: 2, secretARN: "%SECRET%"}
mail: {from: "Chat reports <reports@example.com>", archiveBucket: archive, maxMessageBytes: %MAX%}
names:
  agents: {"1": José Núñez, "2": Zoë Brontë}
digests:
  - id: weekly
    title: Weekly chat digest
    period: week
    timezone: Europe/London
    to: ["Managers <managers@example.com>"]
    bcc: ["audit@example.com"]
    formats: [pdf, html, csv]
    reports:
      - {report: chatVolume, group: day}
      - {report: rating, group: agent}
      - {report: waitTime, group: day}
      - {report: cannedMessage}
`

type env struct {
	moto *awstest.Moto
	sim  *comm100sim.Server
	app  *appenv.App
}

// setup starts the simulator, resets moto and creates what the function
// needs there: the SES identity, the table, the bucket and the secret.
func setup(t *testing.T, maxBytes string) *env {
	t.Helper()
	ctx := context.Background()
	moto, cfg := freshAWS(t)
	sec, err := secretsmanager.NewFromConfig(cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("comm100"),
		SecretString: aws.String(`{"email":"demo@example.com","apiKey":"demo-key"}`)})
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.NewReplacer("%SECRET%", aws.ToString(sec.ARN), "%MAX%", maxBytes).Replace(testConfig)
	sim, app, _ := loadApp(t, moto, conf, nil)
	return &env{moto: moto, sim: sim, app: app}
}

// loadApp starts the simulator, writes conf as the bundled config and
// loads the app the digest function would, with moto's environment, the
// table and extra variables.
func loadApp(t *testing.T, moto *awstest.Moto, conf string, extra map[string]string) (*comm100sim.Server, *appenv.App, func(string) string) {
	t.Helper()
	sim := comm100sim.New(comm100sim.Options{Seed: 5})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"CONFIG_FILE": path, "COMM100_BASE_URL": srv.URL, "TABLE_NAME": "reportmailer"}
	for _, kv := range moto.Env() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	for k, v := range extra {
		vars[k] = v
	}
	getenv := func(k string) string { return vars[k] }
	// The SDK reads the process environment itself.
	for k, v := range vars {
		t.Setenv(k, v)
	}
	app, err := appenv.Load(context.Background(), appenv.Options{Getenv: getenv, NeedSender: true})
	if err != nil {
		t.Fatal(err)
	}
	return sim, app, getenv
}

// freshAWS is moto with what the stack creates for the digest function:
// the verified sender, the table and the archive bucket.
func freshAWS(t *testing.T) (*awstest.Moto, aws.Config) {
	t.Helper()
	moto := awstest.Fresh(t)
	cfg := moto.Config(t)
	if err := lambdalocal.Prepare(context.Background(), cfg, "reports@example.com", "reportmailer"); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("archive"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(awstest.Region)}}); err != nil {
		t.Fatal(err)
	}
	return moto, cfg
}

func (e *env) invoke(t *testing.T, event string) (*digest.Response, error) {
	t.Helper()
	deps := digest.Deps{Reports: e.app.Reports, Sender: e.app.Sender, SendLog: e.app.Log, Archive: e.app.Archive}
	return digest.Handler(e.app.Config, deps)(context.Background(), json.RawMessage(event))
}

const weekly = `{"digest":"weekly","scheduledTime":"2026-11-23T08:00:00Z"}`

// parsed is a received message, taken apart.
type parsed struct {
	header  netmail.Header
	text    string
	html    string
	parts   map[string][]byte // by Content-ID
	pdf     []byte
	pdfName string
	csv     []byte
}

func parse(t *testing.T, raw string) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{header: msg.Header, parts: map[string][]byte{}}
	var walk func(ct string, body io.Reader, h map[string][]string)
	walk = func(ct string, body io.Reader, h map[string][]string) {
		mt, params, _ := mime.ParseMediaType(ct)
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				part, err := mr.NextPart()
				if err != nil {
					return
				}
				walk(part.Header.Get("Content-Type"), part, part.Header)
			}
		}
		data, _ := io.ReadAll(body)
		if strings.EqualFold(first(h["Content-Transfer-Encoding"]), "base64") {
			data, _ = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(data)))
		}
		switch {
		case mt == "text/plain":
			p.text = string(data)
		case mt == "text/html":
			p.html = string(data)
		case mt == "text/csv":
			p.csv = data
		case mt == "application/pdf":
			p.pdf = data
			_, dp, _ := mime.ParseMediaType(first(h["Content-Disposition"]))
			p.pdfName = dp["filename"]
		case first(h["Content-Id"]) != "":
			p.parts[strings.Trim(first(h["Content-Id"]), "<>")] = data
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Body, msg.Header)
	return p
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := testtool.Need(t, testtool.Poppler, "pdftotext")
	cmd := exec.Command(bin, "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestOneRunSendsExactlyOneEmail(t *testing.T) {
	e := setup(t, "10485760")
	resp, err := e.invoke(t, weekly)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Period != "2026-11-16/2026-11-22" || len(resp.Messages) != 1 || resp.Messages[0].ProviderID == "" {
		t.Fatalf("response %+v", resp)
	}
	sent := e.moto.SentEmails(t)
	if len(sent) != 1 {
		t.Fatalf("%d emails sent, want 1", len(sent))
	}
	// moto lists the header recipients beside the envelope's; compare the set.
	dest := map[string]bool{}
	for _, d := range sent[0].Destinations {
		if a, err := netmail.ParseAddress(d); err == nil {
			dest[a.Address] = true
		}
	}
	if len(dest) != 2 || !dest["managers@example.com"] || !dest["audit@example.com"] {
		t.Errorf("destinations %v", sent[0].Destinations)
	}
	m := parse(t, sent[0].RawData)
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.header.Get("Subject"))
	if subject != "Weekly chat digest — Mon 16 – Sun 22 Nov 2026" {
		t.Errorf("subject %q", subject)
	}
	if strings.Contains(sent[0].RawData, "audit@example.com") && strings.Contains(m.header.Get("To")+m.header.Get("Cc"), "audit") {
		t.Error("Bcc visible in headers")
	}
	if !bytes.HasPrefix(m.pdf, []byte("%PDF")) || m.pdfName != "chat-digest-2026-11-16_2026-11-22.pdf" {
		t.Fatalf("attachment %q, %d bytes", m.pdfName, len(m.pdf))
	}
	if !strings.Contains(string(m.csv), "section,report,group,from,to,key,name,metric,value,period") || !strings.Contains(string(m.csv), "José Núñez") {
		t.Errorf("CSV attachment missing or without names (%d bytes)", len(m.csv))
	}
	if text := pdftotext(t, m.pdf); !strings.Contains(text, "Weekly chat digest") || !strings.Contains(text, "José Núñez") {
		t.Errorf("PDF text lacks the title or names")
	}
	cids := regexp.MustCompile(`cid:([^"]+)`).FindAllStringSubmatch(m.html, -1)
	if len(cids) == 0 {
		t.Fatal("HTML has no cid images")
	}
	for _, c := range cids {
		if len(m.parts[c[1]]) == 0 {
			t.Errorf("cid:%s has no part", c[1])
		}
	}
	if !strings.Contains(m.text, "SUMMARY") || !strings.Contains(m.text, "Chats") {
		t.Error("text part lacks the KPIs")
	}
	// Archived in S3.
	s3c := s3.NewFromConfig(e.moto.Config(t), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("archive"), Key: aws.String("digests/weekly/2026-11-16_2026-11-22.pdf")}); err != nil {
		t.Errorf("archive: %v", err)
	}
	// No secret reached the mail.
	if strings.Contains(sent[0].RawData, "demo-key") {
		t.Error("API key in the email")
	}
}

func TestSecondRunAndRetriesSendNothing(t *testing.T) {
	e := setup(t, "10485760")
	if _, err := e.invoke(t, weekly); err != nil {
		t.Fatal(err)
	}
	// Same period again: the schedule retried, hours later, past midnight.
	for _, ev := range []string{weekly, `{"digest":"weekly","scheduledTime":"2026-11-24T01:30:00Z"}`, `{"digest":"weekly","periodStart":"2026-11-16"}`} {
		resp, err := e.invoke(t, ev)
		if err != nil {
			t.Fatal(err)
		}
		if !resp.AlreadySent {
			t.Errorf("%s: not recognised as already sent: %+v", ev, resp)
		}
	}
	if n := len(e.moto.SentEmails(t)); n != 1 {
		t.Errorf("%d emails, want 1", n)
	}
	// The next week is a new period.
	if _, err := e.invoke(t, `{"digest":"weekly","scheduledTime":"2026-11-30T08:00:00Z"}`); err != nil {
		t.Fatal(err)
	}
	if n := len(e.moto.SentEmails(t)); n != 2 {
		t.Errorf("%d emails after the next week, want 2", n)
	}
}

func TestHalfTheReportsFailStillSends(t *testing.T) {
	e := setup(t, "10485760")
	e.sim.AddFault(comm100sim.Fault{Report: "rating", Status: 503})
	e.sim.AddFault(comm100sim.Fault{Report: "waitTime", Status: 403})
	resp, err := e.invoke(t, weekly)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(resp.FailedReports, ",") != "rating,waitTime" {
		t.Errorf("failed %v", resp.FailedReports)
	}
	sent := e.moto.SentEmails(t)
	if len(sent) != 1 {
		t.Fatalf("%d emails", len(sent))
	}
	m := parse(t, sent[0].RawData)
	for _, note := range []string{"Could not fetch this report: HTTP 503 after 2 attempts.", "Not available in your Comm100 edition."} {
		if !strings.Contains(m.html, note) || !strings.Contains(m.text, note) {
			t.Errorf("note %q missing", note)
		}
	}
}

func TestAllReportsFailSendsNothing(t *testing.T) {
	e := setup(t, "10485760")
	e.sim.AddFault(comm100sim.Fault{Report: "*", Status: 500})
	_, err := e.invoke(t, weekly)
	if !errors.Is(err, digest.ErrAllReportsFailed) {
		t.Fatalf("err = %v", err)
	}
	if n := len(e.moto.SentEmails(t)); n != 0 {
		t.Errorf("%d emails sent", n)
	}
	// The failure left no claim behind: a retry after Comm100 recovers sends.
	e.sim.ClearFaults()
	if _, err := e.invoke(t, weekly); err != nil {
		t.Fatal(err)
	}
	if n := len(e.moto.SentEmails(t)); n != 1 {
		t.Errorf("%d emails after recovery", n)
	}
}

func TestOversizeMessageLinksThePDF(t *testing.T) {
	e := setup(t, "10485760")
	// A dry run measures the message; the limit then sits between the
	// message with the PDF and without it, whatever the rendering weighs.
	at, _ := time.Parse(time.RFC3339, "2026-11-23T08:00:00Z")
	dry, err := digest.Run(context.Background(), e.app.Config, digest.Deps{Reports: e.app.Reports}, digest.Request{DigestID: "weekly", At: at})
	if err != nil || len(dry.Messages) != 1 {
		t.Fatalf("dry run: %v", err)
	}
	withPDF, pdf := len(dry.Messages[0].Raw), len(dry.Output.PDF)*4/3 // base64
	e.app.Config.Mail.MaxMessageBytes = withPDF - pdf/2
	if _, err := e.invoke(t, weekly); err != nil {
		t.Fatal(err)
	}
	sent := e.moto.SentEmails(t)
	if len(sent) != 1 {
		t.Fatalf("%d emails", len(sent))
	}
	m := parse(t, sent[0].RawData)
	if m.pdf != nil {
		t.Error("PDF attached despite the size limit")
	}
	if !strings.Contains(m.html, "Download the full report (PDF)") || !strings.Contains(m.html, "X-Amz-Signature") {
		t.Error("no pre-signed PDF link in the HTML")
	}
}

func TestBadEvents(t *testing.T) {
	e := setup(t, "10485760")
	for ev, want := range map[string]string{
		`{"digest":"nope","scheduledTime":"2026-11-23T08:00:00Z"}`: `no digest "nope"`,
		`{"digest":"weekly","scheduledTime":"Monday"}`:             `scheduledTime "Monday": want RFC 3339`,
		`{"digest":"weekly"}`:                                      `"scheduledTime"`,
		`{"digest":"weekly","periodStart":"2026-11-18"}`:           `a week period here starts on Monday`,
		`[1,2]`: `not a JSON object`,
	} {
		if _, err := e.invoke(t, ev); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", ev, err, want)
		}
	}
	if n := len(e.moto.SentEmails(t)); n != 0 {
		t.Errorf("%d emails sent for bad events", n)
	}
}

func TestManyRecipientsAreSplitAndEachSentOnce(t *testing.T) {
	e := setup(t, "10485760")
	d, _ := e.app.Config.Digest("weekly")
	d.Bcc = nil
	for i := 0; i < 120; i++ {
		d.Bcc = append(d.Bcc, fmt.Sprintf("reader%03d@example.com", i))
	}
	resp, err := e.invoke(t, weekly)
	if err != nil {
		t.Fatal(err)
	}
	// 1 To (counted twice) + 48 Bcc, then 50 and 22 Bcc.
	if len(resp.Messages) != 3 || resp.Messages[0].Recipients != 49 || resp.Messages[1].Recipients != 50 || resp.Messages[2].Recipients != 22 {
		t.Fatalf("messages %+v", resp.Messages)
	}
	if n := len(e.moto.SentEmails(t)); n != 3 {
		t.Errorf("%d emails, want 3", n)
	}
	if _, err := e.invoke(t, weekly); err != nil {
		t.Fatal(err)
	}
	if n := len(e.moto.SentEmails(t)); n != 3 {
		t.Errorf("%d emails after a retry, want still 3", n)
	}
}

func TestDuplicateDeliveriesAtOnceSendOne(t *testing.T) {
	e := setup(t, "10485760")
	// Lambda may deliver the same event twice, even concurrently.
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = e.invoke(t, weekly) // losers fail with "in progress" and would be retried
		}()
	}
	wg.Wait()
	if n := len(e.moto.SentEmails(t)); n != 1 {
		t.Errorf("%d emails from 3 concurrent deliveries, want 1", n)
	}
	// A retry of a loser finds the period sent.
	resp, err := e.invoke(t, weekly)
	if err != nil || !resp.AlreadySent {
		t.Errorf("retry after the race: %+v %v", resp, err)
	}
}
