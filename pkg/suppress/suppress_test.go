package suppress

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"reportmailer/internal/awstest"
	"reportmailer/pkg/sendlog"
)

func TestMain(m *testing.M) { awstest.Main(m) }

func TestStores(t *testing.T) {
	moto := awstest.Fresh(t)
	client := dynamodb.NewFromConfig(moto.Config(t))
	if err := sendlog.CreateTable(context.Background(), client, "reportmailer"); err != nil {
		t.Fatal(err)
	}
	stores := map[string]Store{"dynamodb": DynamoDB{Client: client, Table: "reportmailer"}, "memory": &Memory{}}
	for name, s := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
			if err := s.Set(ctx, "weekly", " Ana@Example.com ", true, at); err != nil {
				t.Fatal(err)
			}
			if err := s.Set(ctx, "weekly", "bob@example.com", true, at); err != nil {
				t.Fatal(err)
			}
			if err := s.Set(ctx, "weekly", "bob@example.com", false, at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := s.Set(ctx, "daily", "cy@example.com", true, at); err != nil {
				t.Fatal(err)
			}
			got, err := s.Suppressed(ctx, "weekly")
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != "map[ana@example.com:true]" {
				t.Errorf("weekly suppressions %v, want only ana", got)
			}
			st, err := s.Get(ctx, "weekly", "BOB@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if st.Suppressed || !st.Since.Equal(at.Add(time.Hour)) {
				t.Errorf("bob: %+v, want re-subscribed at %s", st, at.Add(time.Hour))
			}
			if st, _ := s.Get(ctx, "weekly", "nobody@example.com"); st != (Status{}) {
				t.Errorf("unknown address: %+v", st)
			}

			// weekly renamed weekly-managers (formerIds: [weekly]): old
			// links still write under weekly, new ones under the new id;
			// each reader's latest choice, under either id, holds.
			for _, c := range []struct {
				digest, addr string
				leave        bool
				at           time.Time
			}{
				{"weekly-managers", "dee@example.com", true, at},
				{"weekly-managers", "bob@example.com", true, at.Add(2 * time.Hour)}, // left again, by a new link
				{"weekly-managers", "ana@example.com", false, at.Add(time.Hour)},    // rejoined by a new mail's page
				{"weekly", "eve@example.com", true, at.Add(3 * time.Hour)},          // an old mail's link after the rename
			} {
				if err := s.Set(ctx, c.digest, c.addr, c.leave, c.at); err != nil {
					t.Fatal(err)
				}
			}
			got, err = s.Suppressed(ctx, "weekly-managers", "weekly")
			if err != nil {
				t.Fatal(err)
			}
			if want := "map[bob@example.com:true dee@example.com:true eve@example.com:true]"; fmt.Sprint(got) != want {
				t.Errorf("weekly-managers with its former id: %v, want %s", got, want)
			}
		})
	}
}
