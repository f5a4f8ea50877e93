package deploytest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"reportmailer/internal/awstest"
	"reportmailer/internal/comm100sim"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// A deploy-guide shell block and how the test treats it, from the marker
// comment on the line before its fence:
//
//	<!-- readme-test: run -->           executed, in order, against moto and the simulator
//	<!-- readme-test: check -->         every command checked without side effects on AWS
//	<!-- readme-test: skip: REASON -->  not run (installers, servers)
type block struct {
	mode, reason string
	line         int // of the fence, 1-based
	text         string
}

var marker = regexp.MustCompile(`^\s*<!-- readme-test: (run|check|skip)(?::\s*(.+?))? -->\s*$`)

// deployGuide is the deploy guide the README links to; every shell block
// in it is run or checked.
const deployGuide = "docs/deploy.md"

// deployBlocks returns the shell blocks of the deploy guide;
// an unmarked one fails the test, so a new command cannot dodge it.
func deployBlocks(t *testing.T) (section string, blocks []block) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root(t), deployGuide))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	start, end := 0, len(lines)
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "# Deploy") {
		t.Fatalf("%s does not start with '# Deploy'", deployGuide)
	}
	section = strings.Join(lines[start:end], "\n")
	for i := start; i < end; i++ {
		fence := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(fence, "```") {
			continue
		}
		if fence != "```sh" {
			// Closing fences are consumed below; any other opening fence
			// (```yaml, ```) is prose, not a command.
			for i++; i < end && strings.TrimSpace(lines[i]) != "```"; i++ {
			}
			continue
		}
		b := block{line: i + 1}
		prev := i - 1
		for prev > start && strings.TrimSpace(lines[prev]) == "" {
			prev--
		}
		if m := marker.FindStringSubmatch(lines[prev]); m != nil {
			b.mode, b.reason = m[1], m[2]
		} else {
			t.Errorf(deployGuide+":%d: shell block without a <!-- readme-test: run|check|skip: why --> marker", i+1)
		}
		indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " "))]
		var body []string
		for i++; i < end && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, strings.TrimPrefix(lines[i], indent))
		}
		b.text = strings.Join(body, "\n") + "\n"
		if b.mode == "skip" && b.reason == "" {
			t.Errorf(deployGuide+":%d: skip without a reason", b.line)
		}
		blocks = append(blocks, b)
	}
	if n := len(regexp.MustCompile(`<!-- readme-test:`).FindAllString(section, -1)); n != len(blocks) {
		t.Errorf("the deploy section has %d readme-test markers but %d shell blocks: a marker must sit right above a ```sh fence", n, len(blocks))
	}
	return section, blocks
}

// commands splits a block into commands: continuation lines joined,
// comments and heredoc bodies dropped, && and | pipelines split.
func commands(text string) []string {
	var out []string
	var cur strings.Builder
	heredoc := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		l := sc.Text()
		if heredoc != "" {
			if strings.TrimSpace(l) == heredoc {
				heredoc = ""
			}
			continue
		}
		if m := regexp.MustCompile(`<<-?'?(\w+)'?`).FindStringSubmatch(l); m != nil {
			heredoc = m[1]
		}
		if c, _, ok := strings.Cut(l, " # "); ok {
			l = c
		}
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		if strings.HasSuffix(l, "\\") {
			cur.WriteString(strings.TrimSuffix(l, "\\"))
			continue
		}
		cur.WriteString(l)
		for _, part := range regexp.MustCompile(`\s(?:&&|\|)\s`).Split(cur.String(), -1) {
			if p := strings.Join(strings.Fields(part), " "); p != "" {
				out = append(out, p)
			}
		}
		cur.Reset()
	}
	return out
}

