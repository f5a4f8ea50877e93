package appenv

import (
	"strconv"

	"reportmailer/pkg/reports"
)

// DigestQuota is one digest consumer's share of Comm100's call limit. The
// template passes the queue's maximum concurrency as DIGEST_CONSUMERS, so
// however many consumers run at once, with the one alert process
// (reserved concurrency 1), they stay within 300 calls per 5 minutes:
//
//	consumers × DigestShare(consumers) + AlertQuota ≤ SiteQuota
func DigestQuota(getenv func(string) string) reports.Quota {
	n, err := strconv.Atoi(getenv("DIGEST_CONSUMERS"))
	if err != nil || n < 1 {
		n = 1
	}
	return reports.DigestShare(n)
}

func quotaOf(q reports.Quota) reports.Quota {
	if q.Calls < 1 || q.Window <= 0 {
		return reports.DigestShare(1)
	}
	return q
}
