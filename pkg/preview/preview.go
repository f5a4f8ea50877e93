// Package preview serves a config's digests on a local web page while the
// config and templates are edited: the HTML mail as it will arrive (its
// cid: images served alongside), the PDF and the text part, at desktop and
// phone widths. It watches the files, re-renders off the request path and
// tells open pages to reload over server-sent events. A config that does
// not validate shows its problems, path by path, instead of the digest.
//
// Rendering goes through digest.Run, exactly as the Lambda renders, with
// nothing sent, logged or archived.
package preview

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"

	"reportmailer/pkg/appenv"
	"reportmailer/pkg/config"
	"reportmailer/pkg/digest"
	"reportmailer/pkg/render"
)

// Options configure a Server.
type Options struct {
	// ConfigPath is the YAML file to watch; Load reads it.
	ConfigPath string
	// Load builds the app from the config file. It is called again after
	// every change, so it must read the file each time.
	Load func(ctx context.Context) (*appenv.App, error)
	// TemplatesDir, when set, is read for digest.html.tmpl and
	// digest.txt.tmpl instead of the embedded templates, and watched.
	TemplatesDir string
	// Source says where the data comes from, for the page ("simulator").
	Source string
	// Now is the clock (default time.Now): the preview renders the prior
	// period before now, as a run at this moment would.
	Now func() time.Time
	// Debounce coalesces bursts of file events (default 100 ms).
	Debounce time.Duration
	Logger   *slog.Logger
	// Addr is the address the server listens on, as configured (host and
	// port). Requests are answered only for the loopback names and this
	// host, on this port (see allowHost).
	Addr string
}

// Server renders digests on change and serves them. Create it with New.
type Server struct {
	opts    Options
	log     *slog.Logger
	fetches *fetchCache

	reloadMu sync.Mutex // one Reload at a time

	mu     sync.Mutex
	cur    *state
	viewed map[string]bool // digests a page has asked for: re-rendered on change
	subs   map[chan int]struct{}

	closeOnce sync.Once
	done      chan struct{} // closed by Close: ends the event streams
}

// state is one generation: a loaded config (or the error loading it) and
// the renders made from it. A new generation replaces it whole.
type state struct {
	gen     int
	app     *appenv.App
	fetcher digest.Fetcher // app.Reports behind the session's cache
	err     error          // config or template error: shown instead of any digest
	tmpl    []byte         // the templates read from TemplatesDir, if any
	// templates are those parsed from TemplatesDir (nil: the embedded ones).
	templates *render.Templates

	mu      sync.Mutex
	renders map[string]*result
}

// result is one digest's render.
type result struct {
	res  *digest.Result
	err  error
	took time.Duration
	// inputs fingerprints everything the render read: a later generation
	// with the same inputs reuses it instead of rendering again.
	inputs string
}

// errNotLoaded is the state before the first Reload.
var errNotLoaded = errors.New("the configuration is still loading")

// New returns a Server; call Reload before serving, and Watch to follow edits.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Debounce == 0 {
		opts.Debounce = 100 * time.Millisecond
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{opts: opts, log: log, fetches: newFetchCache(), viewed: map[string]bool{},
		subs: map[chan int]struct{}{}, cur: &state{err: errNotLoaded, renders: map[string]*result{}}, done: make(chan struct{})}
}

// Close ends the open pages' event streams, which otherwise last as long
// as the page; call it before shutting the HTTP server down.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
}

// View marks a digest as watched: Reload renders it every time, so an open
// page reloads into a finished render.
func (s *Server) View(id string) {
	s.mu.Lock()
	s.viewed[id] = true
	s.mu.Unlock()
}

// Reload loads the config (and templates) again, renders every viewed
// digest, then publishes the new generation to open pages. It returns the
// time the whole re-render took.
func (s *Server) Reload(ctx context.Context) time.Duration {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	started := time.Now()
	s.mu.Lock()
	prev := s.cur
	st := &state{gen: s.cur.gen + 1, renders: map[string]*result{}}
	var ids []string
	for id := range s.viewed {
		ids = append(ids, id)
	}
	s.mu.Unlock()

	st.err = s.load(ctx, st)
	reused := 0
	if st.err == nil {
		var wg sync.WaitGroup
		for _, id := range ids {
			if _, err := st.app.Config.Digest(id); err != nil {
				continue // gone from the config: the page says so
			}
			if r := prev.reusable(st, id, s.opts.Now()); r != nil {
				st.mu.Lock()
				st.renders[id] = r // this save did not touch it
				st.mu.Unlock()
				reused++
				continue
			}
			wg.Add(1)
			go func() { defer wg.Done(); s.renderInto(ctx, st, id) }()
		}
		wg.Wait()
	}
	took := time.Since(started)
	s.log.Info("preview re-rendered", "generation", st.gen, "digests", len(ids), "reused", reused, "ok", st.err == nil, "elapsedMs", took.Milliseconds())
	s.publish(st)
	return took
}

