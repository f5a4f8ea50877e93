package oncall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"reportmailer/pkg/keys"
)

// Retention after which DynamoDB's TTL removes an item.
const (
	ackRetention     = 30 * 24 * time.Hour
	silenceRetention = 7 * 24 * time.Hour // an expired silence stays listed a week
)

// DynamoDB keeps them in the reportmailer table under one partition,
// pk keys.AlertControl, sk "ack#<rule>#<instance>#<episode>" or "silence#<id>",
// the record as JSON in "data", and a TTL.
type DynamoDB struct {
	Client interface {
		PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
		GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
		Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	}
	Table string
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func (d DynamoDB) item(sk string, v any, ttl time.Time) (map[string]types.AttributeValue, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return map[string]types.AttributeValue{"pk": str(keys.AlertControl), "sk": str(sk), "data": str(string(data)),
		"ttl": &types.AttributeValueMemberN{Value: strconv.FormatInt(ttl.Unix(), 10)}}, nil
}

// Load implements Store.
func (d DynamoDB) Load(ctx context.Context) (State, error) {
	var st State
	p := dynamodb.NewQueryPaginator(d.Client, &dynamodb.QueryInput{
		TableName: aws.String(d.Table), ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(keys.AlertControl)},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return st, fmt.Errorf("acknowledgements and silences: %w", err)
		}
		for _, it := range page.Items {
			sk, _ := it["sk"].(*types.AttributeValueMemberS)
			data, _ := it["data"].(*types.AttributeValueMemberS)
			if sk == nil || data == nil {
				continue
			}
			switch {
			case strings.HasPrefix(sk.Value, "ack#"):
				var a Ack
				if json.Unmarshal([]byte(data.Value), &a) == nil {
					st.Acks = append(st.Acks, a)
				}
			case strings.HasPrefix(sk.Value, "silence#"):
				var s Silence
				if json.Unmarshal([]byte(data.Value), &s) == nil {
					st.Silences = append(st.Silences, s)
				}
			}
		}
	}
	sortSilences(st.Silences)
	return st, nil
}

// Acknowledge implements Store with a conditional put: the first wins.
func (d DynamoDB) Acknowledge(ctx context.Context, a Ack) (Ack, error) {
	it, err := d.item(ackKey(a), a, a.At.Add(ackRetention))
	if err != nil {
		return a, err
	}
	_, err = d.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.Table), Item: it,
		ConditionExpression: aws.String("attribute_not_exists(pk)")})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		out, err := d.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.Table), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"pk": str(keys.AlertControl), "sk": str(ackKey(a))}})
		if err != nil {
			return a, fmt.Errorf("acknowledge: %w", err)
		}
		var prev Ack
		if data, ok := out.Item["data"].(*types.AttributeValueMemberS); ok && json.Unmarshal([]byte(data.Value), &prev) == nil {
			return prev, nil
		}
		return a, nil
	}
	if err != nil {
		return a, fmt.Errorf("acknowledge: %w", err)
	}
	return a, nil
}

// AddSilence implements Store.
func (d DynamoDB) AddSilence(ctx context.Context, s Silence) (Silence, error) {
	if s.ID == "" {
		s.ID = NewID()
	}
	it, err := d.item("silence#"+s.ID, s, s.End.Add(silenceRetention))
	if err != nil {
		return s, err
	}
	if _, err := d.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.Table), Item: it}); err != nil {
		return s, fmt.Errorf("silence: %w", err)
	}
	return s, nil
}

// ExpireSilence implements Store.
func (d DynamoDB) ExpireSilence(ctx context.Context, id string, now time.Time) (Silence, error) {
	out, err := d.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": str(keys.AlertControl), "sk": str("silence#" + id)}})
	if err != nil {
		return Silence{}, fmt.Errorf("silence %s: %w", id, err)
	}
	data, ok := out.Item["data"].(*types.AttributeValueMemberS)
	var s Silence
	if !ok || json.Unmarshal([]byte(data.Value), &s) != nil {
		return Silence{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if s.End.After(now) {
		s.End = now
	}
	return d.AddSilence(ctx, s)
}
