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
	"runtime"
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

// Arch is the processor a bootstrap is built for and run on.
type Arch string

const (
	// Host builds for the machine running the tests: the fast path, used for
	// most runtime tests and by default for `reportmailer local-invoke`.
	Host Arch = "host"
	// ARM64 builds exactly what `sam build` ships (linux/arm64, Graviton)
	// and, on other hosts, runs it and the arm64 emulator under qemu-user.
	ARM64 Arch = "arm64"
)

// ParseArch reads "host" or "arm64".
func ParseArch(s string) (Arch, error) {
	switch Arch(s) {
	case Host, ARM64:
		return Arch(s), nil
	}
	return "", fmt.Errorf("arch %q: want host or arm64", s)
}

// Emulated reports whether a runs under qemu on this machine.
func (a Arch) Emulated() bool { return a == ARM64 && runtime.GOARCH != "arm64" }

// BuildOptions says how bootstraps are compiled.
type BuildOptions struct {
	Arch Arch
	// Race builds Host bootstraps with the race detector. Tests built with
	// -race set it: the function is then checked for data races too, and
	// every package it shares with the test binary comes from the build
	// cache instead of being compiled again.
	Race bool
}

// goEnvAndFlags is how each build is made. ARM64 uses exactly the
// Makefile's LAMBDA_ENV and LAMBDA_FLAGS, so the binary tested is the one
// deployed. Host builds keep the go command's defaults (cgo, no -trimpath)
// so that they reuse what `go test` or `go run ./cmd/reportmailer` compiled.
func (o BuildOptions) goEnvAndFlags() ([]string, []string, error) {
	if o.Arch == ARM64 {
		if o.Race {
			return nil, nil, errors.New("the race detector needs a native build: build arm64 without Race")
		}
		return []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"},
			[]string{"-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w"}, nil
	}
	flags := []string{"-tags", "lambda.norpc", "-ldflags", "-s -w"}
	if o.Race {
		flags = append(flags, "-race")
	}
	return nil, flags, nil
}

// BuildAll compiles functions/<name> for each name with one `go build`
// (packages shared by the functions are compiled once) into dir/<name>,
// and returns the binaries by name. Lay a binary out for the emulator with
// Bundle.
func BuildAll(ctx context.Context, root, dir string, opts BuildOptions, names ...string) (map[string]string, error) {
	env, flags, err := opts.goEnvAndFlags()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	args := append(append([]string{"build"}, flags...), "-o", dir+string(filepath.Separator))
	out := make(map[string]string, len(names))
	for _, name := range names {
		args = append(args, "./functions/"+name)
		out[name] = filepath.Join(dir, name)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s (%s): %v\n%s", strings.Join(names, " "), opts.Arch, err, msg)
	}
	return out, nil
}

// Bundle lays out a function directory the way `sam build` does:
// dir/bootstrap (a hard link to binary, or a copy across file systems) with
// config beside it, where the function looks for it. One built binary can
// so serve many bundles, each with its own config.
func Bundle(binary, config, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "bootstrap")
	_ = os.Remove(out)
	// Not a symlink: the function finds config.yaml beside os.Executable(),
	// which resolves links.
	if err := os.Link(binary, out); err != nil {
		if err := copyFile(binary, out, 0o755); err != nil {
			return "", err
		}
	}
	if err := copyFile(config, filepath.Join(dir, "config.yaml"), 0o644); err != nil {
		return "", err
	}
	return out, nil
}

func copyFile(from, to string, mode os.FileMode) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, mode)
}

