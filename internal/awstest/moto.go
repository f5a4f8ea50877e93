// Package awstest runs real AWS stand-ins for tests: moto_server (SES v2,
// DynamoDB, S3, Secrets Manager, SSM, Scheduler) on a free 127.0.0.1 port.
// A missing moto_server fails the test with the command that installs it;
// it never skips.
package awstest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Region is the region tests use.
const Region = "eu-west-1"

// Moto is a running moto_server.
type Moto struct {
	Endpoint string
	cmd      *exec.Cmd
}

var (
	once    sync.Once
	shared  *Moto
	pending error
)

// FreePort returns a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start starts moto_server once per test binary and returns it; callers
// stop it from TestMain with Stop.
func Start() (*Moto, error) {
	once.Do(func() {
		bin, err := exec.LookPath("moto_server")
		if err != nil {
			pending = fmt.Errorf("moto_server not found: run `make tools` (or: pip install 'moto[server]>=5,<6')")
			return
		}
		port, err := FreePort()
		if err != nil {
			pending = err
			return
		}
		cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			pending = err
			return
		}
		m := &Moto{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
		// Wait for it to listen (it takes 2-3 s); a bounded readiness poll, not a sleep.
		deadline := time.Now().Add(30 * time.Second)
		for {
			resp, err := http.Get(m.Endpoint + "/moto-api/data.json")
			if err == nil {
				resp.Body.Close()
				break
			}
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				pending = fmt.Errorf("moto_server did not start on %s: %v", m.Endpoint, err)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		shared = m
	})
	return shared, pending
}

// Stop ends the shared moto_server.
func Stop() {
	if shared != nil && shared.cmd.Process != nil {
		_ = shared.cmd.Process.Kill()
		_, _ = shared.cmd.Process.Wait()
	}
}

// Main is a TestMain that starts moto_server around the package's tests.
func Main(m interface{ Run() int }) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Fresh returns the shared moto_server with all state cleared.
func Fresh(t testing.TB) *Moto {
	t.Helper()
	m, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	return m
}

// Config is an AWS config pointed at moto with test credentials.
func (m *Moto) Config(t testing.TB) aws.Config {
	t.Helper()
	cfg, err := m.AWSConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// AWSConfig is an AWS config pointed at moto with test credentials.
func (m *Moto) AWSConfig(ctx context.Context) (aws.Config, error) {
	return awsconfig.LoadDefaultConfig(ctx,
		awsconfig.WithRegion(Region),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		awsconfig.WithBaseEndpoint(m.Endpoint))
}

// Reset clears all of moto's state.
func (m *Moto) Reset() error {
	resp, err := http.Post(m.Endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Env is the process environment that points the AWS SDK at moto.
func (m *Moto) Env() []string {
	return []string{"AWS_ENDPOINT_URL=" + m.Endpoint, "AWS_REGION=" + Region, "AWS_DEFAULT_REGION=" + Region,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test"}
}

// RawMessage is an email moto's SES took.
type RawMessage struct {
	ID           string   `json:"id"`
	Source       string   `json:"source"`
	Destinations []string `json:"destinations"`
	RawData      string   `json:"raw_data"`
}

// SentEmails reads back every raw message SES v2 accepted.
func (m *Moto) SentEmails(t testing.TB) []RawMessage {
	t.Helper()
	msgs, err := m.Emails()
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// Emails reads back every raw message SES v2 accepted.
func (m *Moto) Emails() ([]RawMessage, error) {
	resp, err := http.Get(m.Endpoint + "/moto-api/data.json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var data struct {
		SES struct {
			RawMessage []RawMessage `json:"RawMessage"`
		} `json:"ses"`
	}
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &data); err != nil {
		return nil, fmt.Errorf("moto data.json: %v: %.200s", err, body)
	}
	for i := range data.SES.RawMessage {
		// moto keeps the raw text as sent; normalise line ends for parsing.
		data.SES.RawMessage[i].RawData = strings.ReplaceAll(data.SES.RawMessage[i].RawData, "\r\n", "\n")
		data.SES.RawMessage[i].RawData = strings.ReplaceAll(data.SES.RawMessage[i].RawData, "\n", "\r\n")
	}
	return data.SES.RawMessage, nil
}
