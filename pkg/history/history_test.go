package history_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"reportmailer/internal/awstest"
	"reportmailer/pkg/history"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/sendlog"
)

func TestMain(m *testing.M) { awstest.Main(m) }

var start = time.Date(2026, 11, 23, 23, 58, 0, 0, time.UTC) // spans midnight: two day partitions

func snaps() []history.Snapshot {
	n := 3.0
	var out []history.Snapshot
	for i := range 5 {
		at := start.Add(time.Duration(i) * time.Minute)
		if i == 2 {
			out = append(out, history.FromPoll(at, nil, nil, errors.New("realtime/queue: 503")))
			continue
		}
		q := []reports.RealtimeQueue{{RouteTo: reports.RouteTo{Type: reports.RouteDepartment, ID: "7"}, OngoingChats: 2,
			Queue: []reports.QueuedVisitor{{VisitorID: "secret-visitor", WaitTime: float64(30 * i)}}}}
		out = append(out, history.FromPoll(at, q, &reports.RightNow{CurrentQueueLength: &n}, nil))
	}
	return out
}

func dynamo(t *testing.T) history.Dynamo {
	t.Helper()
	moto := awstest.Fresh(t)
	client := dynamodb.NewFromConfig(moto.Config(t))
	if err := sendlog.CreateTable(context.Background(), client, "reportmailer"); err != nil {
		t.Fatal(err)
	}
	return history.Dynamo{Client: client, Table: "reportmailer", Site: "10000"}
}

// TestDynamoItemsCarryTheTTL: every history item has the table's TTL
// attribute (alerts.historyDays after its hour), so DynamoDB expires it.
func TestDynamoItemsCarryTheTTL(t *testing.T) {
	d := dynamo(t)
	d.Days = 10
	ctx := context.Background()
	if err := d.Put(ctx, snaps()[0]); err != nil {
		t.Fatal(err)
	}
	out, err := d.Client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(d.Table)})
	if err != nil || len(out.Items) != 1 {
		t.Fatalf("scan: %v, %d items", err, len(out.Items))
	}
	item := out.Items[0]
	if pk := item["pk"].(*types.AttributeValueMemberS).Value; pk != "history#10000#2026-11-23" {
		t.Errorf("pk = %q", pk)
	}
	ttl, ok := item[history.TTLAttribute].(*types.AttributeValueMemberN)
	if want := fmt.Sprint(time.Date(2026, 12, 3, 23, 50, 0, 0, time.UTC).Unix()); !ok || ttl.Value != want {
		t.Errorf("ttl = %v, want %s", item[history.TTLAttribute], want)
	}
}

func TestStoresRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func(t *testing.T) history.Store
	}{
		{"memory", func(*testing.T) history.Store { return &history.Memory{} }},
		{"file", func(t *testing.T) history.Store { return &history.File{Path: filepath.Join(t.TempDir(), "h.jsonl")} }},
		{"dynamodb", func(t *testing.T) history.Store { return dynamo(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := tc.store(t)
			want := snaps()
			for _, s := range want {
				if err := st.Put(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			got, err := st.Range(ctx, start, start.Add(5*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d snapshots back, want %d", len(got), len(want))
			}
			for i := range want {
				if !got[i].At.Equal(want[i].At) || !reflect.DeepEqual(got[i].RealtimeQueues(), want[i].RealtimeQueues()) || got[i].OK() != want[i].OK() {
					t.Errorf("snapshot %d = %+v, want %+v", i, got[i], want[i])
				}
			}
			if got[1].RealtimeQueues()[0].Queue[0].VisitorID != "" {
				t.Error("visitor ids are kept; only waits should be")
			}
			part, _ := st.Range(ctx, start.Add(time.Minute), start.Add(3*time.Minute))
			if len(part) != 2 || !part[0].At.Equal(start.Add(time.Minute)) {
				t.Errorf("Range over a sub-span = %d snapshots", len(part))
			}
			// The failed poll is a gap; so are minutes never polled.
			gaps := history.Gaps(got, start, start.Add(7*time.Minute))
			wantGaps := []history.Gap{{From: start.Add(2 * time.Minute), To: start.Add(3 * time.Minute), Failed: 1},
				{From: start.Add(5 * time.Minute), To: start.Add(7 * time.Minute)}}
			if !reflect.DeepEqual(gaps, wantGaps) {
				t.Errorf("gaps = %+v, want %+v", gaps, wantGaps)
			}
		})
	}
}

// BenchmarkReadWeek reads a week of minutes (10,080 items in seven day
// partitions) from moto's DynamoDB, as a backtest does.
func BenchmarkReadWeek(b *testing.B) {
	moto := awstest.Fresh(b)
	client := dynamodb.NewFromConfig(moto.Config(b))
	ctx := context.Background()
	if err := sendlog.CreateTable(ctx, client, "reportmailer"); err != nil {
		b.Fatal(err)
	}
	st := history.Dynamo{Client: client, Table: "reportmailer", Site: "10000"}
	week := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	n := 2.0
	for i := range 7 * 24 * 60 {
		q := []reports.RealtimeQueue{{RouteTo: reports.RouteTo{Type: reports.RouteSite}}, {RouteTo: reports.RouteTo{Type: reports.RouteDepartment, ID: "1"},
			Queue: []reports.QueuedVisitor{{WaitTime: 40}, {WaitTime: 20}}}, {RouteTo: reports.RouteTo{Type: reports.RouteDepartment, ID: "2"}}}
		if err := st.Put(ctx, history.FromPoll(week.Add(time.Duration(i)*time.Minute), q, &reports.RightNow{CurrentQueueLength: &n}, nil)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		got, err := st.Range(ctx, week, week.Add(7*24*time.Hour))
		if err != nil || len(got) != 7*24*60 {
			b.Fatalf("%d snapshots, %v", len(got), err)
		}
	}
}
