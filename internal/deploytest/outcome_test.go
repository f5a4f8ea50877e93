package deploytest

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// jsonTerm is one `$.field = "value"` comparison of a CloudWatch Logs JSON
// filter pattern, the only form the outcome filter may use (joined by ||,
// in optional parentheses), so that this test can evaluate it exactly.
var jsonTerm = regexp.MustCompile(`^\(?\s*\$\.([A-Za-z0-9_]+)\s*=\s*"([^"*]*)"\s*\)?$`)

// matchFilter evaluates a pattern of the form `{ term || term … }` on one
// JSON log line. It fails the test on any other form.
func matchFilter(t *testing.T, pattern string, line map[string]any) bool {
	t.Helper()
	body, ok := strings.CutPrefix(strings.TrimSpace(pattern), "{")
	body, ok2 := strings.CutSuffix(body, "}")
	if !ok || !ok2 || strings.Contains(body, "&&") {
		t.Fatalf("pattern %q: this test evaluates only { $.a = \"x\" || … }", pattern)
	}
	for _, term := range strings.Split(body, "||") {
		m := jsonTerm.FindStringSubmatch(strings.TrimSpace(term))
		if m == nil {
			t.Fatalf("pattern %q: term %q is not $.field = \"value\"", pattern, term)
		}
		if v, ok := line[m[1]].(string); ok && v == m[2] {
			return true
		}
	}
	return false
}

// TestUndeliveredFilterMatchesTheLogLines runs the template's metric
// filter on the lines the digest function really writes when a message's
// outcome settles (pkg/digest keeps testdata/outcome-log.jsonl equal to
// them): it counts each failed and unknown outcome once, and no sent one.
func TestUndeliveredFilterMatchesTheLogLines(t *testing.T) {
	res := translate(t)
	p := props(t, res, "DigestUndelivered", "AWS::Logs::MetricFilter")
	if js(p["LogGroupName"]) != `{"Ref":"DigestLogGroup"}` {
		t.Errorf("filter on %s, want the digest function's log group", js(p["LogGroupName"]))
	}
	pattern, _ := p["FilterPattern"].(string)
	metric := p["MetricTransformations"].([]any)[0].(map[string]any)
	alarm := props(t, res, "UndeliveredAlarm", "AWS::CloudWatch::Alarm")
	if metric["MetricName"] != alarm["MetricName"] || js(metric["MetricNamespace"]) != js(alarm["Namespace"]) {
		t.Errorf("alarm watches %s %s, the filter writes %s %s", js(alarm["Namespace"]), alarm["MetricName"], js(metric["MetricNamespace"]), metric["MetricName"])
	}
	f, err := os.Open(filepath.Join(root(t), "pkg", "digest", "testdata", "outcome-log.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines, matched := 0, map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		lines++
		outcome, _ := line["outcome"].(string)
		hit := matchFilter(t, pattern, line)
		if hit {
			matched[outcome]++
		}
		if want := outcome == "failed" || outcome == "unknown"; hit != want {
			t.Errorf("filter %q matched=%v on %s", pattern, hit, sc.Bytes())
		}
	}
	if lines == 0 || matched["failed"] == 0 || matched["unknown"] == 0 {
		t.Errorf("%d lines, matched %v: want failed and unknown outcomes among them", lines, matched)
	}
}
