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
	"reportmailer/pkg/reports"
)

type faultFlags []comm100sim.Fault

func (f *faultFlags) String() string { return fmt.Sprint(len(*f)) }

func (f *faultFlags) Set(s string) error {
	fault, err := comm100sim.ParseFault(s)
	if err != nil {
		return err
	}
	*f = append(*f, fault)
	return nil
}

func runSimulate(ctx context.Context, args []string) error {
	fs := newFlagSet("simulate")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	var opts comm100sim.Options
	fs.StringVar(&opts.SiteID, "site-id", comm100sim.DefaultSiteID, "site id the API key belongs to")
	fs.StringVar(&opts.Email, "email", comm100sim.DefaultEmail, "Basic auth user (agent email)")
	fs.StringVar(&opts.APIKey, "api-key", comm100sim.DefaultAPIKey, "Basic auth password (API key)")
	fs.Uint64Var(&opts.Seed, "seed", 1, "data seed: the same seed gives the same numbers")
	fs.IntVar(&opts.Agents, "agents", comm100sim.DefaultAgents, fmt.Sprintf("number of agents (1-%d); the first 20 are the same at any size", comm100sim.MaxAgents))
	fs.IntVar(&opts.Departments, "departments", comm100sim.DefaultDepartments, fmt.Sprintf("number of departments (1-%d)", comm100sim.MaxDepartments))
	edition := fs.String("edition", "enterprise", "enterprise, or business (Enterprise-only reports answer 403)")
	script := fs.String("script", "", "real-time script: 'surge' (a Sales queue builds to 15 and drains) or 'week' (a week of minutes from "+comm100sim.WeekStart.Format(time.DateOnly)+": day/week pattern, surges, an outage)")
	step := fs.Duration("script-step", 0, "advance the script on this interval (default: one step per realtime/queue call)")
	var faults faultFlags
	fs.Var(&faults, "fault", "inject a fault, REPORT:knob=value,… (repeatable), e.g. chatVolume:status=500,times=2 or *:latency=300ms")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if opts.Agents < 1 || opts.Agents > comm100sim.MaxAgents {
		return fmt.Errorf("-agents %d: want 1 to %d", opts.Agents, comm100sim.MaxAgents)
	}
	if opts.Departments < 1 || opts.Departments > comm100sim.MaxDepartments {
		return fmt.Errorf("-departments %d: want 1 to %d", opts.Departments, comm100sim.MaxDepartments)
	}
	switch *edition {
	case "enterprise", "business":
		opts.Edition = reports.Edition(*edition)
	default:
		return fmt.Errorf("-edition %q: want enterprise or business", *edition)
	}
	sim := comm100sim.New(opts)
	for _, f := range faults {
		sim.AddFault(f)
	}
	if *script != "" {
		steps := comm100sim.SurgeScript()
		switch *script {
		case "surge":
		case "week":
			steps = comm100sim.WeekScript()
		default:
			return fmt.Errorf("-script %q: the built-in scripts are 'surge' and 'week'", *script)
		}
		sc := comm100sim.NewScript(steps, *step == 0)
		sim.SetScript(sc)
		if *step > 0 {
			go func() {
				t := time.NewTicker(*step)
				defer t.Stop()
				for i := 1; ; i++ {
					select {
					case <-ctx.Done():
						return
					case <-t.C:
						sc.Step(i)
					}
				}
			}()
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	log.Info("comm100 simulator listening", "url", "http://"+ln.Addr().String(), "site", opts.SiteID,
		"email", opts.Email, "edition", opts.Edition, "agents", opts.Agents, "departments", opts.Departments, "faults", len(faults), "script", *script)
	fmt.Fprintf(os.Stderr, "try: curl -u %s:%s 'http://%s/api/v3/livechat/reports/chatVolume?siteId=%s&timeFrom=2026-11-16T00:00:00&timeTo=2026-11-23T00:00:00&group=day'\n",
		opts.Email, strings.Repeat("*", len(opts.APIKey)), ln.Addr(), opts.SiteID)
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
