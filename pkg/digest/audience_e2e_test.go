package digest_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"mime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/appenv/digestdeps"
	"reportmailer/pkg/digest"
	"reportmailer/pkg/mail"
)

// The simulator puts agent k (id k+1) in department k mod 4.
var departmentAgents = map[string][]string{
	"1487fd00-92e6-4487-a2e8-92e68d6892e0": {"José Núñez", "Chloé Dubois", "Mei Chen", "Noah Williams", "Hannah Müller"},
	"1487fd01-92e6-4487-a2e8-92e68d6892e1": {"Zoë Brontë", "Łukasz Wróbel", "Aisha Khan", "Liam O'Brien", "Inês Santos"},
	"1487fd02-92e6-4487-a2e8-92e68d6892e2": {"Ana Lúcia Ferreira", "Αλέξης Παπαδόπουλος", "Oliver Smith", "Sofía García", "Ewa Kowalska"},
	"1487fd03-92e6-4487-a2e8-92e68d6892e3": {"Björn Ødegaard", "Дмитрий Иванов", "Emma Johnson", "Mateo Rossi", "Kenji Watanabe"},
}

var leadOf = map[string]string{
	"1487fd00-92e6-4487-a2e8-92e68d6892e0": "sales-lead@example.com",
	"1487fd01-92e6-4487-a2e8-92e68d6892e1": "support-lead@example.com",
	"1487fd02-92e6-4487-a2e8-92e68d6892e2": "billing-lead@example.com",
	"1487fd03-92e6-4487-a2e8-92e68d6892e3": "onboarding-lead@example.com",
}

const audienceConfig = `
comm100: {siteID: "10000", maxAttempts: 2}
mail: {from: "Chat reports <reports@example.com>"}
names:
  agents: {"1": José Núñez, "2": Zoë Brontë, "3": Ana Lúcia Ferreira, "4": Björn Ødegaard, "5": Chloé Dubois,
    "6": Łukasz Wróbel, "7": Αλέξης Παπαδόπουλος, "8": Дмитрий Иванов, "9": Mei Chen, "10": Aisha Khan,
    "11": Oliver Smith, "12": Emma Johnson, "13": Noah Williams, "14": "Liam O'Brien", "15": Sofía García,
    "16": Mateo Rossi, "17": Hannah Müller, "18": Inês Santos, "19": Ewa Kowalska, "20": Kenji Watanabe}
  departments: {1487fd00-92e6-4487-a2e8-92e68d6892e0: Sales, 1487fd01-92e6-4487-a2e8-92e68d6892e1: Support,
    1487fd02-92e6-4487-a2e8-92e68d6892e2: Billing, 1487fd03-92e6-4487-a2e8-92e68d6892e3: Onboarding}
digests:
  - id: teams
    title: Team digest
    period: week
    timezone: Europe/London
    formats: [pdf, csv]
    audience:
      filter: department
      members:
        1487fd00-92e6-4487-a2e8-92e68d6892e0: [sales-lead@example.com]
        1487fd01-92e6-4487-a2e8-92e68d6892e1: [support-lead@example.com]
        1487fd02-92e6-4487-a2e8-92e68d6892e2: [billing-lead@example.com]
        1487fd03-92e6-4487-a2e8-92e68d6892e3: [onboarding-lead@example.com]
    reports:
      - {report: rating, group: agent}
      - {report: agentPerformance, group: agent}
      - {report: postChatSurvey}
`

// flakySender fails its nth call once with an error a retry may fix
// (throttling), so the run stops there and Lambda runs it again.
type flakySender struct {
	mail.Sender
	n     int32
	calls atomic.Int32
}

func (f *flakySender) Send(ctx context.Context, env mail.Envelope, raw []byte) (string, error) {
	if f.calls.Add(1) == f.n {
		return "", errors.New("SES throttled the request (test)")
	}
	return f.Sender.Send(ctx, env, raw)
}

