package config_test

import (
	"strings"
	"testing"

	"reportmailer/pkg/config"
)

// TestNoDataRuleIDIsReserved: a rule named like the built-in no-data
// alert shares its state partition; each evaluation of one takes the
// other's instances for vanished, so the rule's alert fires and is
// "resolved" as "Comm100 data is available again" every minute.
func TestNoDataRuleIDIsReserved(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"comm100-data-unavailable"} {
		_, err := config.Load([]byte(sample("", "", "", "", ", id: "+id)))
		ps, ok := err.(config.Problems)
		found := false
		for _, p := range ps {
			found = found || (p.Path == "alerts.rules[0].id" && strings.Contains(p.Message, "reserved"))
		}
		if !ok || !found {
			t.Errorf("rule id %s accepted (err = %v)", id, err)
		}
	}
}
