package oncall_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"reportmailer/internal/awstest"
	"reportmailer/pkg/oncall"
	"reportmailer/pkg/sendlog"
)

func TestMain(m *testing.M) { awstest.Main(m) }

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// TestStores runs the same story on both stores: the first
// acknowledgement wins, a silence covers its rule and scope until it ends,
// and expiring it ends it now.
func TestStores(t *testing.T) {
	moto := awstest.Fresh(t)
	client := dynamodb.NewFromConfig(moto.Config(t))
	if err := sendlog.CreateTable(context.Background(), client, "reportmailer"); err != nil {
		t.Fatal(err)
	}
	for name, store := range map[string]oncall.Store{"memory": &oncall.Memory{}, "dynamodb": oncall.DynamoDB{Client: client, Table: "reportmailer"}} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			first, err := store.Acknowledge(ctx, oncall.Ack{Rule: "q", Instance: "department:1", Episode: 100, At: t0})
			if err != nil {
				t.Fatal(err)
			}
			again, err := store.Acknowledge(ctx, oncall.Ack{Rule: "q", Instance: "department:1", Episode: 100, At: t0.Add(time.Minute)})
			if err != nil || !again.At.Equal(first.At) {
				t.Errorf("second acknowledgement: %v %v, want the first's time", again, err)
			}
			s, err := store.AddSilence(ctx, oncall.Silence{Rule: "q", Scope: "department:1", Start: t0, End: t0.Add(time.Hour), Comment: "deploy"})
			if err != nil || s.ID == "" {
				t.Fatal(s, err)
			}
			st, err := store.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !st.Acked("q", "department:1", 100).Equal(t0) || !st.Acked("q", "department:1", 101).IsZero() {
				t.Errorf("acks %+v", st.Acks)
			}
			if !st.Silenced("q", "department:1", t0.Add(59*time.Minute)) || st.Silenced("q", "department:2", t0) || st.Silenced("q", "department:1", t0.Add(time.Hour)) {
				t.Errorf("silences %+v", st.Silences)
			}
			if _, err := store.ExpireSilence(ctx, s.ID, t0.Add(10*time.Minute)); err != nil {
				t.Fatal(err)
			}
			st, _ = store.Load(ctx)
			if st.Silenced("q", "department:1", t0.Add(10*time.Minute)) || len(st.Silences) != 1 {
				t.Errorf("expired silence still holds: %+v", st.Silences)
			}
			if _, err := store.ExpireSilence(ctx, "nope", t0); !errors.Is(err, oncall.ErrNotFound) {
				t.Errorf("unknown id: %v", err)
			}
		})
	}
}
