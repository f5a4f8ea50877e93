package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"reportmailer/pkg/keys"
)

// Stored is an instance's state with the version it was read at.
type Stored struct {
	State
	Version int64
}

// ErrConflict means another evaluation wrote the instance first.
var ErrConflict = errors.New("alert state changed by another evaluation")

// StateStore keeps instance states (and their outboxes) between
// evaluations. It is not the digest send log (package sendlog): that one
// records which digest periods were mailed.
type StateStore interface {
	// Load returns every stored instance of a rule.
	Load(ctx context.Context, ruleID string) (map[string]Stored, error)
	// Save writes a state if the stored version is still expect (0: not
	// stored yet), returning the new version or ErrConflict.
	Save(ctx context.Context, ruleID, instance string, s State, expect int64, now time.Time) (int64, error)
}

// okRetention is how long an OK instance is kept before DynamoDB's TTL
// removes it (it keeps the thread id for a late RESOLVED retry).
const okRetention = 24 * time.Hour

// DynamoStates keeps states in the reportmailer table: pk keys.AlertState,
// sk the instance, the state as JSON and a version number.
type DynamoStates struct {
	Client *dynamodb.Client
	Table  string
}

// Load implements StateStore.
func (d DynamoStates) Load(ctx context.Context, ruleID string) (map[string]Stored, error) {
	out := map[string]Stored{}
	p := dynamodb.NewQueryPaginator(d.Client, &dynamodb.QueryInput{
		TableName: aws.String(d.Table), ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: keys.AlertState(ruleID)}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("alert state %s: %w", ruleID, err)
		}
		for _, item := range page.Items {
			sk, _ := item["sk"].(*types.AttributeValueMemberS)
			st, _ := item["state"].(*types.AttributeValueMemberS)
			ver, _ := item["version"].(*types.AttributeValueMemberN)
			if sk == nil || st == nil || ver == nil {
				continue
			}
			var s Stored
			if err := json.Unmarshal([]byte(st.Value), &s.State); err != nil {
				return nil, fmt.Errorf("alert state %s/%s: %w", ruleID, sk.Value, err)
			}
			s.Version, _ = strconv.ParseInt(ver.Value, 10, 64)
			out[sk.Value] = s
		}
	}
	return out, nil
}

// Save implements StateStore with a version-checked put.
func (d DynamoStates) Save(ctx context.Context, ruleID, instance string, s State, expect int64, now time.Time) (int64, error) {
	data, err := json.Marshal(s)
	if err != nil {
		return 0, err
	}
	ttl := now.Add(30 * 24 * time.Hour)
	if s.Status == OK && s.Outbox == nil {
		ttl = now.Add(okRetention)
	}
	in := &dynamodb.PutItemInput{
		TableName: aws.String(d.Table),
		Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: keys.AlertState(ruleID)}, "sk": &types.AttributeValueMemberS{Value: instance},
			"state": &types.AttributeValueMemberS{Value: string(data)}, "status": &types.AttributeValueMemberS{Value: string(s.Status)},
			"version": &types.AttributeValueMemberN{Value: strconv.FormatInt(expect+1, 10)},
			"ttl":     &types.AttributeValueMemberN{Value: strconv.FormatInt(ttl.Unix(), 10)},
		},
	}
	if expect == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		in.ConditionExpression = aws.String("version = :v")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: strconv.FormatInt(expect, 10)}}
	}
	_, err = d.Client.PutItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return 0, fmt.Errorf("%s/%s: %w", ruleID, instance, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("alert state %s/%s: %w", ruleID, instance, err)
	}
	return expect + 1, nil
}

// MemoryStates keeps states in memory (dry runs, tests, the demo).
type MemoryStates struct {
	mu    sync.Mutex
	items map[string]map[string]Stored
}

// Load implements StateStore.
func (m *MemoryStates) Load(_ context.Context, ruleID string) (map[string]Stored, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]Stored{}
	for k, v := range m.items[ruleID] {
		out[k] = v
	}
	return out, nil
}

// Save implements StateStore.
func (m *MemoryStates) Save(_ context.Context, ruleID, instance string, s State, expect int64, _ time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items == nil {
		m.items = map[string]map[string]Stored{}
	}
	if m.items[ruleID] == nil {
		m.items[ruleID] = map[string]Stored{}
	}
	if cur := m.items[ruleID][instance]; cur.Version != expect {
		return 0, fmt.Errorf("%s/%s: %w", ruleID, instance, ErrConflict)
	}
	m.items[ruleID][instance] = Stored{State: s, Version: expect + 1}
	return expect + 1, nil
}
