package config_test

import (
	"strings"
	"testing"

	"reportmailer/pkg/config"
)

// A renamed digest lists its old ids so that unsubscribes made under them
// still hold; an old id that is also a live id, or is claimed twice, could
// silently move one digest's readers' choices to another, so it is an
// error naming the path.
func TestFormerIDsMustBeUnambiguous(t *testing.T) {
	conf := `
mail: {from: reports@example.com}
digests:
  - id: weekly-managers
    formerIds: [weekly, weekly-old, weekly]
    period: week
    timezone: Europe/London
    to: [a@example.com]
    reports: [{report: chatVolume}]
  - id: daily
    formerIds: [weekly-old, daily-sales, "bad id", daily]
    period: day
    timezone: Europe/London
    to: [a@example.com]
    reports: [{report: chatVolume}]
  - id: daily-sales
    formerIds: [weekly-managers]
    period: day
    timezone: Europe/London
    to: [a@example.com]
    reports: [{report: chatVolume}]
`
	_, err := config.Load([]byte(conf))
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{
		`digests[0].formerIds[2]: "weekly" is listed twice`,
		`digests[1].formerIds[0]: "weekly-old" is already a former id of digests[0] (weekly-managers): unsubscribes under it would apply to both`,
		`digests[1].formerIds[1]: "daily-sales" is the id of a live digest (digests[2]): its unsubscribes would apply to both`,
		`digests[1].formerIds[2]: "bad id": use letters, digits, - and _`,
		`digests[1].formerIds[3]: "daily" is this digest's own id`,
		`digests[2].formerIds[0]: "weekly-managers" is the id of a live digest (digests[0]): its unsubscribes would apply to both`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing problem %q in\n%v", w, err)
		}
	}

	ok := strings.Replace(conf, "[weekly, weekly-old, weekly]", "[weekly]", 1)
	ok = strings.Replace(ok, `[weekly-old, daily-sales, "bad id", daily]`, "[]", 1)
	ok = strings.Replace(ok, "[weekly-managers]", "[sales]", 1)
	cfg, err := config.Load([]byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := cfg.Digest("weekly-managers"); strings.Join(d.FormerIDs, ",") != "weekly" {
		t.Errorf("formerIds %v", d.FormerIDs)
	}
}
