// Package suppress records who left which digest: the one-click
// unsubscribe link writes here, and digest runs drop the addresses it
// holds. A re-subscribe is recorded too, with its time, so that a link
// from an older mail replayed afterwards cannot undo it.
package suppress

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"reportmailer/pkg/keys"
)

// Status is a recipient's standing for one digest.
type Status struct {
	Suppressed bool
	// Since is when it last changed (zero if never recorded).
	Since time.Time
}

// Store keeps suppressions.
type Store interface {
	// Set records that recipient left (suppressed) or rejoined the digest at `at`.
	Set(ctx context.Context, digest, recipient string, suppressed bool, at time.Time) error
	// Get returns a recipient's status for the digest.
	Get(ctx context.Context, digest, recipient string) (Status, error)
	// Suppressed returns the addresses (lower case) that left the digest.
	// Further ids are the digest's former ids (config formerIds): links
	// in mails sent before a rename still write under them. Each
	// address's latest change under any of the ids decides.
	Suppressed(ctx context.Context, digest string, formerIDs ...string) (map[string]bool, error)
}

// latest merges statuses: the later change of an address wins.
func latest(into map[string]Status, addr string, st Status) {
	if old, ok := into[addr]; !ok || st.Since.After(old.Since) {
		into[addr] = st
	}
}

func suppressedOf(all map[string]Status) map[string]bool {
	out := map[string]bool{}
	for addr, st := range all {
		if st.Suppressed {
			out[addr] = true
		}
	}
	return out
}

// Normalize is how addresses are compared: trimmed and lower case.
func Normalize(addr string) string { return strings.ToLower(strings.TrimSpace(addr)) }

// DynamoDB keeps suppressions in the reportmailer table: pk
// keys.Suppressions ("digest#unsub#<digest>"), sk the address.
type DynamoDB struct {
	Client interface {
		PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
		GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
		Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	}
	Table string
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// Set implements Store.
func (d DynamoDB) Set(ctx context.Context, digest, recipient string, suppressed bool, at time.Time) error {
	state := "subscribed"
	if suppressed {
		state = "suppressed"
	}
	_, err := d.Client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.Table),
		Item: map[string]types.AttributeValue{
			"pk": str(keys.Suppressions(digest)), "sk": str(Normalize(recipient)), "state": str(state),
			"at": &types.AttributeValueMemberN{Value: strconv.FormatInt(at.Unix(), 10)},
		},
	})
	if err != nil {
		return fmt.Errorf("suppress %s: %w", digest, err)
	}
	return nil
}

func statusOf(item map[string]types.AttributeValue) Status {
	var st Status
	if v, ok := item["state"].(*types.AttributeValueMemberS); ok {
		st.Suppressed = v.Value == "suppressed"
	}
	if v, ok := item["at"].(*types.AttributeValueMemberN); ok {
		if n, err := strconv.ParseInt(v.Value, 10, 64); err == nil {
			st.Since = time.Unix(n, 0).UTC()
		}
	}
	return st
}

// Get implements Store.
func (d DynamoDB) Get(ctx context.Context, digest, recipient string) (Status, error) {
	out, err := d.Client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.Table),
		Key:            map[string]types.AttributeValue{"pk": str(keys.Suppressions(digest)), "sk": str(Normalize(recipient))},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Status{}, fmt.Errorf("suppress %s: %w", digest, err)
	}
	if out.Item == nil {
		return Status{}, nil
	}
	return statusOf(out.Item), nil
}

// Suppressed implements Store with one paged Query per id.
func (d DynamoDB) Suppressed(ctx context.Context, digest string, formerIDs ...string) (map[string]bool, error) {
	all := map[string]Status{}
	for _, id := range append([]string{digest}, formerIDs...) {
		in := &dynamodb.QueryInput{
			TableName:                 aws.String(d.Table),
			KeyConditionExpression:    aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(keys.Suppressions(id))},
			ConsistentRead:            aws.Bool(true),
		}
		p := dynamodb.NewQueryPaginator(d.Client, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("suppressions of %s: %w", id, err)
			}
			for _, item := range page.Items {
				if sk, ok := item["sk"].(*types.AttributeValueMemberS); ok {
					latest(all, sk.Value, statusOf(item))
				}
			}
		}
	}
	return suppressedOf(all), nil
}

// Memory is a Store for tests and local runs.
type Memory struct {
	mu sync.Mutex
	m  map[string]Status
}

// Set implements Store.
func (m *Memory) Set(_ context.Context, digest, recipient string, suppressed bool, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]Status{}
	}
	m.m[digest+"\x00"+Normalize(recipient)] = Status{Suppressed: suppressed, Since: at.UTC().Truncate(time.Second)}
	return nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, digest, recipient string) (Status, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.m[digest+"\x00"+Normalize(recipient)], nil
}

// Suppressed implements Store.
func (m *Memory) Suppressed(_ context.Context, digest string, formerIDs ...string) (map[string]bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := map[string]bool{digest: true}
	for _, id := range formerIDs {
		ids[id] = true
	}
	all := map[string]Status{}
	for k, st := range m.m {
		if d, addr, _ := strings.Cut(k, "\x00"); ids[d] {
			latest(all, addr, st)
		}
	}
	return suppressedOf(all), nil
}
