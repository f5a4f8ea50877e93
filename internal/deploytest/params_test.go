package deploytest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type param struct {
	AllowedPattern string  `yaml:"AllowedPattern"`
	Default        *string `yaml:"Default"`
}

// templateParams reads template.yaml's Parameters (the YAML's short-form
// tags such as !Ref do not appear there, so plain yaml.v3 reads them).
func templateParams(t *testing.T) map[string]param {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var out map[string]param
	top := doc.Content[0]
	for i := 0; i < len(top.Content); i += 2 {
		if top.Content[i].Value == "Parameters" {
			if err := top.Content[i+1].Decode(&out); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// TestSamconfigFitsTheTemplate checks every parameter_overrides entry in
// samconfig.toml names a template parameter and passes its AllowedPattern,
// so `sam deploy` with the committed settings is not refused by
// CloudFormation's parameter validation.
func TestSamconfigFitsTheTemplate(t *testing.T) {
	params := templateParams(t)
	data, err := os.ReadFile(filepath.Join(root(t), "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	entries := regexp.MustCompile(`(?m)^\s+"(\w+)=(.*)",?$`).FindAllStringSubmatch(string(data), -1)
	if len(entries) < 10 {
		t.Fatalf("found %d parameter overrides in samconfig.toml", len(entries))
	}
	for _, e := range entries {
		name, value := e[1], e[2]
		p, ok := params[name]
		if !ok {
			t.Errorf("samconfig.toml sets %s, which template.yaml does not declare", name)
			continue
		}
		if p.AllowedPattern == "" {
			continue
		}
		// CloudFormation anchors the pattern to the whole value.
		re, err := regexp.Compile("^(?:" + strings.TrimSuffix(strings.TrimPrefix(p.AllowedPattern, "^"), "$") + ")$")
		if err != nil {
			t.Fatalf("%s AllowedPattern: %v", name, err)
		}
		if !re.MatchString(value) {
			t.Errorf("samconfig.toml %s=%q does not match AllowedPattern %s", name, value, p.AllowedPattern)
		}
	}
	for _, bad := range []string{"Chat reports <reports@example.com>", "reports"} {
		re := regexp.MustCompile(params["SenderAddress"].AllowedPattern)
		if re.MatchString(bad) {
			t.Errorf("SenderAddress accepts %q; ses:FromAddress compares the bare address", bad)
		}
	}
}

// TestLocalEnvIsDeclared: `sam local invoke --env-vars` silently ignores a
// variable the template does not declare for the function, so every
// variable in events/env.local.json must be declared there.
func TestLocalEnvIsDeclared(t *testing.T) {
	res := translate(t)
	data, err := os.ReadFile(filepath.Join(root(t), "events", "env.local.json"))
	if err != nil {
		t.Fatal(err)
	}
	var local map[string]map[string]string
	if err := json.Unmarshal(data, &local); err != nil {
		t.Fatal(err)
	}
	if len(local) == 0 {
		t.Fatal("events/env.local.json is empty")
	}
	for fn, vars := range local {
		r, ok := res[fn]
		if !ok || r.Type != "AWS::Lambda::Function" {
			t.Errorf("events/env.local.json: %s is not a function of the template", fn)
			continue
		}
		var props struct {
			Environment struct{ Variables map[string]any }
		}
		_ = json.Unmarshal(r.Properties, &props)
		for k := range vars {
			if _, ok := props.Environment.Variables[k]; !ok {
				t.Errorf("events/env.local.json sets %s for %s, which the template does not declare: sam local invoke would ignore it", k, fn)
			}
		}
	}
}