// TestAudienceFansOutByDepartment: a four-department audience sends four
// mails in one run (retried once midway), each with only its department's
// agents in the PDF and the CSV, the unfilterable survey left out with a
// note, and no mail twice.
func TestAudienceFansOutByDepartment(t *testing.T) {
	e := setupLinks(t, audienceConfig)
	deps := digestdeps.New(e.app)
	deps.Sender = &flakySender{Sender: e.app.Sender, n: 3}
	run := func() (*digest.Response, error) {
		return digest.Handler(e.app.Config, deps)(context.Background(), json.RawMessage(`{"digest":"teams","periodStart":"2026-11-16"}`))
	}
	if _, err := run(); err == nil {
		t.Fatal("the throttled send did not fail the run (Lambda would not retry it)")
	}
	if n := len(e.moto.SentEmails(t)); n != 2 {
		t.Fatalf("%d mails before the failure, want 2", n)
	}
	resp, err := run() // Lambda's retry
	if err != nil {
		t.Fatal(err)
	}
	skipped := 0
	for _, m := range resp.Messages {
		if m.Skipped != "" {
			skipped++
		}
	}
	if len(resp.Messages) != 4 || skipped != 2 {
		t.Fatalf("retry: %d messages, %d skipped as sent; want 4 and 2: %+v", len(resp.Messages), skipped, resp.Messages)
	}
	if resp, err := run(); err != nil || !resp.AlreadySent {
		t.Fatalf("third run: %+v %v", resp, err)
	}

	sent := e.moto.SentEmails(t)
	if len(sent) != 4 {
		t.Fatalf("%d mails in all, want 4 (one per department, each once)", len(sent))
	}
	got := map[string]bool{}
	for _, s := range sent {
		m := parse(t, s.RawData)
		var dept string
		for d, lead := range leadOf {
			if strings.Contains(m.header.Get("To"), lead) {
				dept = d
			}
		}
		if dept == "" || got[dept] {
			t.Fatalf("mail to %q: not a department lead, or a second copy", m.header.Get("To"))
		}
		got[dept] = true
		// Figures are per department: the simulator, like the API, may
		// still list other departments' agents, but only with zeros.
		pdf := pdftotext(t, m.pdf)
		if !strings.Contains(pdf, "Team digest — "+map[string]string{"1487fd00-92e6-4487-a2e8-92e68d6892e0": "Sales",
			"1487fd01-92e6-4487-a2e8-92e68d6892e1": "Support", "1487fd02-92e6-4487-a2e8-92e68d6892e2": "Billing",
			"1487fd03-92e6-4487-a2e8-92e68d6892e3": "Onboarding"}[dept]) {
			t.Errorf("%s's PDF is not titled for its department", leadOf[dept])
		}
		figures := csvFigures(t, m.csv)
		for d, agents := range departmentAgents {
			for _, a := range agents {
				if d == dept {
					if figures[a] == 0 || nonZeroAfter(pdf, a) == "" {
						t.Errorf("%s's copy: own agent %s has no figures (csv sum %v)", leadOf[dept], a, figures[a])
					}
					continue
				}
				if figures[a] != 0 {
					t.Errorf("%s's copy: CSV has figures of %s, of another department", leadOf[dept], a)
				}
				if v := nonZeroAfter(pdf, a); v != "" {
					t.Errorf("%s's copy: PDF shows %q for %s, of another department", leadOf[dept], v, a)
				}
			}
		}
		if !strings.Contains(pdf, "cannot be narrowed to one department") {
			t.Errorf("%s's copy has no note for the survey left out", leadOf[dept])
		}
		subject := m.header.Get("Subject")
		if !strings.Contains(decodeHeader(subject), "Team digest — ") {
			t.Errorf("subject %q", subject)
		}
	}
}

func decodeHeader(s string) string {
	out, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		return s
	}
	return out
}

// csvFigures sums the absolute values of each name's figures in the CSV.
func csvFigures(t *testing.T, data []byte) map[string]float64 {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
	if err != nil || len(rows) < 2 || rows[0][6] != "name" || rows[0][8] != "value" {
		t.Fatalf("CSV: %v\n%.300s", err, data)
	}
	out := map[string]float64{}
	for _, r := range rows[1:] {
		v, _ := strconv.ParseFloat(r[8], 64)
		out[r[6]] += math.Abs(v)
	}
	return out
}

// nonZeroAfter returns the first figure in the PDF text right after a
// line naming who that is not zero ("" when all are zero).
func nonZeroAfter(pdf, who string) string {
	var lines []string
	for _, l := range strings.Split(pdf, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	zero := map[string]bool{"0": true, "0.0": true, "0.0 avg": true, "0%": true, "0s": true}
	for i, l := range lines {
		if l == who && i+1 < len(lines) && !zero[lines[i+1]] {
			return lines[i+1]
		}
	}
	return ""
}

// One department whose reports all fail does not hold back the others:
// the healthy copies are sent and recorded in the first run, which then
// fails for Lambda to retry the broken copy alone; retries never send a
// healthy copy again, and once the department's data is back its copy
// goes out by itself.
func TestOneFailedCopyDoesNotBlockTheOthers(t *testing.T) {
	e := setupLinks(t, audienceConfig)
	const broken = "1487fd02-92e6-4487-a2e8-92e68d6892e2"
	e.sim.AddFault(comm100sim.Fault{Report: "*", Status: 500, Filter: "department=" + broken})
	deps := digestdeps.New(e.app)
	run := func() (*digest.Response, error) {
		return digest.Handler(e.app.Config, deps)(context.Background(), json.RawMessage(`{"digest":"teams","periodStart":"2026-11-16"}`))
	}
	for attempt := 1; attempt <= 3; attempt++ { // the first delivery and Lambda's retries
		_, err := run()
		if !errors.Is(err, digest.ErrAllReportsFailed) || !strings.Contains(err.Error(), broken) {
			t.Fatalf("attempt %d: err %v, want the broken copy's failure, naming it", attempt, err)
		}
		if n := len(e.moto.SentEmails(t)); n != 3 {
			t.Fatalf("attempt %d: %d mails, want the 3 healthy copies once each", attempt, n)
		}
	}
	for _, s := range e.moto.SentEmails(t) {
		if to := parse(t, s.RawData).header.Get("To"); strings.Contains(to, leadOf[broken]) {
			t.Errorf("the broken department's copy was sent: %s", to)
		}
	}
	e.sim.ClearFaults()
	resp, err := run()
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, m := range resp.Messages {
		if m.Outcome == "sent" {
			sent++
		}
	}
	if sent != 1 || len(e.moto.SentEmails(t)) != 4 {
		t.Errorf("after recovery: %d sent by the run, %d mails in all; want 1 and 4: %+v", sent, len(e.moto.SentEmails(t)), resp.Messages)
	}
	if resp, err := run(); err != nil || !resp.AlreadySent {
		t.Errorf("a run after all four: %+v, %v", resp, err)
	}
}
