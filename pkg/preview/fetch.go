package preview

import (
	"context"
	"fmt"
	"sync"

	"reportmailer/pkg/digest"
	"reportmailer/pkg/reports"
)

// fetchCache keeps every report answer for the life of the preview: an
// edit re-renders from memory instead of asking Comm100 again, which keeps
// a re-render fast and a real account inside its rate limit (300 calls per
// 5 minutes; the example weekly digest alone makes about 40). Failures are
// not kept, so the next edit tries again.
type fetchCache struct {
	mu sync.Mutex
	m  map[string]reports.Result
}

func newFetchCache() *fetchCache { return &fetchCache{m: map[string]reports.Result{}} }

// wrap returns a Fetcher in front of f; account separates the answers of
// different Comm100 sites and hosts.
func (c *fetchCache) wrap(f digest.Fetcher, account string) digest.Fetcher {
	return cachedFetcher{c: c, f: f, account: account}
}

type cachedFetcher struct {
	c       *fetchCache
	f       digest.Fetcher
	account string
}

func (cf cachedFetcher) Fetch(ctx context.Context, name reports.Name, q reports.Query) (reports.Result, error) {
	key := fmt.Sprintf("%s|%s|%d|%d|%d|%s", cf.account, name, q.From.UnixNano(), q.To.UnixNano(), q.Offset, q.Group)
	if q.Filter != nil {
		key += "|" + q.Filter.Name + "=" + q.Filter.Value
	}
	cf.c.mu.Lock()
	r, ok := cf.c.m[key]
	cf.c.mu.Unlock()
	if ok {
		return r, nil
	}
	r, err := cf.f.Fetch(ctx, name, q)
	if err != nil {
		return r, err
	}
	cf.c.mu.Lock()
	cf.c.m[key] = r
	cf.c.mu.Unlock()
	return r, nil
}
