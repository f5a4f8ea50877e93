// Package testconfig loads the repository's example configuration for
// tests, so every package tests against the file users start from.
package testconfig

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"reportmailer/pkg/config"
)

// ExamplePath is the absolute path of reportmailer.example.yaml.
func ExamplePath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "reportmailer.example.yaml")
}

// Example loads and validates reportmailer.example.yaml, failing t if it
// does not load.
func Example(t testing.TB) *config.Config {
	t.Helper()
	data, err := os.ReadFile(ExamplePath())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(data)
	if err != nil {
		t.Fatalf("the example config does not load: %v", err)
	}
	return cfg
}
