// Package lambdalocal runs the real Lambda binaries the way `sam local
// invoke` does, without Docker: each function is built for the host as SAM
// builds it for the cloud, with its config beside it, and run under the AWS
// Lambda Runtime Interface Emulator on free loopback ports.
package lambdalocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"reportmailer/internal/awstest"
	"reportmailer/pkg/sendlog"
)

// RepoRoot finds the directory holding go.mod, from the working directory up.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Build compiles functions/<name> into dir/bootstrap with config beside it,
// like `make build-DigestFunction` does for SAM (but for the host's architecture).
func Build(ctx context.Context, root, name, config, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "bootstrap")
	// No -trimpath here (unlike `make build`): it would rebuild every package
	// instead of reusing the test build cache. -s -w only affects linking.
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-ldflags", "-s -w", "-o", out, "./functions/"+name)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", name, err, msg)
	}
	data, err := os.ReadFile(config)
	if err != nil {
		return "", err
	}
	return out, os.WriteFile(filepath.Join(dir, "config.yaml"), data, 0o644)
}

// FindRIE finds aws-lambda-rie on PATH or in <root>/bin (where `make tools` puts it).
func FindRIE(root string) (string, error) {
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, nil
	}
	p := filepath.Join(root, "bin", "aws-lambda-rie")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", errors.New("aws-lambda-rie not found: run `make tools` (or: GOBIN=$PWD/bin go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@latest)")
}

// RIE is a running emulator with one function.
type RIE struct {
	URL     string
	Started time.Time
	cmd     *exec.Cmd
	mu      sync.Mutex
	logs    bytes.Buffer
}

type lockedWriter struct{ r *RIE }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	return w.r.logs.Write(p)
}

// Start runs the emulator on free loopback ports with the function's
// environment (what template.yaml would give it) and waits until it listens.
func Start(rie, bootstrap string, env []string) (*RIE, error) {
	api, err := awstest.FreePort()
	if err != nil {
		return nil, err
	}
	rapid, err := awstest.FreePort()
	if err != nil {
		return nil, err
	}
	r := &RIE{URL: fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", api)}
	r.cmd = exec.Command(rie, "--runtime-interface-emulator-address", fmt.Sprintf("127.0.0.1:%d", api),
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", rapid), bootstrap)
	r.cmd.Dir = filepath.Dir(bootstrap)
	r.cmd.Env = append(append([]string{}, env...), "PATH="+os.Getenv("PATH"), "HOME="+os.Getenv("HOME"))
	r.cmd.Stdout, r.cmd.Stderr = lockedWriter{r}, lockedWriter{r}
	r.Started = time.Now()
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", api), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return r, nil
		}
		if time.Now().After(deadline) {
			r.Stop()
			return nil, fmt.Errorf("aws-lambda-rie did not listen: %v\n%s", err, r.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Invoke posts an event and returns the function's response. A function
// error (errorMessage/errorType) is returned as an error.
func (r *RIE) Invoke(ctx context.Context, payload []byte) ([]byte, time.Duration, error) {
	started := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(payload))
	if err != nil {
		return nil, 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	elapsed := time.Since(started)
	if err != nil {
		return nil, elapsed, err
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte(`"errorMessage"`)) {
		return body, elapsed, fmt.Errorf("function error (HTTP %d): %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return body, elapsed, nil
}

// Logs is what the emulator and the function printed.
func (r *RIE) Logs() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logs.String()
}

// Stop ends the emulator and the function.
func (r *RIE) Stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_, _ = r.cmd.Process.Wait()
	}
}

// Prepare creates what the deployed stack provides: the verified sender
// identity in SES and the state table.
func Prepare(ctx context.Context, cfg aws.Config, identity, table string) error {
	if _, err := sesv2.NewFromConfig(cfg).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(identity)}); err != nil {
		return fmt.Errorf("ses identity %s: %w", identity, err)
	}
	return sendlog.CreateTable(ctx, dynamodb.NewFromConfig(cfg), table)
}
