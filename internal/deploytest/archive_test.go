package deploytest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"reportmailer/pkg/config"
	"reportmailer/pkg/digest"
)

// A mail whose PDF was too large to attach links it for ArchiveLinkTTL (7
// days); an archive that expires sooner breaks the link the mail promised.
// The template's parameter refuses a shorter retention, as CloudFormation
// receives it, and the committed samconfig.toml respects it.
func TestArchiveRetentionOutlivesItsLinks(t *testing.T) {
	translate(t)
	var p struct {
		MinValue *float64 `json:"MinValue"`
	}
	if err := json.Unmarshal(translated.params["ArchiveRetentionDays"], &p); err != nil || p.MinValue == nil {
		t.Fatalf("ArchiveRetentionDays has no MinValue (%v)", err)
	}
	days := digest.ArchiveLinkTTL.Hours() / 24
	if *p.MinValue < days {
		t.Errorf("ArchiveRetentionDays MinValue %v: want at least %v, the days a mail's archive link works", *p.MinValue, days)
	}
	data, err := os.ReadFile(filepath.Join(root(t), "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`ArchiveRetentionDays=(\d+)`).FindAllStringSubmatch(string(data), -1) {
		if n, _ := strconv.Atoi(m[1]); float64(n) < *p.MinValue {
			t.Errorf("samconfig.toml sets ArchiveRetentionDays=%d, below the template's MinValue %v", n, *p.MinValue)
		}
	}
	if digest.ArchiveLinkTTL%(24*time.Hour) != 0 {
		t.Errorf("ArchiveLinkTTL %s is not whole days", digest.ArchiveLinkTTL)
	}
}

// Every grant on the archive bucket's objects, and the lifecycle rule that
// expires them, cover exactly config.ArchiveGrantPrefix: validate refuses
// a mail.archivePrefix outside it, so the two must agree.
func TestArchiveGrantIsTheConfigPrefix(t *testing.T) {
	res := translate(t)
	grants := 0
	for name, r := range res {
		if r.Type != "AWS::IAM::Role" {
			continue
		}
		for _, s := range statements(t, r.Properties) {
			resource := js(s.Resource)
			if !strings.Contains(resource, "ArchiveBucket") || !strings.Contains(js(s.Action), "s3:") {
				continue
			}
			grants++
			if !strings.Contains(resource, "/"+config.ArchiveGrantPrefix+"*") {
				t.Errorf("%s %s grants %s, not %s*", name, s.Sid, resource, config.ArchiveGrantPrefix)
			}
		}
	}
	if grants == 0 {
		t.Error("no role is granted the archive's objects")
	}
	var bucket struct {
		LifecycleConfiguration struct {
			Rules []struct {
				Prefix string `json:"Prefix"`
			} `json:"Rules"`
		} `json:"LifecycleConfiguration"`
	}
	_ = json.Unmarshal(res["ArchiveBucket"].Properties, &bucket)
	if rules := bucket.LifecycleConfiguration.Rules; len(rules) == 0 || rules[0].Prefix != config.ArchiveGrantPrefix {
		t.Errorf("the archive's lifecycle rule %+v does not expire %s", rules, config.ArchiveGrantPrefix)
	}
}
