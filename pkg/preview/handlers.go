package preview

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"reportmailer/pkg/digest"
	"reportmailer/pkg/render"
)

//go:embed page/*.tmpl
var pageFS embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{"join": strings.Join}).ParseFS(pageFS, "page/*.tmpl"))

// Handler serves the index, the digest pages, their parts and the reload events.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /d/{id}", s.digestPage)
	mux.HandleFunc("GET /d/{id}/mail.html", s.part(func(w http.ResponseWriter, r *http.Request, gen int, res *digest.Result) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		out, c := copyOf(res, r)
		fmt.Fprint(w, mailHTML(out, r.PathValue("id"), gen, c))
	}))
	mux.HandleFunc("GET /d/{id}/mail.txt", s.part(func(w http.ResponseWriter, r *http.Request, _ int, res *digest.Result) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		out, _ := copyOf(res, r)
		fmt.Fprint(w, out.Text)
	}))
	mux.HandleFunc("GET /d/{id}/digest.pdf", s.part(func(w http.ResponseWriter, r *http.Request, _ int, res *digest.Result) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", res.BaseName+".pdf"))
		out, _ := copyOf(res, r)
		_, _ = w.Write(out.PDF)
	}))
	mux.HandleFunc("GET /d/{id}/cid/{cid}", s.part(func(w http.ResponseWriter, r *http.Request, _ int, res *digest.Result) {
		out, _ := copyOf(res, r)
		for _, img := range out.Images {
			if img.CID == r.PathValue("cid") {
				w.Header().Set("Content-Type", "image/png")
				_, _ = w.Write(img.PNG)
				return
			}
		}
		http.NotFound(w, r)
	}))
	mux.HandleFunc("GET /events", s.events)
	return s.hostGuard(noStore(mux))
}

// hostGuard answers 403 to a request whose Host header is not this
// server's. A page on any site the user has open can resolve a name it
// controls to 127.0.0.1 (DNS rebinding) and then read the preview, real
// Comm100 figures included, as its own origin; the browser still sends
// that name as Host, so checking it closes the hole.
func (s *Server) hostGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowHost(s.opts.Addr, r.Host) {
			http.Error(w, fmt.Sprintf("403: the preview answers only localhost, 127.0.0.1, [::1] and its --addr, not Host %q (a guard against DNS rebinding)", r.Host), http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// allowHost reports whether host (a Host header) names the server
// listening on addr: localhost, 127.0.0.1 or ::1, or addr's own host, on
// addr's port. Listening on every interface (0.0.0.0, ::, or no host),
// any IP literal is allowed too: a rebinding page's origin is a name, never
// the machine's address. An empty addr (tests) allows the loopback names on
// any port.
func allowHost(addr, host string) bool {
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		name, port = strings.Trim(host, "[]"), "80" // no port: the default
	}
	name = strings.ToLower(name)
	listenHost, listenPort, _ := net.SplitHostPort(addr)
	if addr != "" && listenPort != "0" && port != listenPort {
		return false
	}
	switch name {
	case "localhost", "127.0.0.1", "::1":
		return true
	case "":
		return false
	}
	if addr == "" {
		return false
	}
	if ip := net.ParseIP(listenHost); listenHost == "" || ip != nil && ip.IsUnspecified() {
		return net.ParseIP(name) != nil
	}
	return strings.EqualFold(name, listenHost)
}

// noStore keeps the browser from showing a stale render after a reload.
func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// mailHTML is the HTML body as sent, with each cid: image pointed at this
// server instead (only here: the mail itself keeps cid: references).
func mailHTML(out *render.Output, id string, gen, copy int) string {
	html := out.HTML
	for _, img := range out.Images {
		u := fmt.Sprintf("/d/%s/cid/%s?g=%d&copy=%d", url.PathEscape(id), url.PathEscape(img.CID), gen, copy)
		html = strings.ReplaceAll(html, "cid:"+img.CID, u)
	}
	return html
}

// copyOf is the copy of the digest the request's ?copy= names (an index
// into Result.Copies: the unfiltered one, then each audience member's),
// by default the first.
func copyOf(res *digest.Result, r *http.Request) (*render.Output, int) {
	i, err := strconv.Atoi(r.URL.Query().Get("copy"))
	if err != nil || i < 0 || i >= len(res.Copies) || res.Copies[i].Output == nil {
		return res.Output, 0
	}
	return res.Copies[i].Output, i
}

// copyLink is one copy of a digest in the page's list of copies.
type copyLink struct {
	Index   int
	Label   string
	Current bool
}

// copyLinks lists a digest's copies when it has more than one.
func copyLinks(res *digest.Result, current int) []copyLink {
	if len(res.Copies) < 2 {
		return nil
	}
	var out []copyLink
	for i, c := range res.Copies {
		label := "Unfiltered (to, cc, bcc)"
		if c.Filter != "" {
			label = c.Filter + ": " + cmp.Or(c.Label, c.Value)
		}
		out = append(out, copyLink{Index: i, Label: label, Current: i == current})
	}
	return out
}

// part serves one part of a digest's current render.
func (s *Server) part(serve func(w http.ResponseWriter, r *http.Request, gen int, res *digest.Result)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		st := s.current()
		if st.err != nil {
			http.Error(w, "the configuration has problems: see the page", http.StatusConflict)
			return
		}
		if _, err := st.app.Config.Digest(id); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		rr := s.render(context.WithoutCancel(r.Context()), st, id)
		if rr.res == nil || rr.res.Output == nil {
			http.Error(w, "this digest did not render: see the page", http.StatusConflict)
			return
		}
		serve(w, r, st.gen, rr.res)
	}
}

