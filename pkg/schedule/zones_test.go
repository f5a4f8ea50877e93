package schedule

import (
	"archive/zip"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"reportmailer/pkg/period"
)

// allZones returns every IANA zone in Go's own tz database (the zip that
// time/tzdata embeds, generated from the same source), loaded from that
// data: a sweep over whatever the release ships, not a hand list.
func allZones(t *testing.T) map[string]*time.Location {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	zr, err := zip.OpenReader(filepath.Join(strings.TrimSpace(string(out)), "lib", "time", "zoneinfo.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	zones := map[string]*time.Location{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		loc, err := time.LoadLocationFromTZData(f.Name, data)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		zones[f.Name] = loc
	}
	if len(zones) < 400 {
		t.Fatalf("only %d zones in the tz database", len(zones))
	}
	return zones
}

// transitions returns the instants in [from, to) at which loc's offset
// changes. ZoneBounds also ends a zone at each year's end where Go extends
// the database's last rule, so a bound is a change only if the offset
// differs on either side of it.
func transitions(loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	for t := from; t.Before(to); {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			return out
		}
		if !end.After(t) {
			t = t.Add(time.Hour)
			continue
		}
		_, before := end.Add(-time.Second).In(loc).Zone()
		if _, after := end.In(loc).Zone(); after != before {
			out = append(out, end)
		}
		t = end
	}
	return out
}

// TestSendAtSweepsEveryZonesChanges sends the daily, weekly (Sunday start)
// and monthly (daysAfter 5) digests of the periods around every offset
// change of every zone in 2026–2028, at send times in and around the small
// hours where changes happen, and checks each SendAt: never before its
// period ends, at most a day and a few hours after the send day begins,
// and at the wall time asked for whenever that time exists that day.
func TestSendAtSweepsEveryZonesChanges(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)
	ats := []string{"00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "08:00", "23:30"}
	type digest struct {
		spec      func(*time.Location) period.Spec
		daysAfter int
		around    int // how many periods to check either side of a change
	}
	digests := []digest{
		{func(l *time.Location) period.Spec { return period.Spec{Kind: period.Day, Location: l} }, 0, 2},
		{func(l *time.Location) period.Spec {
			return period.Spec{Kind: period.Week, WeekStart: time.Sunday, Location: l}
		}, 0, 2},
		{func(l *time.Location) period.Spec { return period.Spec{Kind: period.Month, Location: l} }, 5, 1},
	}
	changes, failures := 0, 0
	for name, loc := range allZones(t) {
		for _, tr := range transitions(loc, from, to) {
			changes++
			for _, d := range digests {
				spec := d.spec(loc)
				p := spec.Prior(tr)
				for i := 0; i < d.around; i++ {
					p = p.Previous(spec)
				}
				for i := 0; i <= 2*d.around+1; i++ {
					for _, at := range ats {
						if msg := checkSendAt(p, Send{At: at, DaysAfter: d.daysAfter}); msg != "" {
							failures++
							if failures <= 20 {
								t.Errorf("%s %s period %s at %s daysAfter %d: %s", name, spec.Kind, p.Key(), at, d.daysAfter, msg)
							}
						}
					}
					p = p.Next(spec)
				}
			}
		}
	}
	if failures > 20 {
		t.Errorf("… %d failures in all", failures)
	}
	if changes < 1000 {
		t.Errorf("only %d offset changes in 2026–2028: the sweep found too few", changes)
	}
	t.Logf("%d offset changes checked", changes)
}

// checkSendAt returns what is wrong with SendAt(p, s), or "".
func checkSendAt(p period.Period, s Send) string {
	loc := p.Location
	got := SendAt(p, s)
	if got.Before(p.End) {
		return "sends at " + got.In(loc).Format(time.RFC3339) + ", before the period ends at " + p.End.In(loc).Format(time.RFC3339)
	}
	h, m, _ := clock(s.At)
	end := p.End.In(loc)
	day := time.Date(end.Year(), end.Month(), end.Day()+s.DaysAfter, 0, 0, 0, 0, loc)
	if bound := day.Add(27 * time.Hour); got.After(bound) {
		return "sends at " + got.In(loc).Format(time.RFC3339) + ", more than a day after the send day begins"
	}
	wall := time.Date(end.Year(), end.Month(), end.Day()+s.DaysAfter, h, m, 0, 0, loc)
	if w := wall.In(loc); w.Hour() == h && w.Minute() == m && w.Day() == wall.Day() {
		if g := got.In(loc); g.Hour() != h || g.Minute() != m {
			return "sends at " + g.Format(time.RFC3339) + ", not at " + s.At + " local, which exists that day"
		}
	}
	return ""
}
