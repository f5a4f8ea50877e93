package deploytest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func props(t *testing.T, res map[string]resource, name, typ string) map[string]any {
	t.Helper()
	r, ok := res[name]
	if !ok || r.Type != typ {
		t.Fatalf("no %s %s", typ, name)
	}
	var p map[string]any
	if err := json.Unmarshal(r.Properties, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDispatcherSchedule: one quarter-hour tick for every digest, whose
// Input is exactly events/dispatch.json's shape; no per-digest schedule
// or parameter is left.
func TestDispatcherSchedule(t *testing.T) {
	res := translate(t)
	p := props(t, res, "DispatchFunctionTick", "AWS::Scheduler::Schedule")
	if p["ScheduleExpression"] != "cron(0/15 * * * ? *)" || p["ScheduleExpressionTimezone"] != "UTC" {
		t.Errorf("tick %v %v, want every quarter hour", p["ScheduleExpression"], p["ScheduleExpressionTimezone"])
	}
	target := p["Target"].(map[string]any)
	if js(target["Arn"]) != `{"Fn::GetAtt":["DispatchFunction","Arn"]}` || js(target["DeadLetterConfig"]) != `{"Arn":{"Fn::GetAtt":["DeadLetterQueue","Arn"]}}` {
		t.Errorf("tick target %s", js(target))
	}
	var input, sample map[string]string
	if err := json.Unmarshal([]byte(target["Input"].(string)), &input); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root(t), "events", "dispatch.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &sample); err != nil {
		t.Fatal(err)
	}
	if input["scheduledTime"] != "<aws.scheduler.scheduled-time>" || input["every"] != "15m" || len(input) != 2 {
		t.Errorf("tick Input %v", input)
	}
	if sample["every"] != input["every"] || sample["scheduledTime"] == "" || len(sample) != len(input) {
		t.Errorf("events/dispatch.json %v is not the tick's Input %v with the time filled in", sample, input)
	}
	schedules := 0
	for name, r := range res {
		if r.Type == "AWS::Scheduler::Schedule" {
			schedules++
			if strings.HasPrefix(name, "DigestFunction") {
				t.Errorf("%s: the digest function has a schedule of its own", name)
			}
		}
	}
	if schedules != 2 {
		t.Errorf("%d schedules, want the dispatcher's and the alerts'", schedules)
	}
	params := templateParams(t)
	for _, gone := range []string{"DigestId", "DigestSchedule", "ScheduleTimezone"} {
		if _, ok := params[gone]; ok {
			t.Errorf("template still has the per-digest parameter %s", gone)
		}
	}
}

// TestDigestQueue: the digest function consumes the dispatcher's queue one
// job at a time, at most DigestMaxConcurrency (default 2) at once, each
// consumer told that number for its quota share; failed jobs are
// redelivered, then dead-lettered and alarmed.
func TestDigestQueue(t *testing.T) {
	res := translate(t)
	q := props(t, res, "DigestQueue", "AWS::SQS::Queue")
	fn := props(t, res, "DigestFunction", "AWS::Lambda::Function")
	timeout, _ := fn["Timeout"].(float64)
	if vt, _ := q["VisibilityTimeout"].(float64); timeout == 0 || vt < 3*timeout {
		t.Errorf("visibility timeout %v for a %v s function: a running job would be delivered again", q["VisibilityTimeout"], timeout)
	}
	redrive := q["RedrivePolicy"].(map[string]any)
	if js(redrive["deadLetterTargetArn"]) != `{"Fn::GetAtt":["DeadLetterQueue","Arn"]}` || redrive["maxReceiveCount"] == nil {
		t.Errorf("redrive %s", js(redrive))
	}
	esm := props(t, res, "DigestFunctionJobs", "AWS::Lambda::EventSourceMapping")
	for key, want := range map[string]string{
		"EventSourceArn":        `{"Fn::GetAtt":["DigestQueue","Arn"]}`,
		"FunctionName":          `{"Ref":"DigestFunction"}`,
		"BatchSize":             `1`,
		"ScalingConfig":         `{"MaximumConcurrency":{"Ref":"DigestMaxConcurrency"}}`,
		"FunctionResponseTypes": `["ReportBatchItemFailures"]`,
	} {
		if got := js(esm[key]); got != want {
			t.Errorf("event source mapping %s = %s, want %s", key, got, want)
		}
	}
	if d := templateParams(t)["DigestMaxConcurrency"].Default; d == nil || *d != "2" {
		t.Errorf("DigestMaxConcurrency default %v, want 2", d)
	}
	env := fn["Environment"].(map[string]any)["Variables"].(map[string]any)
	if js(env["DIGEST_CONSUMERS"]) != `{"Ref":"DigestMaxConcurrency"}` {
		t.Errorf("DIGEST_CONSUMERS = %s: each consumer's quota share must divide by the maximum concurrency", js(env["DIGEST_CONSUMERS"]))
	}
	dispatch := props(t, res, "DispatchFunction", "AWS::Lambda::Function")
	if js(dispatch["Environment"].(map[string]any)["Variables"].(map[string]any)["DIGEST_QUEUE_URL"]) != `{"Ref":"DigestQueue"}` {
		t.Error("the dispatcher is not told the queue's URL")
	}
	alert := props(t, res, "AlertFunction", "AWS::Lambda::Function")
	if alert["ReservedConcurrentExecutions"] != 1.0 {
		t.Errorf("alert ReservedConcurrentExecutions %v, want 1 (one AlertQuota share)", alert["ReservedConcurrentExecutions"])
	}
	for _, alarm := range []string{"DigestQueueAgeAlarm", "DeadLetterAlarm", "DispatchErrorsAlarm", "ConfigRejectedAlarm"} {
		props(t, res, alarm, "AWS::CloudWatch::Alarm")
	}
	for _, filter := range []string{"DigestConfigRejected", "AlertConfigRejected", "DispatchConfigRejected"} {
		p := props(t, res, filter, "AWS::Logs::MetricFilter")
		if !strings.Contains(js(p["FilterPattern"]), "configuration change rejected") {
			t.Errorf("%s pattern %s does not match appenv.Reloader's message", filter, js(p["FilterPattern"]))
		}
	}
}

// TestQueueIAM: only the dispatcher may send to the digest queue, and only
// send; the digest function may only receive and delete there; the
// dispatcher touches nothing else but its logs, the DLQ and the config.
func TestQueueIAM(t *testing.T) {
	res := translate(t)
	for name, r := range res {
		if r.Type != "AWS::IAM::Role" {
			continue
		}
		for _, s := range statements(t, r.Properties) {
			if s.Effect != "Allow" || !strings.Contains(js(s.Resource), `"DigestQueue"`) {
				continue
			}
			for _, a := range list(s.Action) {
				switch {
				case name == "DispatchRole" && a == "sqs:SendMessage":
				case name == "DigestRole" && (a == "sqs:ReceiveMessage" || a == "sqs:DeleteMessage" || a == "sqs:GetQueueAttributes" || a == "sqs:ChangeMessageVisibility"):
				default:
					t.Errorf("%s may %s on the digest queue", name, a)
				}
			}
			if js(s.Resource) != `{"Fn::GetAtt":["DigestQueue","Arn"]}` {
				t.Errorf("%s: %s on %s, want the queue alone", name, js(s.Action), js(s.Resource))
			}
		}
	}
	_, allow := role(t, res, "DispatchRole")
	sends := 0
	for _, s := range allow {
		for _, a := range list(s.Action) {
			svc := strings.SplitN(a, ":", 2)[0]
			if svc != "logs" && svc != "sqs" && svc != "ssm" && svc != "s3" {
				t.Errorf("the dispatcher may %s", a)
			}
			if a == "sqs:SendMessage" && js(s.Resource) == `{"Fn::GetAtt":["DigestQueue","Arn"]}` {
				sends++
			}
		}
	}
	if sends != 1 {
		t.Errorf("DispatchRole has %d SendMessage statements on the digest queue, want 1", sends)
	}
}

// TestSSMParameterARN evaluates every role's SSM resource for a parameter
// name with and without its leading "/": both must give the ARN AWS
// checks, …:parameter/<name without the slash>.
func TestSSMParameterARN(t *testing.T) {
	res := translate(t)
	pattern := regexp.MustCompile(templateParams(t)["ConfigSsmParameter"].AllowedPattern)
	roles := 0
	for _, name := range []string{"DigestRole", "AlertRole", "DispatchRole"} {
		_, allow := role(t, res, name)
		for _, s := range allow {
			if js(s.Action) != `"ssm:GetParameter"` {
				if strings.Contains(js(s.Action), "ssm:") {
					t.Errorf("%s: SSM actions %s, want only ssm:GetParameter", name, js(s.Action))
				}
				continue
			}
			roles++
			for param, want := range map[string]string{
				"/reportmailer/config": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/reportmailer/config",
				"reportmailer-config":  "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/reportmailer-config",
			} {
				if !pattern.MatchString(param) {
					t.Errorf("ConfigSsmParameter does not accept %q", param)
				}
				if got := evalIntrinsic(t, s.Resource, map[string]string{"ConfigSsmParameter": param}); got != want {
					t.Errorf("%s: parameter %q gives %s, want %s", name, param, got, want)
				}
			}
		}
	}
	if roles != 3 {
		t.Errorf("%d roles read the SSM parameter, want the three functions'", roles)
	}
	for _, bad := range []string{"a//b", "/", "with space"} {
		if pattern.MatchString(bad) {
			t.Errorf("ConfigSsmParameter accepts %q", bad)
		}
	}
}

// evalIntrinsic evaluates the Fn::Join / Fn::Split / Fn::Sub subset the
// template uses for ARNs, with the given parameters (pseudo parameters
// stay as ${AWS::…}).
func evalIntrinsic(t *testing.T, v any, params map[string]string) string {
	t.Helper()
	list := func(v any) []string {
		var out []string
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				out = append(out, evalIntrinsic(t, e, params))
			}
		case map[string]any:
			if sp, ok := x["Fn::Split"].([]any); ok {
				return strings.Split(evalIntrinsic(t, sp[1], params), sp[0].(string))
			}
			t.Fatalf("cannot evaluate %s as a list", js(v))
		}
		return out
	}
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if sub, ok := x["Fn::Sub"].(string); ok {
			for k, val := range params {
				sub = strings.ReplaceAll(sub, "${"+k+"}", val)
			}
			return sub
		}
		if j, ok := x["Fn::Join"].([]any); ok {
			return strings.Join(list(j[1]), j[0].(string))
		}
	}
	t.Fatalf("cannot evaluate %s", js(v))
	return ""
}