type digestLink struct {
	ID, Title, Period, Timezone string
	Reports                     int
	Formats                     string
	NextSend, NextIn            string
	Current                     bool
}

type pageData struct {
	Gen      int
	Source   string
	Problems []string
	Digests  []digestLink
	// The digest page's fields.
	ID, Title, Subject, Period, View string
	Failed                           []string
	Warning                          string
	Text                             string
	Took                             string
	Missing                          bool
	// Copies lists an audience digest's copies; Copy is the one shown.
	Copies []copyLink
	Copy   int
}

func (s *Server) base(st *state, current string) pageData {
	p := pageData{Gen: st.gen, Source: s.opts.Source}
	if st.err != nil {
		p.Problems = problems(st.err)
		return p
	}
	now := s.opts.Now()
	for i := range st.app.Config.Digests {
		d := &st.app.Config.Digests[i]
		l := digestLink{ID: d.ID, Title: d.Title, Period: d.Period, Timezone: d.Timezone, Reports: len(d.Reports),
			Formats: strings.Join(d.Formats, ", "), Current: d.ID == current}
		if t, err := nextSend(d, now); err != nil {
			l.NextSend = err.Error()
		} else {
			l.NextSend, l.NextIn = t.Format("Mon 2 Jan 2006 15:04 MST"), until(t, now)
		}
		p.Digests = append(p.Digests, l)
	}
	return p
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	st := s.current()
	s.page(w, "index.html.tmpl", s.base(st, ""))
}

func (s *Server) digestPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	st := s.current()
	p := s.base(st, id)
	p.ID, p.View = id, r.URL.Query().Get("view")
	switch p.View {
	case "pdf", "text":
	default:
		p.View = "mail"
	}
	if st.err == nil {
		d, err := st.app.Config.Digest(id)
		if err != nil {
			p.Missing = true
		} else {
			p.Title = d.Title
			rr := s.render(context.WithoutCancel(r.Context()), st, id)
			p.Took = describe(rr.took)
			switch {
			case rr.res == nil || rr.res.Output == nil:
				p.Problems = []string{rr.errText()}
			default:
				p.Subject = digest.Subject(d, rr.res.Period)
				p.Period = rr.res.Period.Key() + " – " + rr.res.Period.LastDay() + " (" + d.Timezone + ")"
				out, c := copyOf(rr.res, r)
				p.Failed, p.Text, p.Copy, p.Copies = rr.res.Failed, out.Text, c, copyLinks(rr.res, c)
				if rr.err != nil {
					p.Warning = rr.err.Error()
				}
			}
		}
	}
	s.page(w, "digest.html.tmpl", p)
}

func (r *result) errText() string {
	if r.err == nil {
		return "the digest did not render"
	}
	return r.err.Error()
}

func (s *Server) page(w http.ResponseWriter, name string, p pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pages.ExecuteTemplate(w, name, p); err != nil {
		s.log.Error("preview page", "page", name, "error", err.Error())
	}
}

// events streams each new generation's number to the page (server-sent
// events). The current one goes first, so a page that missed a change
// while reconnecting still notices it.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	ch, cancel := s.subscribe()
	defer cancel()
	send := func(gen int) bool {
		if _, err := fmt.Fprintf(w, "event: gen\ndata: %d\n\n", gen); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(s.current().gen) {
		return
	}
	keepAlive := time.NewTicker(20 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case gen := <-ch:
			if !send(gen) {
				return
			}
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}