// words splits a command line the way the shell would for our simple
// lines: whitespace, with single or double quotes grouping.
func words(cmd string) []string {
	var out []string
	var cur strings.Builder
	quote, in := rune(0), false
	for _, r := range cmd {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ':
			if in || cur.Len() > 0 {
				out = append(out, cur.String())
			}
			cur.Reset()
			in = false
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in || cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// pendingFlags are CLI flags the deploy guide documents that another branch
// adds. Until that lands, a run block uses the listed equivalent. Delete
// an entry once its flag is in cmd/reportmailer.
var pendingFlags = map[string]struct {
	from, to string // regexp on the command, replacement
}{}

// raceEnabled is set when the test is built with -race (race_test.go).
var raceEnabled bool

type harness struct {
	bin, moto, sim, home, work string
	flags                      map[string][]string // reportmailer subcommand → its flags
	missing                    map[string]bool     // "digest --test-to" → not in this build
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	need(t, "aws", "pip install awscli")
	need(t, "jq", "apt-get install jq")
	need(t, "curl", "apt-get install curl")
	m, err := awstest.Start()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	h := &harness{moto: m.Endpoint, home: t.TempDir(), work: t.TempDir(), flags: map[string][]string{}, missing: map[string]bool{}}
	// The README's secret holds these placeholders: the simulator accepts
	// exactly them, which proves the secret's JSON shape reaches the client.
	sim := httptest.NewServer(comm100sim.New(comm100sim.Options{Email: "agent@example.com", APIKey: "YOUR-API-KEY"}))
	t.Cleanup(sim.Close)
	h.sim = sim.URL
	bindir := t.TempDir()
	h.bin = filepath.Join(bindir, "reportmailer")
	args := []string{"build", "-o", h.bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "./cmd/reportmailer")...)
	build.Dir = root(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, f := range []string{"reportmailer.example.yaml"} {
		data, err := os.ReadFile(filepath.Join(root(t), f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(h.work, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// env is what a user's shell has after `aws configure`, pointed at the
// stand-ins: keys, but no region (the README's step sets it) and no
// Comm100 credentials (the README's secret provides them).
func (h *harness) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "COMM100_") || strings.HasPrefix(k, "CONFIG_") ||
			k == "TABLE_NAME" || k == "MAIL_FROM" || k == "DIGEST_TO" || k == "ALERT_TO" || k == "ARCHIVE_BUCKET" || k == "HOME" || k == "PATH" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+h.home, "PATH="+filepath.Dir(h.bin)+":"+os.Getenv("PATH"),
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_ENDPOINT_URL="+h.moto,
		"COMM100_BASE_URL="+h.sim, "AWS_PAGER=")
}

// cliFlags returns the flags `reportmailer CMD -h` lists.
func (h *harness) cliFlags(t *testing.T, cmd string) []string {
	t.Helper()
	if f, ok := h.flags[cmd]; ok {
		return f
	}
	out, _ := exec.Command(h.bin, cmd, "-h").CombinedOutput()
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^\s+-{1,2}([\w-]+)`).FindAllStringSubmatch(string(out), -1) {
		flags = append(flags, m[1])
	}
	if len(flags) == 0 {
		t.Errorf("reportmailer %s -h lists no flags (is it a command?):\n%s", cmd, out)
	}
	h.flags[cmd] = flags
	return flags
}

// checkReportmailer checks a reportmailer command line's subcommand and flags.
func (h *harness) checkReportmailer(t *testing.T, where string, w []string) {
	t.Helper()
	if len(w) < 2 {
		t.Errorf("%s: reportmailer without a command", where)
		return
	}
	known := h.cliFlags(t, w[1])
	for _, a := range w[2:] {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if slices.Contains(known, name) {
			continue
		}
		if _, ok := pendingFlags[w[1]+" --"+name]; ok {
			t.Logf("%s: reportmailer %s --%s is documented but not in this build yet; the run uses its stand-in", where, w[1], name)
			h.missing[w[1]+" --"+name] = true
			continue
		}
		t.Errorf("%s: reportmailer %s has no flag %s (it has %v)", where, w[1], a, known)
	}
}

// checkAWS runs an aws command against moto, with v2-only options
// dropped: it passes if the CLI parsed it and sent the request, whatever
// moto answered (moto lacks Lambda invocations, the SES account and more).
func (h *harness) checkAWS(t *testing.T, where, cmd string) {
	t.Helper()
	w := words(cmd)
	var args []string
	for i := 1; i < len(w); i++ {
		if w[i] == "--cli-binary-format" { // AWS CLI v2 only; the test has v1
			i++
			continue
		}
		args = append(args, w[i])
	}
	c := exec.Command("aws", args...)
	c.Dir, c.Env = h.work, append(h.env(), "AWS_DEFAULT_REGION="+awstest.Region)
	out, err := c.CombinedOutput()
	sent := strings.Contains(string(out), "An error occurred (") || strings.Contains(string(out), "Unable to parse response")
	if err != nil && !sent {
		t.Errorf("%s: the AWS CLI rejects `%s`: %v\n%s", where, cmd, err, out)
	}
}

// samFacts are what sam commands in the deploy guide must agree with.
type samFacts struct {
	functions  []string
	stacks     []string // stack_name of each samconfig environment
	configEnvs []string
}

func readSamFacts(t *testing.T) samFacts {
	t.Helper()
	var f samFacts
	for name, r := range translate(t) {
		if r.Type == "AWS::Lambda::Function" {
			f.functions = append(f.functions, name)
		}
	}
	data, err := os.ReadFile(filepath.Join(root(t), "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^\[(\w+)\.global\.parameters\]\s*\nstack_name = "([^"]+)"`).FindAllStringSubmatch(string(data), -1) {
		f.configEnvs = append(f.configEnvs, m[1])
		f.stacks = append(f.stacks, m[2])
	}
	return f
}

func checkSam(t *testing.T, where string, w []string, f samFacts) {
	t.Helper()
	allowed := map[string][]string{
		"build": {}, "deploy": {"--guided", "--config-env"}, "delete": {"--stack-name", "--no-prompts"},
		"logs": {"--stack-name", "--name", "--tail"}, "local": {"-e", "--env-vars", "--add-host"},
	}
	if len(w) < 2 {
		t.Errorf("%s: sam without a command", where)
		return
	}
	flags, ok := allowed[w[1]]
	if !ok {
		t.Errorf("%s: sam %s is not a command this test knows; teach checkSam", where, w[1])
		return
	}
	args := w[2:]
	if w[1] == "local" {
		if len(w) < 4 || w[2] != "invoke" || !slices.Contains(f.functions, w[3]) {
			t.Errorf("%s: want sam local invoke <one of %v>", where, f.functions)
			return
		}
		args = w[4:]
	}
	var envVars, addHost string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !slices.Contains(flags, a) {
			t.Errorf("%s: sam %s %s is not an option the test knows (known: %v)", where, w[1], a, flags)
			continue
		}
		if a == "--guided" || a == "--tail" || a == "--no-prompts" {
			continue
		}
		if i+1 >= len(args) {
			t.Errorf("%s: %s without a value", where, a)
			break
		}
		i++
		v := args[i]
		switch a {
		case "--stack-name":
			if !slices.Contains(f.stacks, v) {
				t.Errorf("%s: stack %q is none of samconfig.toml's %v", where, v, f.stacks)
			}
		case "--config-env":
			if !slices.Contains(f.configEnvs, v) {
				t.Errorf("%s: config env %q is none of samconfig.toml's %v", where, v, f.configEnvs)
			}
		case "--name":
			if !slices.Contains(f.functions, v) {
				t.Errorf("%s: function %q is none of %v", where, v, f.functions)
			}
		case "-e", "--env-vars":
			if _, err := os.Stat(filepath.Join(root(t), v)); err != nil {
				t.Errorf("%s: %v", where, err)
			}
			if a == "--env-vars" {
				envVars = v
			}
		case "--add-host":
			addHost = v
		}
	}
	if envVars != "" {
		data, _ := os.ReadFile(filepath.Join(root(t), envVars))
		var env map[string]map[string]string
		if err := json.Unmarshal(data, &env); err != nil {
			t.Fatalf("%s: %v", envVars, err)
		}
		fn := env[w[3]]
		if fn == nil {
			t.Errorf("%s: %s has no variables for %s", where, envVars, w[3])
		}
		for k, v := range fn {
			if strings.Contains(v, "host.docker.internal") && addHost != "host.docker.internal:host-gateway" {
				t.Errorf("%s: %s=%s needs --add-host host.docker.internal:host-gateway on Linux", where, k, v)
			}
		}
	}
}

// TestReadmeDeploy keeps the deploy guide (docs/deploy.md) true: it runs the
// blocks marked run, in order, as a user would on a fresh account (moto
// standing in for AWS, the simulator for Comm100), checks the others'
// commands, and checks the parameter table against the template.
func TestReadmeDeploy(t *testing.T) {
	section, blocks := deployBlocks(t)
	h := newHarness(t)
	sam := readSamFacts(t)
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for _, b := range blocks {
		where := fmt.Sprintf("%s:%d", deployGuide, b.line)
		if b.mode == "skip" {
			continue
		}
		for _, cmd := range commands(b.text) {
			w := words(cmd)
			for len(w) > 1 && regexp.MustCompile(`^[A-Z_]+=`).MatchString(w[0]) {
				w = w[1:] // VAR=value before the command
			}
			switch w[0] {
			case "reportmailer":
				h.checkReportmailer(t, where, w)
			case "aws":
				if b.mode == "check" {
					h.checkAWS(t, where, cmd)
				}
			case "sam":
				if b.mode == "run" {
					t.Errorf("%s: sam cannot run here; mark the block check", where)
				}
				checkSam(t, where, w, sam)
			case "go":
				if len(w) != 3 || w[1] != "install" {
					t.Errorf("%s: only `go install ./path` is understood, not %q", where, cmd)
				} else if _, err := os.Stat(filepath.Join(root(t), w[2])); err != nil {
					t.Errorf("%s: %v", where, err)
				}
			case "cat", "echo": // showing a result
			case "cp", "export", "tr", "while", "curl", "jq":
				if b.mode == "check" {
					t.Errorf("%s: %q in a check block is not checked; make the block run", where, cmd)
				}
			default:
				t.Errorf("%s: this test does not know how to check %q", where, cmd)
			}
		}
		if b.mode != "run" {
			continue
		}
		text := strings.ReplaceAll(b.text, "http://localhost:5000", h.moto)
		for flag := range h.missing {
			p := pendingFlags[flag]
			text = regexp.MustCompile(p.from).ReplaceAllString(text, p.to)
		}
		fmt.Fprintf(&script, "echo '### %s'\n%s", where, text)
	}
	if t.Failed() {
		return
	}
	run := exec.Command("bash", "-c", script.String())
	run.Dir, run.Env = h.work, h.env()
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("the deploy guide's run blocks failed: %v\n--- script\n%s\n--- output\n%s", err, script.String(), out)
	}
	t.Logf("run blocks:\n%s", out)

	// What the walk-through should have left behind.
	sent, err := (&awstest.Moto{Endpoint: h.moto}).Emails()
	if err != nil {
		t.Fatal(err)
	}
	var toYou []string
	for _, m := range sent {
		if slices.Contains(m.Destinations, "you@example.com") {
			toYou = append(toYou, subjectOf(m.RawData))
		}
	}
	if !slices.ContainsFunc(toYou, func(s string) bool { return strings.Contains(s, "FIRING") }) ||
		!slices.ContainsFunc(toYou, func(s string) bool { return !strings.Contains(s, "FIRING") }) {
		t.Errorf("want a test digest and a test alert to you@example.com; got subjects %q", toYou)
	}
	if fi, err := os.Stat(filepath.Join(h.work, "sent.eml")); err != nil || fi.Size() < 100 {
		t.Errorf("sent.eml: %v", err)
	}
	if cfg, err := os.ReadFile(filepath.Join(h.home, ".aws", "config")); err != nil || !strings.Contains(string(cfg), "region = eu-west-1") {
		t.Errorf("aws configure set region left %q, %v", cfg, err)
	}

	// Every template parameter is explained, and nothing else.
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(\\w+)` \\|").FindAllStringSubmatch(section, -1) {
		documented = append(documented, m[1])
	}
	var declared []string
	for name := range templateParams(t) {
		declared = append(declared, name)
	}
	slices.Sort(documented)
	slices.Sort(declared)
	if !slices.Equal(documented, declared) {
		t.Errorf("the deploy guide's parameter table lists %v; template.yaml declares %v", documented, declared)
	}
}

func subjectOf(raw string) string {
	for _, l := range strings.Split(raw, "\n") {
		if s, ok := strings.CutPrefix(strings.TrimRight(l, "\r"), "Subject: "); ok {
			return s
		}
	}
	return ""
}
