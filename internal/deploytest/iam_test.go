package deploytest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"reportmailer/pkg/history"
	"reportmailer/pkg/keys"
)

// role returns the translated role's properties and its Allow statements.
func role(t *testing.T, res map[string]resource, name string) (map[string]any, []statement) {
	t.Helper()
	r, ok := res[name]
	if !ok || r.Type != "AWS::IAM::Role" {
		t.Fatalf("no role %s", name)
	}
	var props map[string]any
	_ = json.Unmarshal(r.Properties, &props)
	var allow []statement
	for _, s := range statements(t, r.Properties) {
		if s.Effect == "Allow" && s.Sid != "" {
			allow = append(allow, s)
		}
	}
	return props, allow
}

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestFunctionRoles asserts the issue-16/13 rules on the two functions'
// roles as CloudFormation receives them: logs only to the function's own
// log group, no AWS-managed policy, SES only as the configured sender,
// DynamoDB only on the function's own key prefix.
func TestFunctionRoles(t *testing.T) {
	res := translate(t)
	for _, tc := range []struct {
		function, role, logGroup, prefix string
	}{
		{"DigestFunction", "DigestRole", "DigestLogGroup", keys.Digest},
		{"AlertFunction", "AlertRole", "AlertLogGroup", keys.Alert},
	} {
		t.Run(tc.function, func(t *testing.T) {
			var fnProps any
			_ = json.Unmarshal(res[tc.function].Properties, &fnProps)
			fn := js(fnProps)
			if !strings.Contains(fn, `"Fn::GetAtt":["`+tc.role+`","Arn"]`) {
				t.Errorf("%s does not run as %s: %s", tc.function, tc.role, fn)
			}
			props, allow := role(t, res, tc.role)
			if m, ok := props["ManagedPolicyArns"]; ok {
				t.Errorf("%s has managed policies %v; the basic execution role grants logs on *", tc.role, m)
			}
			seen := map[string]bool{}
			for _, s := range allow {
				actions := list(s.Action)
				svc := strings.SplitN(actions[0], ":", 2)[0]
				seen[svc] = true
				switch svc {
				case "logs":
					slices.Sort(actions)
					if !slices.Equal(actions, []string{"logs:CreateLogStream", "logs:PutLogEvents"}) {
						t.Errorf("logs actions %v", actions)
					}
					if r := js(s.Resource); r != `{"Fn::GetAtt":["`+tc.logGroup+`","Arn"]}` {
						t.Errorf("logs on %s, want only %s", r, tc.logGroup)
					}
				case "ses":
					if got := js(s.Condition["StringEquals"]["ses:FromAddress"]); got != `{"Ref":"SenderAddress"}` {
						t.Errorf("SES send not limited to the sender address: condition %s", js(s.Condition))
					}
				case "dynamodb":
					got := s.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
					if s.Sid == "QueueHistoryWriteOnly" || s.Sid == "QueueHistoryReadOnly" {
						break // TestQueueHistoryKeysPerRole
					}
					if js(got) != `["`+tc.prefix+`*"]` {
						t.Errorf("DynamoDB not limited to %s* items: condition %s", tc.prefix, js(s.Condition))
					}
					for _, a := range actions {
						if a == "dynamodb:Scan" || strings.HasPrefix(a, "dynamodb:Batch") {
							t.Errorf("%s carries no leading key, so LeadingKeys cannot limit it", a)
						}
					}
				}
			}
			// The SSM parameter's ARN: TestSSMParameterARN.
			for _, want := range []string{"logs", "ses", "dynamodb", "secretsmanager", "sqs"} {
				if !seen[want] {
					t.Errorf("%s has no %s statement", tc.role, want)
				}
			}
			if !strings.Contains(fn, "LogGroup") || !strings.Contains(fn, tc.logGroup) {
				t.Errorf("%s does not log to %s", tc.function, tc.logGroup)
			}
		})
	}
	for name, r := range res {
		if r.Type == "AWS::IAM::Role" && strings.Contains(string(r.Properties), "AWSLambdaBasicExecutionRole") {
			t.Errorf("%s still uses AWSLambdaBasicExecutionRole", name)
		}
	}
}

