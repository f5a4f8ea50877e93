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
	// ErrOutcomeUnknown: an earlier send may have gone out; sending again
	// could make a second copy, so nobody does without a human.
	ErrOutcomeUnknown = errors.New("an earlier send's outcome is unknown")
	// ErrFailed: SES rejected the message for good; retries cannot help,
	// so only an explicit Reopen (after fixing the cause) sends it again.
	ErrFailed = errors.New("an earlier send was rejected permanently")
)

// ErrClaimLost means Done or Settle found the claim no longer held
// (taken over after its lease): retrying the write cannot help.
var ErrClaimLost = errors.New("claim lost")

// Claim is the right to send one message.
type Claim struct {
	Key   string
	Token string
	// TakenOver says the claim replaced an earlier one whose lease ran out
	// before it recorded an outcome: that holder may have sent the message.
	TakenOver bool
}

// Record is what the log knows about a key.
type Record struct {
	Key        string
	State      string // StateInProgress, StateSent, StateUnknown or StateFailed
	MessageID  string
	Reason     string // why, for StateUnknown and StateFailed
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
	// Settle ends the claim in StateUnknown (the send may have gone out; it
	// is never retried) or StateFailed (rejected for good; Begin refuses it
	// with ErrFailed until Reopen), with the reason.
	Settle(ctx context.Context, c Claim, state, reason string, now time.Time) error
	// Reopen forgets a StateFailed record, so the next Begin may send it:
	// a person's decision after fixing the cause, never a retry's.
	Reopen(ctx context.Context, key string) error
	// Abandon drops a claim after a failure before sending, so a retry can go ahead.
	Abandon(ctx context.Context, c Claim) error
	// Forget deletes key's record so that the message may be sent again
	// (a person's re-send, never a run's), and returns what it deleted
	// (nil if nothing). It refuses a claim whose lease is live
	// (ErrInProgress): someone is sending it now.
	Forget(ctx context.Context, key string, now time.Time) (*Record, error)
	// Get reads a key's record (nil if none).
	Get(ctx context.Context, key string) (*Record, error)
}

// States of a record.
const (
	StateInProgress = "in-progress"
	StateSent       = "sent"
	// StateUnknown: the provider may or may not have taken the message.
	StateUnknown = "unknown"
	// StateFailed: the provider rejected the message for good.
	StateFailed = "failed"
)

const (
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
	Client DynamoDBAPI
	Table  string
}

// DynamoDBAPI is the part of the DynamoDB client the log uses
// (*dynamodb.Client; tests wrap it to inject faults).
type DynamoDBAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
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
	out, err := d.Client.PutItem(ctx, &dynamodb.PutItemInput{
		ReturnValues: types.ReturnValueAllOld,
		TableName:    aws.String(d.Table),
		Item: map[string]types.AttributeValue{
			"pk": s(key), "sk": s(sortKey), "state": s(StateInProgress), "token": s(c.Token),
			"leaseUntil": n(now.Add(lease).Unix()), "ttl": n(now.Add(Retention).Unix()),
		},
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR (#state = :inprogress AND leaseUntil < :now)"),
		ExpressionAttributeNames:  map[string]string{"#state": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":inprogress": s(StateInProgress), ":now": n(now.Unix())},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		rec, token, gerr := d.get(ctx, key)
		if gerr != nil {
			return Claim{}, gerr
		}
		if token == c.Token {
			// Our own put, retried by the SDK after a lost answer.
			return c, nil
		}
		return Claim{}, refusal(key, rec)
	}
	if err != nil {
		return Claim{}, fmt.Errorf("sendlog begin %s: %w", key, err)
	}
	if old, ok := out.Attributes["state"].(*types.AttributeValueMemberS); ok && old.Value == StateInProgress {
		c.TakenOver = true
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
		ExpressionAttributeValues: map[string]types.AttributeValue{":sent": s(StateSent), ":id": s(messageID), ":at": n(now.Unix()), ":token": s(c.Token)},
	})
	if err != nil {
		return fmt.Errorf("sendlog done %s: %w", c.Key, claimErr(err))
	}
	return nil
}

// Settle implements Log.
func (d DynamoDB) Settle(ctx context.Context, c Claim, state, reason string, now time.Time) error {
	if state != StateUnknown && state != StateFailed {
		return fmt.Errorf("sendlog settle %s: state %q", c.Key, state)
	}
	_, err := d.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       itemKey(c.Key),
		UpdateExpression:          aws.String("SET #state = :state, reason = :reason, sentAt = :at REMOVE leaseUntil"),
		ConditionExpression:       aws.String("#token = :token"),
		ExpressionAttributeNames:  map[string]string{"#state": "state", "#token": "token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":state": s(state), ":reason": s(reason), ":at": n(now.Unix()), ":token": s(c.Token)},
	})
	if err != nil {
		return fmt.Errorf("sendlog settle %s: %w", c.Key, claimErr(err))
	}
	return nil
}

// claimErr turns a failed token condition into ErrClaimLost.
func claimErr(err error) error {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrClaimLost
	}
	return err
}

// refusal is Begin's error for a key someone else holds or has finished.
func refusal(key string, rec *Record) error {
	switch {
	case rec != nil && rec.State == StateSent:
		return fmt.Errorf("%s: %w (message %s at %s)", key, ErrAlreadySent, rec.MessageID, rec.SentAt.Format(time.RFC3339))
	case rec != nil && rec.State == StateUnknown:
		return fmt.Errorf("%s: %w (%s)", key, ErrOutcomeUnknown, rec.Reason)
	case rec != nil && rec.State == StateFailed:
		return fmt.Errorf("%s: %w (%s)", key, ErrFailed, rec.Reason)
	}
	return fmt.Errorf("%s: %w", key, ErrInProgress)
}