// Build compiles functions/<name> for arch into dir/bootstrap with config
// beside it, like `make build-DigestFunction` does for SAM.
func Build(ctx context.Context, root, name, config, dir string, arch Arch) (string, error) {
	bins, err := BuildAll(ctx, root, filepath.Join(dir, ".build"), BuildOptions{Arch: arch}, name)
	if err != nil {
		return "", err
	}
	return Bundle(bins[name], config, dir)
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

// Runtime is an emulator that runs bootstraps of one Arch: the Runtime
// Interface Emulator built for that Arch and, when the host cannot run it
// natively, the qemu user-mode emulator that runs both it and the function.
type Runtime struct {
	Arch Arch
	RIE  string
	Qemu string // empty when the host runs Arch natively
}

// QemuInstall is the command that provides qemu-aarch64-static on Debian.
const QemuInstall = "sudo apt-get install -y qemu-user-static"

// FindRuntime finds what runs Arch bootstraps here: for Host, aws-lambda-rie
// (see FindRIE); for ARM64 on another processor, <root>/bin/aws-lambda-rie-arm64
// and qemu-aarch64-static, both installed by `make tools`. Neither needs
// binfmt_misc: qemu is called explicitly for the emulator and, through a
// wrapper script, for the function the emulator starts.
func FindRuntime(root string, arch Arch) (Runtime, error) {
	if !arch.Emulated() {
		rie, err := FindRIE(root)
		return Runtime{Arch: arch, RIE: rie}, err
	}
	rie := filepath.Join(root, "bin", "aws-lambda-rie-arm64")
	if _, err := os.Stat(rie); err != nil {
		return Runtime{}, fmt.Errorf("%s not found: run `make tools` (it builds the arm64 Runtime Interface Emulator with GOOS=linux GOARCH=arm64 go build)", rie)
	}
	for _, name := range []string{"qemu-aarch64-static", "qemu-aarch64"} {
		if q, err := exec.LookPath(name); err == nil {
			return Runtime{Arch: arch, RIE: rie, Qemu: q}, nil
		}
	}
	return Runtime{}, fmt.Errorf("qemu-aarch64-static not found, needed to run the linux/arm64 Lambda binaries on %s: run `make tools` (or: %s)", runtime.GOARCH, QemuInstall)
}

// Start runs bootstrap under the emulator; see the package function Start.
func (rt Runtime) Start(bootstrap string, env []string) (*RIE, error) {
	if rt.Qemu == "" {
		return Start(rt.RIE, bootstrap, env)
	}
	// The emulator starts the function with execve, which the host kernel
	// cannot do for an arm64 binary without binfmt_misc (often unavailable in
	// containers). A shell script it can: the script hands the real
	// bootstrap to qemu.
	wrapper := filepath.Join(filepath.Dir(bootstrap), "bootstrap-qemu")
	script := "#!/bin/sh\n# Runs the linux/arm64 bootstrap under qemu user-mode emulation.\nexec " +
		shellQuote(rt.Qemu) + " " + shellQuote(bootstrap) + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		return nil, err
	}
	r, err := start([]string{rt.Qemu, rt.RIE}, wrapper, env)
	if err != nil {
		return nil, fmt.Errorf("arm64 emulator under %s (see docs/troubleshooting.md): %w", rt.Qemu, err)
	}
	return r, nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

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
	return start([]string{rie}, bootstrap, env)
}

// start runs command (the emulator, perhaps behind qemu) with bootstrap.
func start(command []string, bootstrap string, env []string) (*RIE, error) {
	api, err := awstest.FreePort()
	if err != nil {
		return nil, err
	}
	rapid, err := awstest.FreePort()
	if err != nil {
		return nil, err
	}
	r := &RIE{URL: fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", api)}
	args := append(append([]string{}, command[1:]...), "--runtime-interface-emulator-address", fmt.Sprintf("127.0.0.1:%d", api),
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", rapid), bootstrap)
	r.cmd = exec.Command(command[0], args...)
	r.cmd.Dir = filepath.Dir(bootstrap)
	r.cmd.Env = append(append([]string{}, env...), "PATH="+os.Getenv("PATH"), "HOME="+os.Getenv("HOME"))
	r.cmd.Stdout, r.cmd.Stderr = lockedWriter{r}, lockedWriter{r}
	r.Started = time.Now()
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	// A bounded readiness poll; generous because under qemu on a loaded
	// machine the emulator can take several seconds to listen.
	deadline := time.Now().Add(60 * time.Second)
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