func (s *Server) load(ctx context.Context, st *state) error {
	if dir := s.opts.TemplatesDir; dir != "" {
		fsys := os.DirFS(dir)
		t, err := render.LoadTemplates(fsys)
		if err != nil {
			return err
		}
		st.templates = t
		for _, name := range []string{"digest.html.tmpl", "digest.txt.tmpl"} {
			data, _ := fs.ReadFile(fsys, name)
			st.tmpl = append(st.tmpl, data...)
		}
	}
	app, err := s.opts.Load(ctx)
	if err != nil {
		return err
	}
	st.app = app
	st.fetcher = s.fetches.wrap(app.Reports, app.Config.Comm100.BaseURL+"|"+app.Config.Comm100.SiteID)
	return nil
}

func (s *Server) publish(st *state) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = st
	for ch := range s.subs {
		select {
		case <-ch: // drop a stale generation nobody read yet
		default:
		}
		ch <- st.gen
	}
}

func (s *Server) current() *state {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// render returns the digest's render in st, rendering it now if no Reload
// has (the first time a page asks for a digest).
func (s *Server) render(ctx context.Context, st *state, id string) *result {
	st.mu.Lock()
	r := st.renders[id]
	st.mu.Unlock()
	if r != nil {
		return r
	}
	s.View(id)
	return s.renderInto(ctx, st, id)
}

func (s *Server) renderInto(ctx context.Context, st *state, id string) *result {
	started := time.Now()
	app := st.app
	now := s.opts.Now()
	res, err := digest.Run(ctx, app.Config, digest.Deps{Reports: st.fetcher, Logger: app.Logger, Now: s.opts.Now, Templates: st.templates},
		digest.Request{DigestID: id, At: now})
	r := &result{res: res, err: err, took: time.Since(started), inputs: st.inputs(id, now)}
	st.mu.Lock()
	defer st.mu.Unlock()
	if prev := st.renders[id]; prev != nil {
		return prev // a concurrent request rendered it first
	}
	st.renders[id] = r
	return r
}

// inputs fingerprints what a render of digest id reads: the digest's
// config and the config it shares with other digests, the templates, and
// the time to the quarter hour (the period it covers follows the clock).
func (st *state) inputs(id string, now time.Time) string {
	d, err := st.app.Config.Digest(id)
	if err != nil {
		return ""
	}
	c := st.app.Config
	data, err := json.Marshal([]any{d, c.Names, c.Comm100, c.Mail, now.Truncate(15 * time.Minute).Unix()})
	if err != nil {
		return ""
	}
	h := sha256.New()
	h.Write(data)
	h.Write(st.tmpl)
	return hex.EncodeToString(h.Sum(nil))
}

// reusable returns st's good render of id if next would render it from the
// same inputs. A render with failed sections is never reused: the next save
// tries them again.
func (st *state) reusable(next *state, id string, now time.Time) *result {
	if st.err != nil || st.app == nil {
		return nil
	}
	st.mu.Lock()
	r := st.renders[id]
	st.mu.Unlock()
	if r == nil || r.err != nil || r.res == nil || len(r.res.Failed) > 0 || r.inputs == "" || r.inputs != next.inputs(id, now) {
		return nil
	}
	return r
}

// subscribe returns a channel that receives each new generation.
func (s *Server) subscribe() (chan int, func()) {
	ch := make(chan int, 1)
	s.mu.Lock()
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
	}
}

// problems turns a load error into lines for the page: each config
// problem with its path, or the error itself.
func problems(err error) []string {
	var ps config.Problems
	if errors.As(err, &ps) {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.String()
		}
		return out
	}
	return []string{err.Error()}
}

// Digests lists the loaded config's digest ids (none while it is invalid).
func (s *Server) Digests() []string {
	st := s.current()
	if st.app == nil {
		return nil
	}
	var ids []string
	for _, d := range st.app.Config.Digests {
		ids = append(ids, d.ID)
	}
	return ids
}

// Err is the current config or template error, if any.
func (s *Server) Err() error { return s.current().err }

func describe(took time.Duration) string {
	return fmt.Sprintf("%d ms", took.Milliseconds())
}
