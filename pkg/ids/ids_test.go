package ids_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/config"
	"reportmailer/pkg/ids"
	"reportmailer/pkg/reports"
)

var (
	from = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	to   = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
)

func client(t *testing.T, opts comm100sim.Options) *reports.Client {
	t.Helper()
	srv := httptest.NewServer(comm100sim.New(opts))
	t.Cleanup(srv.Close)
	return reports.New(reports.WithBaseURL(srv.URL), reports.WithAuth(reports.APIKey{
		SiteID: comm100sim.DefaultSiteID, Email: comm100sim.DefaultEmail, Key: comm100sim.DefaultAPIKey}))
}

func idsOf(es []comm100sim.Entity) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// TestFindEverySimulatedID scans the simulator with a config that names
// some ids, and checks every entity of the simulated site is found, the
// configured names are attached, and the YAML block names exactly the rest.
func TestFindEverySimulatedID(t *testing.T) {
	t.Parallel()
	site := comm100sim.Site(12)
	names := config.Names{
		Agents:      map[string]string{"1": "José Núñez", "2": "Zoë Brontë", "999": "Gone"},
		Departments: map[string]string{site.Departments[0].ID: "Sales"},
	}
	scan, err := ids.Find(context.Background(), client(t, comm100sim.Options{Agents: 12}), names, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(scan.Notes) != 0 {
		t.Errorf("notes on an Enterprise site: %v", scan.Notes)
	}
	want := map[ids.Kind][]comm100sim.Entity{
		ids.Agents: site.Agents, ids.Departments: site.Departments, ids.Campaigns: site.Campaigns,
		ids.VisitorSegments: site.VisitorSegments, ids.AutoInvitations: site.AutoInvitations,
		ids.CannedMessages: site.CannedMessages, ids.ConversionActions: site.ConversionActions,
	}
	for k, es := range want {
		var got []string
		for _, s := range scan.Seen[k] {
			got = append(got, s.ID)
		}
		w := idsOf(es)
		sorted := slices.Clone(got)
		slices.Sort(sorted)
		slices.Sort(w)
		if !slices.Equal(sorted, w) {
			t.Errorf("%s: seen %v, want %v", k, got, w)
		}
	}
	if a := scan.Seen[ids.Agents]; len(a) < 3 || a[0].Name != "José Núñez" || a[2].Name != "" || a[2].ID != "3" {
		t.Errorf("agents not sorted numerically or not named: %+v", a)
	}
	if m := scan.Missing(ids.Agents); len(m) != 10 || slices.Contains(m, "999") {
		t.Errorf("missing agents %v", m)
	}

	// The block is valid YAML, carries every missing id and nothing named,
	// and once merged the config names everything.
	block, err := scan.MissingYAML()
	if err != nil {
		t.Fatal(err)
	}
	var pasted struct{ Names config.Names }
	if err := yaml.Unmarshal(block, &pasted); err != nil {
		t.Fatalf("block does not parse: %v\n%s", err, block)
	}
	if _, ok := pasted.Names.Agents["1"]; ok {
		t.Errorf("block renames an agent the config already names:\n%s", block)
	}
	if got := len(pasted.Names.Agents) + len(pasted.Names.Departments) + len(pasted.Names.CannedMessages); got != 10+3+12 {
		t.Errorf("block names %d agents+departments+canned, want 25:\n%s", got, block)
	}
	merged := merge(names, pasted.Names)
	again, err := ids.Find(context.Background(), client(t, comm100sim.Options{Agents: 12}), merged, from, to)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ids.Kinds {
		if m := again.Missing(k); len(m) != 0 {
			t.Errorf("after pasting, %s still missing %v", k, m)
		}
	}
	if b, _ := again.MissingYAML(); b != nil {
		t.Errorf("nothing missing, yet a block:\n%s", b)
	}

	var out bytes.Buffer
	if err := scan.WriteReport(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"agents: 12 seen, 10 not named", "José Núñez", "(not named)", "2026-10-01 to 2026-11-01"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func merge(a, b config.Names) config.Names {
	m := func(x, y map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range x {
			out[k] = v
		}
		for k, v := range y {
			out[k] = v
		}
		return out
	}
	return config.Names{
		Agents: m(a.Agents, b.Agents), Departments: m(a.Departments, b.Departments), Campaigns: m(a.Campaigns, b.Campaigns),
		VisitorSegments: m(a.VisitorSegments, b.VisitorSegments), AutoInvitations: m(a.AutoInvitations, b.AutoInvitations),
		CannedMessages: m(a.CannedMessages, b.CannedMessages), ConversionActions: m(a.ConversionActions, b.ConversionActions),
	}
}

// On the Business edition the Enterprise-only reports answer 403: the
// scan notes it and still lists what the other reports carry.
func TestBusinessEditionNotes(t *testing.T) {
	t.Parallel()
	scan, err := ids.Find(context.Background(), client(t, comm100sim.Options{Edition: reports.Business}), config.Names{}, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(scan.Seen[ids.Agents]) != 20 || len(scan.Seen[ids.CannedMessages]) == 0 {
		t.Errorf("agents %d, canned %d", len(scan.Seen[ids.Agents]), len(scan.Seen[ids.CannedMessages]))
	}
	joined := strings.Join(scan.Notes, "\n")
	for _, want := range []string{"autoInvitations: autoInvitation not read (not-in-edition)", "conversionActions: conversions not read (not-in-edition)"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes lack %q: %v", want, scan.Notes)
		}
	}
}

// Wrong credentials stop the scan at once instead of nine notes.
func TestUnauthorizedFails(t *testing.T) {
	t.Parallel()
	c := client(t, comm100sim.Options{APIKey: "other"})
	if _, err := ids.Find(context.Background(), c, config.Names{}, from, to); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("err = %v", err)
	}
}
