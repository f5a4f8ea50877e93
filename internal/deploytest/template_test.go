// Package deploytest checks template.yaml the way AWS will read it:
// cfn-lint, then the SAM translator's plain CloudFormation, on which the
// least-privilege rules and the schedules are asserted.
package deploytest

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"reportmailer/internal/testtool"
)

func root(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs("../..")
	return dir
}

func need(t *testing.T, bin, install string) string {
	t.Helper()
	return testtool.Need(t, install, bin)
}

func TestCfnLint(t *testing.T) {
	cmd := exec.Command(need(t, "cfn-lint", "pip install cfn-lint"), "template.yaml")
	cmd.Dir = root(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
}

type resource struct {
	Type       string          `json:"Type"`
	Properties json.RawMessage `json:"Properties"`
}

var translated struct {
	once   sync.Once
	res    map[string]resource
	params map[string]json.RawMessage
	err    error
}

// translate returns the template as CloudFormation receives it after the
// SAM transform, translated once per test binary.
func translate(t *testing.T) map[string]resource {
	t.Helper()
	python := need(t, "python3", "apt-get install python3")
	translated.once.Do(func() {
		cmd := exec.Command(python, "scripts/sam-translate.py", "template.yaml")
		cmd.Dir = root(t)
		out, err := cmd.Output()
		if err != nil {
			msg := ""
			if ee, ok := err.(*exec.ExitError); ok {
				msg = string(ee.Stderr)
			}
			translated.err = fmt.Errorf("SAM translation failed (pip install aws-sam-translator if it is missing): %v\n%s", err, msg)
			return
		}
		var tmpl struct {
			Parameters map[string]json.RawMessage `json:"Parameters"`
			Resources  map[string]resource        `json:"Resources"`
		}
		translated.err = json.Unmarshal(out, &tmpl)
		translated.res, translated.params = tmpl.Resources, tmpl.Parameters
	})
	if translated.err != nil {
		t.Fatal(translated.err)
	}
	return translated.res
}

type statement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Action    any                       `json:"Action"`
	Resource  any                       `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition"`
}

func list(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			b, _ := json.Marshal(e)
			out = append(out, strings.Trim(string(b), `"`))
		}
		return out
	}
	b, _ := json.Marshal(v)
	return []string{string(b)}
}

// statements digs every statement out of a role's inline policies,
// including those behind Fn::If.
func statements(t *testing.T, props json.RawMessage) []statement {
	t.Helper()
	var out []statement
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if st, ok := x["Statement"].([]any); ok {
				for _, s := range st {
					b, _ := json.Marshal(s)
					var one statement
					_ = json.Unmarshal(b, &one)
					out = append(out, one)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	var v any
	_ = json.Unmarshal(props, &v)
	walk(v)
	return out
}

func TestLeastPrivilege(t *testing.T) {
	res := translate(t)
	roles := 0
	for name, r := range res {
		if r.Type != "AWS::IAM::Role" {
			continue
		}
		roles++
		for _, s := range statements(t, r.Properties) {
			if s.Effect != "Allow" {
				continue
			}
			for _, a := range list(s.Action) {
				service := strings.SplitN(a, ":", 2)[0]
				switch service {
				case "ses", "dynamodb", "secretsmanager", "s3", "ssm", "sqs", "lambda":
				default:
					continue
				}
				for _, rsc := range list(s.Resource) {
					if strings.HasSuffix(rsc, ":*") {
						t.Errorf("%s: %s on %q", name, a, rsc)
					}
				}
			}
			// No service at all gets "*": every action we use has a
			// narrower resource (see the comment above DigestRole).
			for _, rsc := range list(s.Resource) {
				if rsc == "*" || rsc == "" {
					t.Errorf("%s: %v on %q", name, s.Action, rsc)
				}
			}
			for _, a := range list(s.Action) {
				if strings.HasPrefix(a, "ses:") && !strings.Contains(strings.Join(list(s.Resource), " "), "identity/${SenderIdentity}") {
					t.Errorf("%s: %s not limited to the sender identity: %v", name, a, s.Resource)
				}
				if strings.HasPrefix(a, "dynamodb:") && !strings.Contains(strings.Join(list(s.Resource), " "), "StateTable") {
					t.Errorf("%s: %s not limited to the table: %v", name, a, s.Resource)
				}
				if a == "dynamodb:*" || a == "s3:*" || a == "ses:*" {
					t.Errorf("%s: wildcard action %s", name, a)
				}
			}
		}
	}
	if roles < 4 {
		t.Errorf("%d IAM roles, want one per function and one per schedule", roles)
	}
}

func TestSchedulesTableAndFunctions(t *testing.T) {
	res := translate(t)
	var schedules []string
	for name, r := range res {
		switch r.Type {
		case "AWS::Scheduler::Schedule":
			schedules = append(schedules, name)
			p := string(r.Properties)
			for _, want := range []string{"<aws.scheduler.scheduled-time>", "RetryPolicy", "DeadLetterConfig"} {
				if !strings.Contains(p, want) {
					t.Errorf("%s lacks %s", name, want)
				}
			}
			if strings.HasPrefix(name, "Dispatch") && !strings.Contains(p, "ScheduleExpressionTimezone") {
				t.Errorf("%s has no timezone", name)
			}
		case "AWS::DynamoDB::Table":
			p := string(r.Properties)
			for _, want := range []string{"PAY_PER_REQUEST", "TimeToLiveSpecification", "PointInTimeRecoveryEnabled"} {
				if !strings.Contains(p, want) {
					t.Errorf("table lacks %s", want)
				}
			}
		case "AWS::Lambda::Function":
			p := string(r.Properties)
			for _, want := range []string{`"provided.al2023"`, `"arm64"`, `"bootstrap"`, `"LogFormat":"JSON"`} {
				if !strings.Contains(strings.ReplaceAll(p, " ", ""), strings.ReplaceAll(want, " ", "")) {
					t.Errorf("%s lacks %s", name, want)
				}
			}
		}
	}
	if len(schedules) != 2 {
		t.Errorf("schedules %v, want the dispatcher's and the alerts'", schedules)
	}
	for _, want := range []string{"StateTable", "DeadLetterQueue", "DigestQueue", "DigestErrorsAlarm", "AlertErrorsAlarm", "DispatchErrorsAlarm", "DeadLetterAlarm", "ArchiveBucket"} {
		if _, ok := res[want]; !ok {
			t.Errorf("no %s", want)
		}
	}
}
