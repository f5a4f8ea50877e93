package render_test

import (
	"strings"
	"testing"

	"reportmailer/pkg/format"
	"reportmailer/pkg/render"
	"reportmailer/pkg/reports"
)

// The examples: an average wait of 408,256 days and a utilization
// of 123 billion times 100%. Each is outside its metric's plausible range,
// so it is not drawn (not in a chart, table, summary or highlight) and the
// section says which metric, which value and which row.
func TestImplausibleValuesAreNamedNotDrawn(t *testing.T) {
	t.Parallel()
	waits, err := reports.Decode("waitTime", []byte(`[
		{"avgWaitTime": 42, "maxWaitTime": 300, "time": {"from": "2026-11-16T00:00:00", "to": "2026-11-17T00:00:00"}},
		{"avgWaitTime": 35273365200, "maxWaitTime": 400, "time": {"from": "2026-11-17T00:00:00", "to": "2026-11-18T00:00:00"}},
		{"avgWaitTime": 50, "maxWaitTime": 310, "time": {"from": "2026-11-18T00:00:00", "to": "2026-11-19T00:00:00"}}]`))
	if err != nil {
		t.Fatal(err)
	}
	work := []reports.WorkloadRow{
		{AgentID: "a1", Chats: 40, AgentUtilization: 0.6, LinearChatTime: 3600, IdleTime: 1800},
		{AgentID: "a2", Chats: 30, AgentUtilization: 123456789012, LinearChatTime: 3000, IdleTime: 1000},
	}
	volume := []reports.ChatVolumeRow{{DepartmentID: "d1", Chats: 12, ChatRequests: 3e8}, {DepartmentID: "d2", Chats: 12, ChatRequests: 14}}
	d := smallDigest(
		render.Section{Report: "waitTime", Group: reports.GroupDay, Rows: reports.Rows(waits)},
		render.Section{Report: "workload", Group: reports.GroupAgent, Rows: reports.Rows(work)},
		render.Section{Report: "chatVolume", Group: reports.GroupDepartment, Rows: reports.Rows(volume)},
	)
	d.Names = format.Names{reports.GroupAgent: {"a1": "Ann", "a2": "Bob"}, reports.GroupDepartment: {"d1": "Sales", "d2": "Support"}}
	out, err := render.Render(d, render.Options{ImageScale: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ section, note, value string }{
		{"Wait time", "Avg wait 9,798,157h (2026-11-17", "9,798,157h"}, // durations over a day read in hours
		{"Workload", "Utilization 12345678901200% (Bob)", "12345678901200%"},
		{"Chat volume", "Chat requests 300,000,000 (Sales)", "300,000,000"},
	} {
		block := textSection(t, out.Text, want.section)
		if !strings.Contains(block, "implausible") || !strings.Contains(block, want.note) {
			t.Errorf("%s: no note naming %q:\n%s", want.section, want.note, block)
		}
		if n := strings.Count(out.Text, want.value); n != 1 {
			t.Errorf("%s: %q appears %d times in the text, want once (in the note):\n%s", want.section, want.value, n, out.Text)
		}
		if n := strings.Count(out.HTML, want.value); n != 1 {
			t.Errorf("%s: %q appears %d times in the HTML, want once (in the note)", want.section, want.value, n)
		}
	}
	if pdf := pdfText(t, out.PDF); !strings.Contains(pdf, "implausible") {
		t.Error("the PDF does not say a value was implausible")
	}
	if strings.Contains(string(out.CSV), "35273365200") || strings.Contains(string(out.CSV), "123456789012") {
		t.Error("the CSV carries an implausible value")
	}
}

// textSection is the text part's block for a section title.
func textSection(t *testing.T, text, title string) string {
	t.Helper()
	for _, b := range strings.Split(text, "\n== ")[1:] {
		if strings.HasPrefix(b, title+" ") {
			return b
		}
	}
	t.Fatalf("no %q section in\n%s", title, text)
	return ""
}
