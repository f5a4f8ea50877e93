package reports_test

import (
	"testing"
	"time"

	"reportmailer/pkg/reports"
)

// Rows answered at -05:00 read at -04:00 name the same instants, and the
// originals (which a cache may hold) are left as they were.
func TestReoffset(t *testing.T) {
	t.Parallel()
	slot := func(s string) reports.Slot {
		v, err := reports.ParseSlot(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	orig := &reports.ChatVolumeRow{Time: &reports.Bucket{From: slot("2026-11-02T00:00:00"), To: slot("2026-11-03T00:00:00")}, Chats: 7}
	dept := &reports.ChatVolumeRow{DepartmentID: "d1", Chats: 3}
	out := reports.Reoffset([]any{orig, dept}, -5*time.Hour, -4*time.Hour)
	got := out[0].(*reports.ChatVolumeRow)
	if got.Time.From.String() != "2026-11-02T01:00:00" || got.Time.To.String() != "2026-11-03T01:00:00" || got.Chats != 7 {
		t.Errorf("re-offset row %s – %s, %v chats", got.Time.From, got.Time.To, got.Chats)
	}
	if orig.Time.From.String() != "2026-11-02T00:00:00" {
		t.Errorf("the original row changed: %s", orig.Time.From)
	}
	if out[1] != any(dept) {
		t.Errorf("a row without a time bucket was copied")
	}
	if same := reports.Reoffset([]any{orig}, time.Hour, time.Hour); same[0] != any(orig) {
		t.Errorf("no shift should return the rows as they are")
	}
}