// Reopen implements Log with a delete conditioned on StateFailed.
func (d DynamoDB) Reopen(ctx context.Context, key string) error {
	_, err := d.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       itemKey(key),
		ConditionExpression:       aws.String("#state = :failed"),
		ExpressionAttributeNames:  map[string]string{"#state": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":failed": s(StateFailed)},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("sendlog reopen %s: %w", key, err)
	}
	return nil
}

// Forget implements Log: a read, then a delete conditioned on the record
// being unchanged (the same state and claim token).
func (d DynamoDB) Forget(ctx context.Context, key string, now time.Time) (*Record, error) {
	rec, token, err := d.get(ctx, key)
	if err != nil || rec == nil {
		return nil, err
	}
	if rec.State == StateInProgress && now.Before(rec.LeaseUntil) {
		return nil, refusal(key, rec)
	}
	cond, vals := "#state = :state", map[string]types.AttributeValue{":state": s(rec.State)}
	if token != "" {
		cond, vals[":token"] = cond+" AND #token = :token", s(token)
	}
	names := map[string]string{"#state": "state"}
	if token != "" {
		names["#token"] = "token"
	}
	_, err = d.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(d.Table), Key: itemKey(key), ConditionExpression: aws.String(cond),
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil, fmt.Errorf("sendlog forget %s: it changed while being cleared; try again", key)
	}
	if err != nil {
		return nil, fmt.Errorf("sendlog forget %s: %w", key, err)
	}
	return rec, nil
}

// Abandon implements Log.
func (d DynamoDB) Abandon(ctx context.Context, c Claim) error {
	_, err := d.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       itemKey(c.Key),
		ConditionExpression:       aws.String("#token = :token AND #state = :inprogress"),
		ExpressionAttributeNames:  map[string]string{"#state": "state", "#token": "token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":token": s(c.Token), ":inprogress": s(StateInProgress)},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("sendlog abandon %s: %w", c.Key, err)
	}
	return nil
}

// Get implements Log with a consistent read.
func (d DynamoDB) Get(ctx context.Context, key string) (*Record, error) {
	r, _, err := d.get(ctx, key)
	return r, err
}

// get reads a record and the token of its claim.
func (d DynamoDB) get(ctx context.Context, key string) (*Record, string, error) {
	out, err := d.Client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(d.Table), Key: itemKey(key), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, "", fmt.Errorf("sendlog get %s: %w", key, err)
	}
	if out.Item == nil {
		return nil, "", nil
	}
	token := ""
	if v, ok := out.Item["token"].(*types.AttributeValueMemberS); ok {
		token = v.Value
	}
	r := &Record{Key: key}
	if v, ok := out.Item["state"].(*types.AttributeValueMemberS); ok {
		r.State = v.Value
	}
	if v, ok := out.Item["messageId"].(*types.AttributeValueMemberS); ok {
		r.MessageID = v.Value
	}
	if v, ok := out.Item["reason"].(*types.AttributeValueMemberS); ok {
		r.Reason = v.Value
	}
	if v, ok := out.Item["sentAt"].(*types.AttributeValueMemberN); ok {
		sec, _ := strconv.ParseInt(v.Value, 10, 64)
		r.SentAt = time.Unix(sec, 0).UTC()
	}
	if v, ok := out.Item["leaseUntil"].(*types.AttributeValueMemberN); ok {
		sec, _ := strconv.ParseInt(v.Value, 10, 64)
		r.LeaseUntil = time.Unix(sec, 0).UTC()
	}
	return r, token, nil
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
	if r, ok := m.recs[key]; ok && (r.State != StateInProgress || now.Before(r.LeaseUntil)) {
		rec := r.Record
		return Claim{}, refusal(key, &rec)
	}
	c := Claim{Key: key, Token: newToken()}
	if r, ok := m.recs[key]; ok && r.State == StateInProgress {
		c.TakenOver = true
	}
	m.recs[key] = &memRecord{Record: Record{Key: key, State: StateInProgress, LeaseUntil: now.Add(lease)}, token: c.Token}
	return c, nil
}

// Reopen implements Log.
func (m *Memory) Reopen(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.recs[key]; ok && r.State == StateFailed {
		delete(m.recs, key)
	}
	return nil
}

// Done implements Log.
func (m *Memory) Done(_ context.Context, c Claim, id string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[c.Key]
	if !ok || r.token != c.Token {
		return fmt.Errorf("sendlog done %s: %w", c.Key, ErrClaimLost)
	}
	r.State, r.MessageID, r.SentAt, r.LeaseUntil = StateSent, id, now, time.Time{}
	return nil
}

// Settle implements Log.
func (m *Memory) Settle(_ context.Context, c Claim, state, reason string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[c.Key]
	if !ok || r.token != c.Token {
		return fmt.Errorf("sendlog settle %s: %w", c.Key, ErrClaimLost)
	}
	r.State, r.Reason, r.SentAt, r.LeaseUntil = state, reason, now, time.Time{}
	return nil
}

// Abandon implements Log.
func (m *Memory) Abandon(_ context.Context, c Claim) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.recs[c.Key]; ok && r.token == c.Token && r.State == StateInProgress {
		delete(m.recs, c.Key)
	}
	return nil
}

// Forget implements Log.
func (m *Memory) Forget(_ context.Context, key string, now time.Time) (*Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[key]
	if !ok {
		return nil, nil
	}
	if r.State == StateInProgress && now.Before(r.LeaseUntil) {
		rec := r.Record
		return nil, refusal(key, &rec)
	}
	delete(m.recs, key)
	rec := r.Record
	return &rec, nil
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
