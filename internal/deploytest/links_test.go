package deploytest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"reportmailer/pkg/alert"
	"reportmailer/pkg/keys"
)

// TestLinksFunction: the links function is public (Function URL, no auth:
// its tokens authorise), and its role can do nothing but its job: write
// unsubscribes, read the signing key, read archived digests, log.
func TestLinksFunction(t *testing.T) {
	res := translate(t)
	var url struct {
		AuthType          string
		TargetFunctionArn any
	}
	if r, ok := res["LinksFunctionUrl"]; !ok || r.Type != "AWS::Lambda::Url" {
		t.Fatal("no LinksFunctionUrl")
	} else if _ = json.Unmarshal(r.Properties, &url); url.AuthType != "NONE" || js(url.TargetFunctionArn) != `{"Ref":"LinksFunction"}` {
		t.Errorf("function URL %+v", url)
	}
	var fn map[string]any
	_ = json.Unmarshal(res["LinksFunction"].Properties, &fn)
	if got := js(fn["Role"]); got != `{"Fn::GetAtt":["LinksRole","Arn"]}` {
		t.Errorf("LinksFunction runs as %s", got)
	}
	if !strings.Contains(js(fn["LoggingConfig"]), "LinksLogGroup") {
		t.Errorf("LinksFunction logs to %s", js(fn["LoggingConfig"]))
	}

	props, allow := role(t, res, "LinksRole")
	if m, ok := props["ManagedPolicyArns"]; ok {
		t.Errorf("LinksRole has managed policies %v", m)
	}
	got := map[string]string{}
	// One statement per kind of item: the unsubscribes and the alerts'
	// acknowledgements and silences.
	prefixes := map[string]bool{}
	for _, s := range allow {
		actions := list(s.Action)
		slices.Sort(actions)
		got[strings.Join(actions, ",")] = js(s.Resource)
		if strings.HasPrefix(actions[0], "dynamodb:") {
			leading := js(s.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
			switch leading {
			case `["` + keys.Unsub + `*"]`, `["` + keys.AlertControl + `*"]`:
				prefixes[leading] = true
			default:
				t.Errorf("DynamoDB not limited to the unsubscribe items (%s*) or the alert acks and silences (%s*): %s", keys.Unsub, keys.AlertControl, leading)
			}
		}
	}
	if len(prefixes) != 2 {
		t.Errorf("LinksRole's DynamoDB statements cover %v, want the unsubscribes and the alert acks and silences", prefixes)
	}
	want := map[string]string{
		"logs:CreateLogStream,logs:PutLogEvents": `{"Fn::GetAtt":["LinksLogGroup","Arn"]}`,
		"dynamodb:GetItem,dynamodb:PutItem":      `{"Fn::GetAtt":["StateTable","Arn"]}`,
		"secretsmanager:GetSecretValue":          `{"Ref":"LinkSigningKey"}`,
		"s3:GetObject":                           `{"Fn::Sub":"${ArchiveBucket.Arn}/digests/*"}`,
	}
	for a, r := range want {
		if got[a] != r {
			t.Errorf("LinksRole: %s on %s, want on %s", a, got[a], r)
		}
	}
	for a := range got {
		if _, ok := want[a]; !ok {
			t.Errorf("LinksRole allows %s, which the links function does not need", a)
		}
	}

	var key struct {
		GenerateSecretString struct{ PasswordLength int }
	}
	if r := res["LinkSigningKey"]; r.Type != "AWS::SecretsManager::Secret" {
		t.Fatalf("LinkSigningKey is %q", r.Type)
	} else if _ = json.Unmarshal(r.Properties, &key); key.GenerateSecretString.PasswordLength < 32 {
		t.Errorf("generated key of %d characters; linktoken wants at least 32 bytes", key.GenerateSecretString.PasswordLength)
	}
}

// TestDigestFunctionSignsLinks: the digest function gets the links
// function's URL and the key, and may read the key.
func TestDigestFunctionSignsLinks(t *testing.T) {
	res := translate(t)
	var props struct {
		Environment struct{ Variables map[string]any }
	}
	_ = json.Unmarshal(res["DigestFunction"].Properties, &props)
	env := props.Environment.Variables
	if got := js(env["LINKS_BASE_URL"]); got != `{"Fn::GetAtt":["LinksFunctionUrl","FunctionUrl"]}` {
		t.Errorf("LINKS_BASE_URL = %s", got)
	}
	if got := js(env["LINK_SECRET_ARN"]); got != `{"Ref":"LinkSigningKey"}` {
		t.Errorf("LINK_SECRET_ARN = %s", got)
	}
	_, allow := role(t, res, "DigestRole")
	readsKey := false
	for _, s := range allow {
		readsKey = readsKey || (js(s.Resource) == `{"Ref":"LinkSigningKey"}` && slices.Equal(list(s.Action), []string{"secretsmanager:GetSecretValue"}))
	}
	if !readsKey {
		t.Error("DigestRole cannot read LinkSigningKey")
	}
	data, err := os.ReadFile(filepath.Join(root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^  LinksUrl:\n(?:    .*\n)*?    Value: !GetAtt LinksFunctionUrl.FunctionUrl$`).Match(data) {
		t.Error("no LinksUrl output with the function URL")
	}
}

// TestAlertFunctionReceiversAndLinks: the alert function signs the
// acknowledge and silence links (the links URL, the key, leave to read
// it), reads its receivers' secrets only under ReceiverSecretsPrefix, and
// a receiver's permanent refusal (its log line's alarm field) raises an
// alarm.
func TestAlertFunctionReceiversAndLinks(t *testing.T) {
	res := translate(t)
	var props struct {
		Environment struct{ Variables map[string]any }
	}
	_ = json.Unmarshal(res["AlertFunction"].Properties, &props)
	env := props.Environment.Variables
	if got := js(env["LINKS_BASE_URL"]); got != `{"Fn::GetAtt":["LinksFunctionUrl","FunctionUrl"]}` {
		t.Errorf("LINKS_BASE_URL = %s", got)
	}
	if got := js(env["LINK_SECRET_ARN"]); got != `{"Ref":"LinkSigningKey"}` {
		t.Errorf("LINK_SECRET_ARN = %s", got)
	}
	_, allow := role(t, res, "AlertRole")
	// The evaluation reads the acknowledgements and silences (pkg/oncall's
	// partition, keys.AlertControl).
	readsControl := false
	for _, s := range allow {
		for _, p := range list(s.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]) {
			readsControl = readsControl || strings.HasPrefix(keys.AlertControl, strings.TrimSuffix(p, "*"))
		}
	}
	if !readsControl {
		t.Errorf("AlertRole's LeadingKeys do not cover %s", keys.AlertControl)
	}
	secrets := map[string]bool{}
	for _, s := range allow {
		if slices.Equal(list(s.Action), []string{"secretsmanager:GetSecretValue"}) {
			secrets[js(s.Resource)] = true
		}
	}
	for _, want := range []string{`{"Ref":"LinkSigningKey"}`, `{"Ref":"Comm100SecretArn"}`,
		`{"Fn::Sub":"arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${ReceiverSecretsPrefix}*"}`} {
		if !secrets[want] {
			t.Errorf("AlertRole cannot read %s (reads %v)", want, secrets)
		}
	}
	if len(secrets) != 3 {
		t.Errorf("AlertRole reads secrets %v, want exactly those three", secrets)
	}

	var filter struct {
		LogGroupName          any
		FilterPattern         string
		MetricTransformations []struct{ MetricName string }
	}
	_ = json.Unmarshal(res["AlertReceiverRejected"].Properties, &filter)
	if js(filter.LogGroupName) != `{"Ref":"AlertLogGroup"}` || !strings.Contains(filter.FilterPattern, `$.alarm = "`+alert.AlarmReceiverRejected+`"`) {
		t.Errorf("receiver-rejected filter %+v does not match the alert function's alarm field %q", filter, alert.AlarmReceiverRejected)
	}
	var alarm struct{ MetricName string }
	_ = json.Unmarshal(res["AlertReceiverRejectedAlarm"].Properties, &alarm)
	if len(filter.MetricTransformations) != 1 || alarm.MetricName != filter.MetricTransformations[0].MetricName {
		t.Errorf("alarm on %q, filter counts %+v", alarm.MetricName, filter.MetricTransformations)
	}
}
