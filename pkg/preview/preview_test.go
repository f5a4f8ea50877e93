package preview

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/config"
	"reportmailer/templates"
)

const exampleConfig = "../../reportmailer.example.yaml"

// fixedNow is a Wednesday: the weekly example covers Mon 16 – Sun 22 Nov.
var fixedNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// copyConfig puts a copy of the example config in a fresh directory (the
// watcher watches the directory) and returns its path.
func copyConfig(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "reportmailer.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// newServer returns a preview Server for the config at path, reading the
// built-in simulator, and an httptest server serving its pages.
func newServer(t testing.TB, path string, mod func(*Options)) (*Server, *httptest.Server) {
	t.Helper()
	sim := httptest.NewServer(comm100sim.New(comm100sim.Options{Seed: 1}))
	t.Cleanup(sim.Close)
	env := comm100sim.ClientEnv(sim.URL)
	getenv := func(k string) string { return env[k] } // nothing else: no AWS
	opts := Options{ConfigPath: path, Source: "simulator", Now: func() time.Time { return fixedNow }, Debounce: 20 * time.Millisecond,
		Load: func(ctx context.Context) (*appenv.App, error) {
			return appenv.Load(ctx, appenv.Options{ConfigPath: path, Getenv: getenv})
		}}
	if mod != nil {
		mod(&opts)
	}
	s := New(opts)
	web := httptest.NewServer(s.Handler())
	t.Cleanup(web.Close)
	t.Cleanup(s.Close) // first: a page's event stream would keep web.Close waiting
	return s, web
}

func get(t testing.TB, url string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

func editConfig(t testing.TB, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("config has no %q", old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIndexListsDigestsWithNextSend(t *testing.T) {
	s, web := newServer(t, copyConfig(t), nil)
	s.Reload(context.Background())
	code, _, body := get(t, web.URL+"/")
	if code != http.StatusOK {
		t.Fatalf("GET / = %d", code)
	}
	for _, want := range []string{
		`href="/d/weekly-managers"`, "Weekly chat digest", "Mon 30 Nov 2026 08:00 GMT", // send.at 08:00 after the week, London
		`href="/d/daily-sales"`, "Wed 25 Nov 2026 07:30 EST", // 07:30 this morning for yesterday, New York
		`href="/d/monthly-board"`, "Wed 2 Dec 2026 09:00 AEDT", // 09:00 on the 2nd (daysAfter 1), Sydney
	} {
		if !strings.Contains(body, want) {
			t.Errorf("index lacks %q", want)
		}
	}
}

func TestNextSend(t *testing.T) {
	tests := []struct {
		name, period, tz string
		now              time.Time
		want             string
	}{
		{"week, Monday start, default 08:00", "week", "Europe/London", fixedNow, "2026-11-30T08:00:00Z"},
		{"week across the spring DST change", "week", "Europe/London", time.Date(2026, 3, 25, 12, 0, 0, 0, time.UTC), "2026-03-30T08:00:00+01:00"},
		{"day: tomorrow morning for today", "day", "America/New_York", time.Date(2026, 11, 26, 4, 59, 0, 0, time.UTC), "2026-11-26T08:00:00-05:00"},
		{"month", "month", "Australia/Sydney", fixedNow, "2026-12-01T08:00:00+11:00"},
		{"month, just after its send", "month", "UTC", time.Date(2026, 12, 1, 8, 0, 1, 0, time.UTC), "2027-01-01T08:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := nextSend(&config.Digest{Period: tc.period, WeekStart: "monday", Timezone: tc.tz}, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if s := got.Format(time.RFC3339); s != tc.want {
				t.Errorf("nextSend = %s, want %s", s, tc.want)
			}
		})
	}
}

func TestDigestPageAndParts(t *testing.T) {
	s, web := newServer(t, copyConfig(t), nil)
	s.Reload(context.Background())
	code, _, page := get(t, web.URL+"/d/weekly-managers")
	if code != http.StatusOK || !strings.Contains(page, `<h1 id="title">Weekly chat digest</h1>`) ||
		!strings.Contains(page, "Weekly chat digest — Mon 16 – Sun 22 Nov 2026") {
		t.Fatalf("digest page (%d) lacks the title or the subject:\n%s", code, page)
	}
	for _, frame := range []string{`id="desktop" width="640"`, `id="phone" width="375"`} {
		if !strings.Contains(page, frame) {
			t.Errorf("mail view lacks %s", frame)
		}
	}

	_, ctype, html := get(t, web.URL+"/d/weekly-managers/mail.html")
	if !strings.HasPrefix(ctype, "text/html") || strings.Contains(html, "cid:") {
		t.Fatalf("mail.html (%s) still refers to cid: images", ctype)
	}
	srcs := regexp.MustCompile(`src="(/d/weekly-managers/cid/[^"]+)"`).FindAllStringSubmatch(html, -1)
	if len(srcs) < 10 {
		t.Fatalf("mail.html has %d served images, want one per chart", len(srcs))
	}
	for _, m := range srcs[:3] {
		if code, ctype, png := get(t, web.URL+m[1]); code != http.StatusOK || ctype != "image/png" || !strings.HasPrefix(png, "\x89PNG") {
			t.Errorf("GET %s = %d %s", m[1], code, ctype)
		}
	}
	if code, ctype, pdf := get(t, web.URL+"/d/weekly-managers/digest.pdf"); code != http.StatusOK || ctype != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") {
		t.Errorf("digest.pdf = %d %s", code, ctype)
	}
	if _, _, text := get(t, web.URL+"/d/weekly-managers/mail.txt"); !strings.Contains(text, "Weekly chat digest") {
		t.Errorf("mail.txt lacks the title:\n%.300s", text)
	}
	if _, _, page := get(t, web.URL+"/d/weekly-managers?view=text"); !strings.Contains(page, `<pre class="text" id="text">`) {
		t.Error("text view has no text part")
	}
	if _, _, page := get(t, web.URL+"/d/weekly-managers?view=pdf"); !strings.Contains(page, `src="/d/weekly-managers/digest.pdf?g=1"`) {
		t.Error("PDF view does not embed the PDF")
	}
	if code, _, page := get(t, web.URL+"/d/no-such-digest"); code != http.StatusOK || !strings.Contains(page, "No digest “no-such-digest”") {
		t.Errorf("unknown digest page (%d) does not say so", code)
	}
}

func TestInvalidConfigShowsPathQualifiedProblems(t *testing.T) {
	path := copyConfig(t)
	s, web := newServer(t, path, nil)
	editConfig(t, path, "period: week ", "period: fortnight ")
	editConfig(t, path, "timezone: America/New_York", "timezone: Mars/Olympus")
	s.Reload(context.Background())
	for _, url := range []string{"/", "/d/weekly-managers"} {
		_, _, page := get(t, web.URL+url)
		for _, want := range []string{`id="problems"`, "digests[0].period: &#34;fortnight&#34;", "digests[1].timezone"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %q:\n%s", url, want, page)
			}
		}
	}
	if code, _, _ := get(t, web.URL+"/d/weekly-managers/mail.html"); code != http.StatusConflict {
		t.Errorf("mail.html with a broken config = %d, want 409", code)
	}
}