// TestKeyPrefixesMatchTheCode keeps the LeadingKeys conditions honest
// against pkg/keys, which builds every key: each key a function's code
// builds must match one of its role's dynamodb:LeadingKeys patterns, each
// pattern must cover some key the function builds (no grant the code does
// not use), and every prefix in keys.Prefixes is granted to some role.
// A function that starts building a new kind of key adds it here.
func TestKeyPrefixesMatchTheCode(t *testing.T) {
	res := translate(t)
	granted := map[string]bool{}
	for _, tc := range []struct {
		role  string
		build []string
	}{
		// The send log (under its period's span, and its first day for
		// records written before keys named the whole period), and the
		// suppressions and queue history (queueHistory sections) it reads.
		{"DigestRole", []string{keys.SendLog("weekly", "2026-01-05_2026-01-11"), keys.SendLog("weekly", "2026-01-05"), keys.Suppressions("weekly"), keys.QueueHistory("10000", "2026-11-23")}},
		// The rules' states, the acknowledgements and silences it reads, and
		// the queue history it keeps.
		{"AlertRole", []string{keys.AlertState("queue"), keys.AlertControl, keys.QueueHistory("10000", "2026-11-23")}},
		// The unsubscribe, acknowledge and silence links.
		{"LinksRole", []string{keys.Suppressions("weekly"), keys.AlertControl}},
	} {
		_, allow := role(t, res, tc.role)
		var patterns []string
		for _, s := range allow {
			if v, ok := s.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]; ok {
				patterns = append(patterns, list(v)...)
			}
		}
		used := map[string]bool{}
		for _, k := range tc.build {
			ok := false
			for _, p := range patterns {
				if prefix, glob := strings.CutSuffix(p, "*"); glob && strings.HasPrefix(k, prefix) || p == k {
					ok, used[p] = true, true
				}
			}
			if !ok {
				t.Errorf("%s builds key %q, which %s's dynamodb:LeadingKeys %v do not allow: grant it in template.yaml", tc.role, k, tc.role, patterns)
			}
		}
		for _, p := range patterns {
			granted[p] = true
			if !used[p] {
				t.Errorf("%s's dynamodb:LeadingKeys grant %q, which no key the code builds for it matches (pkg/keys)", tc.role, p)
			}
		}
	}
	for _, p := range keys.Prefixes {
		if !granted[p+"*"] {
			t.Errorf("keys.Prefixes has %q, which no role's dynamodb:LeadingKeys grant as %q", p, p+"*")
		}
	}
}

// TestFunctionEnvironment checks the template hands the code what the
// policies assume: the sender (MAIL_FROM, built from SenderAddress) and the
// configuration set.
func TestFunctionEnvironment(t *testing.T) {
	res := translate(t)
	for _, fn := range []string{"DigestFunction", "AlertFunction"} {
		var props struct {
			Environment struct{ Variables map[string]any }
		}
		_ = json.Unmarshal(res[fn].Properties, &props)
		env := props.Environment.Variables
		if got := js(env["SES_CONFIGURATION_SET"]); got != `{"Ref":"SesConfigurationSet"}` {
			t.Errorf("%s SES_CONFIGURATION_SET = %s", fn, got)
		}
		from := js(env["MAIL_FROM"])
		if !strings.Contains(from, "${SenderAddress}") || !strings.Contains(from, `{"Ref":"SenderAddress"}`) {
			t.Errorf("%s MAIL_FROM = %s, want it built from SenderAddress", fn, from)
		}
	}
}

// TestQueueHistoryKeysPerRole: the alert function keeps each poll's
// snapshot under "history#" keys (pkg/history) and may only write them
// (UpdateItem sets one minute of a ten-minute item): no read or delete.
// The digest function may only read them (Query, what history.Dynamo's
// Range calls), for queueHistory sections: no write or delete. No other
// role touches them.
func TestQueueHistoryKeysPerRole(t *testing.T) {
	res := translate(t)
	if !strings.Contains(history.KeyPrefix, "#") || history.KeyPrefix != "history#" {
		t.Fatalf("history.KeyPrefix = %q; update the template's LeadingKeys", history.KeyPrefix)
	}
	want := map[string][]string{"AlertRole": {"dynamodb:UpdateItem"}, "DigestRole": {"dynamodb:Query"}}
	for name, r := range res {
		if r.Type != "AWS::IAM::Role" {
			continue
		}
		_, allow := role(t, res, name)
		var found []statement
		for _, s := range allow {
			got := js(s.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
			if strings.Contains(got, "history#") {
				found = append(found, s)
				if got != `["history#*"]` {
					t.Errorf("%s: history statement limited to %s, want [\"history#*\"]", name, got)
				}
			}
		}
		actions, ok := want[name]
		if !ok {
			if len(found) != 0 {
				t.Errorf("%s may touch history# items; only the alert role writes and the digest role reads them", name)
			}
			continue
		}
		if len(found) != 1 {
			t.Fatalf("%s: %d statements on history# keys, want 1", name, len(found))
		}
		if a := list(found[0].Action); !slices.Equal(a, actions) {
			t.Errorf("%s may %v on history# items, want only %v", name, a, actions)
		}
		if r := js(found[0].Resource); r != `{"Fn::GetAtt":["StateTable","Arn"]}` {
			t.Errorf("%s: history statement on %s, want the state table only", name, r)
		}
	}
}

// TestQueueHistoryExpires: the table's TTL attribute is the one the
// history items carry, so DynamoDB deletes them after alerts.historyDays.
func TestQueueHistoryExpires(t *testing.T) {
	res := translate(t)
	var props struct {
		TimeToLiveSpecification struct {
			AttributeName string
			Enabled       bool
		}
	}
	_ = json.Unmarshal(res["StateTable"].Properties, &props)
	ttl := props.TimeToLiveSpecification
	if !ttl.Enabled || ttl.AttributeName == "" {
		t.Fatalf("StateTable TTL = %+v, want enabled", ttl)
	}
	if ttl.AttributeName != history.TTLAttribute {
		t.Errorf("StateTable TTL attribute %q, but history items carry %q", ttl.AttributeName, history.TTLAttribute)
	}
	at := time.Date(2026, 11, 23, 10, 4, 0, 0, time.UTC)
	got, want := (history.Dynamo{Days: 35}).Expires(at), time.Date(2026, 12, 28, 10, 0, 0, 0, time.UTC)
	if !got.Equal(want) {
		t.Errorf("history expires %s, want %s (35 days after its hour)", got, want)
	}
}
