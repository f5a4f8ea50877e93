package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"reportmailer/internal/comm100sim"
)

// cliEnv points the CLI at comm100 (a Comm100 API) and ses (an SES API),
// with nothing else from the machine's environment.
func cliEnv(t *testing.T, comm100, ses string) {
	t.Helper()
	for k, v := range comm100sim.ClientEnv(comm100) {
		t.Setenv(k, v)
	}
	for _, k := range []string{"TABLE_NAME", "CONFIG_SSM_PARAMETER", "CONFIG_S3_URI", "CONFIG_FILE", "COMM100_SECRET_ARN", "ARCHIVE_BUCKET",
		"MAIL_FROM", "DIGEST_TO", "ALERT_TO", "LINKS_BASE_URL", "LINK_SIGNING_KEY_ARN", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_ENDPOINT_URL", ses)
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
}

// rejectingSES answers every SES call as a sandboxed account answers a
// send from an unverified sender: MessageRejected, for good.
func rejectingSES(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", "MessageRejected")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"Email address is not verified. The following identities failed the check: reports@example.com"}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// refusingComm100 answers every report call 403, as a site whose
// edition or key reads none of them.
func refusingComm100(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"message":"forbidden"}`, http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// acceptingSES answers every send as SES does when it takes the message.
func acceptingSES(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"MessageId":"0100-test"}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func simulator(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(comm100sim.New(comm100sim.Options{}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// A command that did not do its job exits non-zero and says why on
// stderr; the same command that did exits 0.
func TestCommandsThatFailExitNonZero(t *testing.T) {
	example, err := filepath.Abs("../../reportmailer.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		comm100 func(*testing.T) string
		args    []string
		why     string // on stderr
	}{
		{"every test copy rejected", simulator,
			[]string{"digest", "--config", example, "--digest", "weekly-managers", "--period-start", "2026-11-16", "--test-to", "me@example.com"},
			"no test copy was sent"},
		{"every test copy of an audience rejected", simulator,
			[]string{"digest", "--config", example, "--digest", "weekly-teams", "--period-start", "2026-11-16", "--test-to", "me@example.com"},
			"MessageRejected"},
		{"every ids call failing", refusingComm100,
			[]string{"ids", "--config", example, "--since", "2026-10-01"},
			"no report could be read"},
		{"alert poll failing", refusingComm100,
			[]string{"alert", "--config", example, "--send"},
			"the poll failed"},
		{"alert dry run with its poll failing", refusingComm100,
			[]string{"alert", "--config", example},
			"the poll failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cliEnv(t, tc.comm100(t), rejectingSES(t))
			t.Chdir(t.TempDir()) // --out's default directory
			code, out, errOut := capture(t, tc.args...)
			if code == 0 || !strings.Contains(errOut, tc.why) {
				t.Errorf("exit %d, want non-zero with %q on stderr\nstdout:\n%s\nstderr:\n%s", code, tc.why, out, errOut)
			}
		})
	}
	for _, args := range [][]string{
		{"digest", "--config", example, "--digest", "weekly-teams", "--period-start", "2026-11-16", "--test-to", "me@example.com"},
		{"alert", "--config", example, "--send"},
	} {
		t.Run("done: "+args[0], func(t *testing.T) {
			cliEnv(t, simulator(t), acceptingSES(t))
			t.Chdir(t.TempDir())
			if code, out, errOut := capture(t, args...); code != 0 {
				t.Errorf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
		})
	}
}
