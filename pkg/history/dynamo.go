package history

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
)

// KeyPrefix starts every history item's partition key; the alert role's
// dynamodb:LeadingKeys condition allows it (template.yaml).
const KeyPrefix = "history#"

// Dynamo keeps snapshots in the stack's table, one partition per site and
// UTC day ("history#<site>#2026-11-23"), the minute ("10:04") as the sort
// key, so reading a week is seven Queries run side by side. Items carry
// the table's "ttl" attribute: DynamoDB deletes them Days after the poll.
type Dynamo struct {
	Client *dynamodb.Client
	Table  string
	Site   string
	Days   int // retention; 0: DefaultDays
}

func (d Dynamo) partition(day time.Time) string {
	return KeyPrefix + d.Site + "#" + day.UTC().Format(time.DateOnly)
}

// Item is the stored form of a snapshot (exported for the retention test).
func (d Dynamo) Item(s Snapshot) (map[string]types.AttributeValue, error) {
	s.At = s.At.UTC().Truncate(time.Minute)
	data, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	days := d.Days
	if days <= 0 {
		days = DefaultDays
	}
	ttl := s.At.Add(time.Duration(days) * 24 * time.Hour)
	return map[string]types.AttributeValue{
		"pk":   &types.AttributeValueMemberS{Value: d.partition(s.At)},
		"sk":   &types.AttributeValueMemberS{Value: s.At.Format("15:04")},
		"ok":   &types.AttributeValueMemberBOOL{Value: s.OK()},
		"snap": &types.AttributeValueMemberS{Value: string(data)},
		"ttl":  &types.AttributeValueMemberN{Value: strconv.FormatInt(ttl.Unix(), 10)},
	}, nil
}

// Put implements Writer: one PutItem, which a repeated poll of the same
// minute overwrites.
func (d Dynamo) Put(ctx context.Context, s Snapshot) error {
	item, err := d.Item(s)
	if err != nil {
		return err
	}
	if _, err := d.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.Table), Item: item}); err != nil {
		return fmt.Errorf("history %s: %w", s.At.Format(time.RFC3339), err)
	}
	return nil
}

// Range implements Store with one Query per UTC day, run concurrently.
func (d Dynamo) Range(ctx context.Context, from, to time.Time) ([]Snapshot, error) {
	from, to = from.UTC(), to.UTC()
	var days []time.Time
	for day := from.Truncate(24 * time.Hour); day.Before(to); day = day.Add(24 * time.Hour) {
		days = append(days, day)
	}
	parts := make([][]Snapshot, len(days))
	errs := make([]error, len(days))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, day := range days {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			lo, hi := "00:00", "23:59"
			if from.After(day) {
				lo = from.Format("15:04")
			}
			if end := day.Add(24 * time.Hour); to.Before(end) {
				hi = to.Add(-time.Minute).Format("15:04")
			}
			parts[i], errs[i] = d.day(ctx, day, lo, hi)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []Snapshot
	for _, p := range parts {
		out = append(out, p...)
	}
	return out, nil
}

func (d Dynamo) day(ctx context.Context, day time.Time, lo, hi string) ([]Snapshot, error) {
	var out []Snapshot
	p := dynamodb.NewQueryPaginator(d.Client, &dynamodb.QueryInput{
		TableName:              aws.String(d.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: d.partition(day)},
			":lo": &types.AttributeValueMemberS{Value: lo}, ":hi": &types.AttributeValueMemberS{Value: hi},
		},
		ProjectionExpression: aws.String("snap"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("history %s: %w", day.Format(time.DateOnly), err)
		}
		for _, item := range page.Items {
			v, _ := item["snap"].(*types.AttributeValueMemberS)
			if v == nil {
				continue
			}
			var s Snapshot
			if err := json.Unmarshal([]byte(v.Value), &s); err != nil {
				return nil, fmt.Errorf("history %s: %w", day.Format(time.DateOnly), err)
			}
			out = append(out, s)
		}
	}
	return out, nil
}
