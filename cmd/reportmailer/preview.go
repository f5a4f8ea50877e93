package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"reportmailer/internal/comm100sim"
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/preview"
)

// runPreview serves the config's digests on a local page that re-renders
// whenever the config or a template is saved.
func runPreview(ctx context.Context, args []string) error {
	fs := newFlagSet("preview")
	cfgPath := fs.String("config", "reportmailer.yaml", "config file to preview and watch")
	id := fs.String("digest", "", "digest to open first (default: the index of all digests)")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	tmplDir := fs.String("templates", "", "read digest.html.tmpl and digest.txt.tmpl from this directory, and watch it (default: the built-in templates)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	getenv, source, err := previewEnv(ctx)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	// Requests must name this host and the port actually bound (--addr
	// may say :0); see preview.Options.Addr.
	host, _, _ := net.SplitHostPort(*addr)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	srv := preview.New(preview.Options{
		ConfigPath: *cfgPath, TemplatesDir: *tmplDir, Source: source, Logger: logger, Addr: net.JoinHostPort(host, port),
		Load: func(ctx context.Context) (*appenv.App, error) {
			return appenv.Load(ctx, appenv.Options{ConfigPath: *cfgPath, Getenv: getenv, Logger: cliLogger()})
		},
	})
	if *id != "" {
		srv.View(*id)
	}
	if err := srv.Watch(ctx); err != nil {
		return err
	}
	srv.Reload(ctx)
	url := "http://" + ln.Addr().String() + "/"
	if *id != "" {
		url += "d/" + *id
	}
	if err := srv.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "%s does not load yet (the page shows why): %v\n", *cfgPath, err)
	}
	watched := *cfgPath
	if *tmplDir != "" {
		watched += " or a template in " + *tmplDir
	}
	fmt.Fprintf(os.Stderr, "Previewing %s (data: %s)\n  open %s\n  save %s and the page re-renders\n", *cfgPath, source, url, watched)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// previewEnv is the built-in simulator's environment, unless COMM100_* is
// set: then the real Comm100 account. A preview never sends, records or
// archives, so it never needs AWS.
func previewEnv(ctx context.Context) (func(string) string, string, error) {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "COMM100_") {
			getenv := func(k string) string {
				if k == "TABLE_NAME" || k == "ARCHIVE_BUCKET" {
					return ""
				}
				return os.Getenv(k)
			}
			return getenv, "Comm100 (COMM100_* environment)", nil
		}
	}
	url, _, err := startSimulator(ctx, comm100sim.Options{Seed: 1})
	if err != nil {
		return nil, "", err
	}
	return simulatorGetenv(url), "built-in simulator", nil
}