// TestWatchPublishesEachSave drives the watcher: a save makes one new
// generation, published to subscribers, carrying the edit.
func TestWatchPublishesEachSave(t *testing.T) {
	path := copyConfig(t)
	s, _ := newServer(t, path, nil)
	s.View("daily-sales")
	s.Reload(context.Background())
	ch, cancel := s.subscribe()
	defer cancel()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	if err := s.Watch(ctx); err != nil {
		t.Fatal(err)
	}
	title := "Sales desk — edited"
	editConfig(t, path, "title: Sales desk — yesterday", "title: "+title)
	gen := <-ch
	st := s.current()
	if st.gen != gen || st.err != nil {
		t.Fatalf("published generation %d, current %d (err %v)", gen, st.gen, st.err)
	}
	st.mu.Lock()
	r := st.renders["daily-sales"]
	st.mu.Unlock()
	if r == nil || r.res == nil || r.res.Digest.Title != title {
		t.Fatalf("the viewed digest was not re-rendered with the new title: %+v", r)
	}
}

func TestTemplatesDir(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"digest.html.tmpl", "digest.txt.tmpl"} {
		data, err := templates.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if name == "digest.html.tmpl" {
			data = []byte(strings.Replace(string(data), "<h1 ", `<h1 data-edited="yes" `, 1))
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, web := newServer(t, copyConfig(t), func(o *Options) { o.TemplatesDir = dir })
	s.Reload(context.Background())
	if _, _, html := get(t, web.URL+"/d/daily-sales/mail.html"); !strings.Contains(html, `data-edited="yes"`) {
		t.Fatal("the mail was not rendered from the templates directory")
	}
	if err := os.WriteFile(filepath.Join(dir, "digest.html.tmpl"), []byte("{{.Title"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.Reload(context.Background())
	if _, _, page := get(t, web.URL+"/d/daily-sales"); !strings.Contains(page, `id="problems"`) || !strings.Contains(page, "digest.html.tmpl") {
		t.Errorf("a broken template is not shown on the page:\n%s", page)
	}
}

// TestReloadReusesUntouchedDigests: a save re-renders only the open
// digests it changed; the others keep their render.
func TestReloadReusesUntouchedDigests(t *testing.T) {
	path := copyConfig(t)
	s, _ := newServer(t, path, nil)
	s.View("daily-sales")
	s.View("monthly-board")
	ctx := context.Background()
	s.Reload(ctx)
	renders := func() (daily, monthly *result) {
		st := s.current()
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.renders["daily-sales"], st.renders["monthly-board"]
	}
	daily1, monthly1 := renders()
	if daily1 == nil || monthly1 == nil || daily1.err != nil || monthly1.err != nil {
		t.Fatalf("first renders: %+v %+v", daily1, monthly1)
	}
	editConfig(t, path, "title: Sales desk — yesterday", "title: Sales desk — edited")
	s.Reload(ctx)
	daily2, monthly2 := renders()
	if daily2 == daily1 || daily2.res.Digest.Title != "Sales desk — edited" {
		t.Error("the edited digest was not rendered again")
	}
	if monthly2 != monthly1 {
		t.Error("the untouched digest was rendered again")
	}
	editConfig(t, path, `"1": José Núñez`, `"1": José N.`) // names are shared by every digest
	s.Reload(ctx)
	if daily3, monthly3 := renders(); daily3 == daily2 || monthly3 == monthly2 {
		t.Error("a change to the shared names did not re-render every digest")
	}
}

// TestAudienceCopies: an audience digest's page lists every copy (the
// members by name), and each copy's mail, text and PDF are its own.
func TestAudienceCopies(t *testing.T) {
	s, web := newServer(t, copyConfig(t), nil)
	s.Reload(context.Background())
	_, _, page := get(t, web.URL+"/d/weekly-teams")
	for _, member := range []string{"department: Sales", "department: Support", "department: Billing", "department: Onboarding"} {
		if !strings.Contains(page, member) {
			t.Errorf("the page does not list the copy %q", member)
		}
	}
	if !strings.Contains(page, `src="/d/weekly-teams/mail.html?g=1&amp;copy=0"`) {
		t.Error("the mail view does not show the first copy")
	}
	_, _, first := get(t, web.URL+"/d/weekly-teams/mail.txt?copy=0")
	_, _, billing := get(t, web.URL+"/d/weekly-teams/mail.txt?copy=2")
	if first == billing || !strings.Contains(billing, "Billing") {
		t.Errorf("copy 2's text part is not Billing's:\n%.300s", billing)
	}
	_, _, page = get(t, web.URL+"/d/weekly-teams?view=mail&copy=2")
	if !strings.Contains(page, `src="/d/weekly-teams/mail.html?g=1&amp;copy=2"`) || !strings.Contains(page, `class="on">department: Billing`) {
		t.Error("the page for copy 2 does not show Billing's copy")
	}
	_, _, html := get(t, web.URL+"/d/weekly-teams/mail.html?copy=2")
	if !strings.Contains(html, "/cid/") || !strings.Contains(html, "copy=2") {
		t.Error("copy 2's mail does not serve its own images")
	}
}
