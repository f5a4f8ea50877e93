package lambdalocal

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseArch(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Arch
		wantErr bool
	}{
		{"host", Host, false},
		{"arm64", ARM64, false},
		{"amd64", "", true},
		{"", "", true},
	} {
		got, err := ParseArch(tc.in)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("ParseArch(%q) = %q, %v", tc.in, got, err)
		}
	}
}

// The qemu wrapper script must hand the exact paths to qemu, whatever
// characters the temporary directories hold.
func TestShellQuoteSurvivesTheShell(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"/tmp/plain", "/tmp/with space", "/tmp/it's", `/tmp/$HOME"x"` + "`id`"} {
		out, err := exec.Command("/bin/sh", "-c", "printf %s "+shellQuote(s)).Output()
		if err != nil || string(out) != s {
			t.Errorf("shellQuote(%q) came out as %q (%v)", s, out, err)
		}
	}
}

// Bundle lays out a function directory with a real file (not a symlink:
// the function finds config.yaml beside os.Executable, which resolves links).
func TestBundleKeepsTheConfigBesideARealFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	binary := filepath.Join(dir, "digest")
	config := filepath.Join(dir, "my.yaml")
	if err := os.WriteFile(binary, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config, []byte("mail: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "fn")
	bootstrap, err := Bundle(binary, config, out)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Lstat(bootstrap)
	if err != nil || info.Mode()&os.ModeSymlink != 0 || info.Mode().Perm()&0o100 == 0 {
		t.Fatalf("bootstrap %v, %v: want an executable regular file", info, err)
	}
	data, err := os.ReadFile(filepath.Join(out, "config.yaml"))
	if err != nil || !strings.Contains(string(data), "mail") {
		t.Fatalf("config.yaml: %q %v", data, err)
	}
	// Bundling again (a second test with another config) replaces both.
	if _, err := Bundle(binary, config, out); err != nil {
		t.Fatal(err)
	}
}

// Without qemu the arm64 tests fail with the command that installs it;
// they never skip.
func TestFindRuntimeNamesTheQemuInstall(t *testing.T) {
	if !ARM64.Emulated() {
		t.Log("this host runs arm64 natively: no qemu involved")
		return
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := FindRuntime(root, ARM64)
	if err == nil || !strings.Contains(err.Error(), "make tools") {
		t.Fatalf("no arm64 emulator: %v", err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "aws-lambda-rie-arm64"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())
	_, err = FindRuntime(root, ARM64)
	if err == nil || !strings.Contains(err.Error(), QemuInstall) {
		t.Fatalf("no qemu: %v", err)
	}
}
