package digest

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/internal/testconfig"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/workbook"
)

// memStore is an archive in memory.
type memStore struct {
	mu    sync.Mutex
	data  map[string][]byte
	types map[string]string
}

func (s *memStore) Put(_ context.Context, key, contentType string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key], s.types[key] = data, contentType
	return nil
}

func (s *memStore) Link(_ context.Context, key string, _ time.Duration) (string, error) {
	return "https://archive.example/" + key, nil
}

func (s *memStore) URI(key string) string { return "mem://" + key }

// A digest with formats [xlsx] attaches the workbook, archives it beside
// the PDF, and, when the message is over the size limit, links the PDF
// and then the workbook from the archive instead of attaching them.
func TestWorkbookAttachedArchivedAndLinked(t *testing.T) {
	srv := httptest.NewServer(comm100sim.New(comm100sim.Options{Seed: 5}))
	defer srv.Close()
	client := reports.New(reports.WithBaseURL(srv.URL),
		reports.WithAuth(reports.APIKey{SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}))
	cfg := testconfig.Example(t)
	d, _ := cfg.Digest("weekly-managers")
	d.Formats = []string{"pdf", "html", "csv", "xlsx"}
	d.Reports = d.Reports[:4]
	store := &memStore{data: map[string][]byte{}, types: map[string]string{}}
	run := func() *Result {
		t.Helper()
		res, err := Run(context.Background(), cfg, Deps{Reports: client, Archive: store, Now: func() time.Time { return wednesday }},
			Request{DigestID: d.ID, PeriodStart: "2026-11-16"})
		if err != nil || len(res.Messages) != 1 {
			t.Fatalf("run: %v", err)
		}
		return res
	}
	res := run()
	x := res.Output.XLSX
	if len(x) == 0 {
		t.Fatal("no workbook")
	}
	raw := string(res.Messages[0].Raw)
	for _, want := range []string{"Content-Type: " + workbook.ContentType, "filename=chat-digest-2026-11-16_2026-11-22.xlsx",
		"every number is attached as an Excel workbook and a CSV file."} {
		if !strings.Contains(strings.ReplaceAll(raw, "=\r\n", ""), want) {
			t.Errorf("the message lacks %q", want)
		}
	}
	key := cfg.Mail.ArchivePrefix + d.ID + "/2026-11-16_2026-11-22.xlsx" // the archive names both bounds
	if !bytes.Equal(store.data[key], x) || store.types[key] != workbook.ContentType {
		t.Errorf("archive %q: %d bytes (%s), want the workbook's %d", key, len(store.data[key]), store.types[key], len(x))
	}

	// Over the limit by more than the PDF: both are linked.
	encoded := func(n int) int { return n * 4 / 3 }
	cfg.Mail.MaxMessageBytes = len(raw) - encoded(len(res.Output.PDF)) - encoded(len(x))/2
	res = run()
	raw = strings.ReplaceAll(string(res.Messages[0].Raw), "=\r\n", "")
	if strings.Contains(raw, "Content-Type: "+workbook.ContentType) || strings.Contains(raw, "Content-Type: application/pdf") {
		t.Error("an attachment stayed despite the size limit")
	}
	for _, want := range []string{"Every number (Excel workbook, link valid 7 days): https://archive.example/" + key,
		"Full report (PDF, link valid 7 days): https://archive.example/"} {
		if !strings.Contains(raw, want) {
			t.Errorf("the message lacks %q", want)
		}
	}
}
