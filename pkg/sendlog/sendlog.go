// Package sendlog records which messages were sent, so a retried or
// duplicated invocation never sends the same email twice (like
// Alertmanager's notification log). A send is claimed before it happens
// and marked done after; a claim whose holder crashed expires after a lease
// and can be taken over.
package sendlog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Outcomes of Begin that mean "do not send".
var (
	ErrAlreadySent = errors.New("already sent")
	ErrInProgress  = errors.New("another invocation is sending it now")
)

// Claim is the right to send one message.
type Claim struct {
	Key   string
	Token string
}

// Record is what the log knows about a key.
type Record struct {
	Key        string
	State      string // "in-progress" or "sent"
	MessageID  string
	SentAt     time.Time
	LeaseUntil time.Time
}

// Log is a send log.
type Log interface {
	// Begin claims key. It fails with ErrAlreadySent, or ErrInProgress while
	// another claim's lease is live.
	Begin(ctx context.Context, key string, now time.Time, lease time.Duration) (Claim, error)
	// Done marks the claim sent.
	Done(ctx context.Context, c Claim, messageID string, now time.Time) error
	// Abandon drops a claim after a failure before sending, so a retry can go ahead.
	Abandon(ctx context.Context, c Claim) error
	// Get reads a key's record (nil if none).
	Get(ctx context.Context, key string) (*Record, error)
}

const (
	stateInProgress = "in-progress"
	stateSent       = "sent"
	// Retention keeps records long enough to cover any retry and back-fill
	// window; DynamoDB's TTL deletes them after.
	Retention = 400 * 24 * time.Hour
)

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// DynamoDB is a Log in the reportmailer table: string keys "pk" (partition)
// and "sk" (sort; "send" for send-log items), TTL on the number "ttl".
type DynamoDB struct {
	Client *dynamodb.Client
	Table  string
}

// sortKey is the sort key of every send-log item.
const sortKey = "send"

func itemKey(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": s(key), "sk": s(sortKey)}
}

func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}
func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// Begin implements Log with a conditional put.
func (d DynamoDB) Begin(ctx context.Context, key string, now time.Time, lease time.Duration) (Claim, error) {
	c := Claim{Key: key, Token: newToken()}
	_, err := d.Client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.Table),
		Item: map[string]types.AttributeValue{
			"pk": s(key), "sk": s(sortKey), "state": s(stateInProgress), "token": s(c.Token),
			"leaseUntil": n(now.Add(lease).Unix()), "ttl": n(now.Add(Retention).Unix()),
		},
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR (#state = :inprogress AND leaseUntil < :now)"),
		ExpressionAttributeNames:  map[string]string{"#state": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":inprogress": s(stateInProgress), ":now": n(now.Unix())},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		rec, gerr := d.Get(ctx, key)
		if gerr != nil {
			return Claim{}, gerr
		}
		if rec != nil && rec.State == stateSent {
			return Claim{}, fmt.Errorf("%s: %w (message %s at %s)", key, ErrAlreadySent, rec.MessageID, rec.SentAt.Format(time.RFC3339))
		}
		return Claim{}, fmt.Errorf("%s: %w", key, ErrInProgress)
	}
	if err != nil {
		return Claim{}, fmt.Errorf("sendlog begin %s: %w", key, err)
	}
	return c, nil
}

// Done implements Log.
func (d DynamoDB) Done(ctx context.Context, c Claim, messageID string, now time.Time) error {
	_, err := d.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       itemKey(c.Key),
		UpdateExpression:          aws.String("SET #state = :sent, messageId = :id, sentAt = :at REMOVE leaseUntil"),
		ConditionExpression:       aws.String("#token = :token"),
		ExpressionAttributeNames:  map[string]string{"#state": "state", "#token": "token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":sent": s(stateSent), ":id": s(messageID), ":at": n(now.Unix()), ":token": s(c.Token)},
	})
	if err != nil {
		return fmt.Errorf("sendlog done %s: %w", c.Key, err)
	}
	return nil
}

// Abandon implements Log.
func (d DynamoDB) Abandon(ctx context.Context, c Claim) error {
	_, err := d.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       itemKey(c.Key),
		ConditionExpression:       aws.String("#token = :token AND #state = :inprogress"),
		ExpressionAttributeNames:  map[string]string{"#state": "state", "#token": "token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":token": s(c.Token), ":inprogress": s(stateInProgress)},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("sendlog abandon %s: %w", c.Key, err)
	}
	return nil
}

// Get implements Log with a consistent read.
func (d DynamoDB) Get(ctx context.Context, key string) (*Record, error) {
	out, err := d.Client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(d.Table), Key: itemKey(key), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("sendlog get %s: %w", key, err)
	}
	if out.Item == nil {
		return nil, nil
	}
	r := &Record{Key: key}
	if v, ok := out.Item["state"].(*types.AttributeValueMemberS); ok {
		r.State = v.Value
	}
	if v, ok := out.Item["messageId"].(*types.AttributeValueMemberS); ok {
		r.MessageID = v.Value
	}
	if v, ok := out.Item["sentAt"].(*types.AttributeValueMemberN); ok {
		sec, _ := strconv.ParseInt(v.Value, 10, 64)
		r.SentAt = time.Unix(sec, 0).UTC()
	}
	if v, ok := out.Item["leaseUntil"].(*types.AttributeValueMemberN); ok {
		sec, _ := strconv.ParseInt(v.Value, 10, 64)
		r.LeaseUntil = time.Unix(sec, 0).UTC()
	}
	return r, nil
}

// CreateTable makes the reportmailer table (for local runs and tests; the
// SAM template creates it in AWS). The alert state store shares it.
func CreateTable(ctx context.Context, client *dynamodb.Client, table string) error {
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	})
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		return nil
	}
	return err
}

// Memory is a Log in memory, for dry runs and tests.
type Memory struct {
	mu   sync.Mutex
	recs map[string]*memRecord
}

type memRecord struct {
	Record
	token string
}

// Begin implements Log.
func (m *Memory) Begin(_ context.Context, key string, now time.Time, lease time.Duration) (Claim, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.recs == nil {
		m.recs = map[string]*memRecord{}
	}
	if r, ok := m.recs[key]; ok {
		if r.State == stateSent {
			return Claim{}, fmt.Errorf("%s: %w", key, ErrAlreadySent)
		}
		if now.Before(r.LeaseUntil) {
			return Claim{}, fmt.Errorf("%s: %w", key, ErrInProgress)
		}
	}
	c := Claim{Key: key, Token: newToken()}
	m.recs[key] = &memRecord{Record: Record{Key: key, State: stateInProgress, LeaseUntil: now.Add(lease)}, token: c.Token}
	return c, nil
}

// Done implements Log.
func (m *Memory) Done(_ context.Context, c Claim, id string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[c.Key]
	if !ok || r.token != c.Token {
		return fmt.Errorf("sendlog done %s: claim lost", c.Key)
	}
	r.State, r.MessageID, r.SentAt = stateSent, id, now
	return nil
}

// Abandon implements Log.
func (m *Memory) Abandon(_ context.Context, c Claim) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.recs[c.Key]; ok && r.token == c.Token && r.State == stateInProgress {
		delete(m.recs, c.Key)
	}
	return nil
}

// Get implements Log.
func (m *Memory) Get(_ context.Context, key string) (*Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.recs[key]; ok {
		rec := r.Record
		return &rec, nil
	}
	return nil, nil
}
