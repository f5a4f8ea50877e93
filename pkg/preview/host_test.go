package preview

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A web page the user has open can point a name it controls at 127.0.0.1
// (DNS rebinding) and read the preview, real Comm100 figures included, as
// its own origin. The browser still sends that name as Host: only the
// loopback names and the configured address, on the listening port, are
// answered.
func TestPreviewAnswersOnlyItsOwnHostNames(t *testing.T) {
	for _, tc := range []struct {
		addr, host string
		ok         bool
	}{
		{"127.0.0.1:8080", "127.0.0.1:8080", true},
		{"127.0.0.1:8080", "localhost:8080", true},
		{"127.0.0.1:8080", "LocalHost:8080", true},
		{"127.0.0.1:8080", "[::1]:8080", true},
		{"127.0.0.1:8080", "evil.example:8080", false},
		{"127.0.0.1:8080", "127.0.0.1.evil.example:8080", false},
		{"127.0.0.1:8080", "localhost.evil.example:8080", false},
		{"127.0.0.1:8080", "localhost:9999", false}, // another port: not this server's page
		{"127.0.0.1:8080", "localhost", false},
		{"127.0.0.1:8080", "", false},
		{"myhost.lan:8080", "myhost.lan:8080", true},
		{"myhost.lan:8080", "MYHOST.LAN:8080", true},
		{"myhost.lan:8080", "otherhost.lan:8080", false},
		{"127.0.0.1:80", "localhost", true},
		// Listening on every interface, a reader uses the machine's
		// address, which a rebinding page cannot make its origin.
		{"0.0.0.0:8080", "192.168.1.5:8080", true},
		{"0.0.0.0:8080", "[fe80::1]:8080", true},
		{":8080", "10.0.0.2:8080", true},
		{"0.0.0.0:8080", "evil.example:8080", false},
		{"192.168.1.5:8080", "10.0.0.2:8080", false},
	} {
		t.Run(tc.addr+" "+tc.host, func(t *testing.T) {
			s := New(Options{Addr: tc.addr})
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Host = tc.host
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if got := rec.Code != http.StatusForbidden; got != tc.ok {
				t.Errorf("Host %q on %s: status %d, want allowed=%v", tc.host, tc.addr, rec.Code, tc.ok)
			}
			if !tc.ok && !strings.Contains(rec.Body.String(), "DNS rebinding") {
				t.Errorf("the 403 does not say why: %q", rec.Body.String())
			}
		})
	}
}

// Through a real listener: the page answers its own address and refuses
// the same connection under another name.
func TestPreviewRefusesARebindingHostOverHTTP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Addr: ln.Addr().String()})
	web := httptest.NewUnstartedServer(s.Handler())
	web.Listener.Close()
	web.Listener = ln
	web.Start()
	defer web.Close()
	for host, want := range map[string]int{web.Listener.Addr().String(): http.StatusOK, "attacker.example:" + strings.Split(web.Listener.Addr().String(), ":")[1]: http.StatusForbidden} {
		req, _ := http.NewRequest(http.MethodGet, web.URL+"/", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: status %d, want %d", host, resp.StatusCode, want)
		}
	}
}
