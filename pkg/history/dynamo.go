package history

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"reportmailer/pkg/keys"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// KeyPrefix starts every history item's partition key (keys.History);
// the alert role's dynamodb:LeadingKeys condition allows it (template.yaml).
const KeyPrefix = keys.History

// TTLAttribute is the table's TTL attribute (template.yaml's
// TimeToLiveSpecification), which every history item carries.
const TTLAttribute = "ttl"

// Bucket is the stretch of minutes one item holds.
const Bucket = 10 * time.Minute

// Dynamo keeps snapshots in the stack's table: one partition per site and
// UTC day ("history#<site>#2026-11-23"), one item per ten minutes (sort
// key "10:00"), one attribute per minute ("m04": the snapshot as JSON,
// deflated). A week is seven Queries run side by side, returning 1,008
// items: a read costs by the byte, but per-item overhead (moto's in
// particular) is what made 10,080 one-minute items slow to read. Ten
// minutes rather than an hour keeps a big site's item (200 departments)
// far below DynamoDB's 400 KB, and the write cost low: an update is billed
// on the item's size. Each poll is one UpdateItem that sets its minute,
// so no poll reads or rewrites another's. Items carry TTLAttribute:
// DynamoDB deletes them Days after their bucket.
type Dynamo struct {
	Client *dynamodb.Client
	Table  string
	Site   string
	Days   int // retention; 0: DefaultDays
}

func (d Dynamo) partition(day time.Time) string {
	return keys.QueueHistory(d.Site, day.UTC().Format(time.DateOnly))
}

// Expires is when DynamoDB may delete the item holding a snapshot of at.
func (d Dynamo) Expires(at time.Time) time.Time {
	days := d.Days
	if days <= 0 {
		days = DefaultDays
	}
	return at.UTC().Truncate(Bucket).Add(time.Duration(days) * 24 * time.Hour)
}

// deflate compresses a snapshot's JSON (repeated keys and ids shrink it
// about fourfold).
func deflate(data []byte) ([]byte, error) {
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// inflater reuses one decompressor across a read's snapshots.
type inflater struct {
	r   io.ReadCloser
	buf bytes.Buffer
}

func (f *inflater) inflate(data []byte) ([]byte, error) {
	src := bytes.NewReader(data)
	if f.r == nil {
		f.r = flate.NewReader(src)
	} else if err := f.r.(flate.Resetter).Reset(src, nil); err != nil {
		return nil, err
	}
	f.buf.Reset()
	if _, err := f.buf.ReadFrom(f.r); err != nil {
		return nil, err
	}
	return f.buf.Bytes(), nil
}

// Put implements Writer: one UpdateItem setting the minute's attribute,
// which a repeated poll of the same minute overwrites.
func (d Dynamo) Put(ctx context.Context, s Snapshot) error {
	s.At = s.At.UTC().Truncate(time.Minute)
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	data, err := deflate(raw)
	if err != nil {
		return err
	}
	_, err = d.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(d.Table),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: d.partition(s.At)},
			"sk": &types.AttributeValueMemberS{Value: s.At.Truncate(Bucket).Format("15:04")},
		},
		UpdateExpression:         aws.String("SET #m = :s, #ttl = :ttl"),
		ExpressionAttributeNames: map[string]string{"#m": s.At.Format("m04"), "#ttl": TTLAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":s":   &types.AttributeValueMemberB{Value: data},
			":ttl": &types.AttributeValueMemberN{Value: strconv.FormatInt(d.Expires(s.At).Unix(), 10)},
		},
	})
	if err != nil {
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
			parts[i], errs[i] = d.day(ctx, day, from, to)
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
	sortSnaps(out)
	return out, nil
}

func (d Dynamo) day(ctx context.Context, day, from, to time.Time) ([]Snapshot, error) {
	lo, hi := "00:00", "23:59"
	if from.After(day) {
		lo = from.Truncate(Bucket).Format("15:04")
	}
	if end := day.Add(24 * time.Hour); to.Before(end) {
		hi = to.Add(-time.Minute).Truncate(Bucket).Format("15:04")
	}
	var inf inflater
	var out []Snapshot
	p := dynamodb.NewQueryPaginator(d.Client, &dynamodb.QueryInput{
		TableName:              aws.String(d.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: d.partition(day)},
			":lo": &types.AttributeValueMemberS{Value: lo}, ":hi": &types.AttributeValueMemberS{Value: hi},
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("history %s: %w", day.Format(time.DateOnly), err)
		}
		for _, item := range page.Items {
			for name, av := range item {
				v, ok := av.(*types.AttributeValueMemberB)
				if !ok || len(name) != 3 || name[0] != 'm' {
					continue
				}
				raw, err := inf.inflate(v.Value)
				if err != nil {
					return nil, fmt.Errorf("history %s %s: %w", day.Format(time.DateOnly), name, err)
				}
				var s Snapshot
				if err := json.Unmarshal(raw, &s); err != nil {
					return nil, fmt.Errorf("history %s: %w", day.Format(time.DateOnly), err)
				}
				if !s.At.Before(from) && s.At.Before(to) {
					out = append(out, s)
				}
			}
		}
	}
	return out, nil
}
