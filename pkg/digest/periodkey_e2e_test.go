package digest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"reportmailer/pkg/appenv"
	"reportmailer/pkg/digest"
	"reportmailer/pkg/sendlog"
)

// A digest's config rewritten from daily to weekly: the first week starts
// on a day that was sent daily, and is still sent, recorded and archived
// under its own names.
func TestChangingThePeriodKindSendsTheFirstNewPeriod(t *testing.T) {
	e := setup(t, "10485760")
	run := func(t *testing.T, app *appenv.App, event string) *digest.Response {
		t.Helper()
		deps := digest.Deps{Reports: app.Reports, Sender: app.Sender, SendLog: app.Log, Archive: app.Archive}
		resp, err := digest.Handler(app.Config, deps)(context.Background(), json.RawMessage(event))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	conf := func(period string) string {
		c := strings.Replace(testConfig, "period: week", "period: "+period, 1)
		return strings.NewReplacer("%SECRET%", e.app.Config.Comm100.SecretARN, "%MAX%", "10485760").Replace(c)
	}
	_, daily, _ := loadApp(t, e.moto, conf("day"), nil)
	run(t, daily, `{"digest":"weekly","periodStart":"2026-11-16"}`)
	e.wantEmails(t, 1, "after the daily digest of Monday")
	_, weeklyApp, _ := loadApp(t, e.moto, conf("week"), nil)
	resp := run(t, weeklyApp, `{"digest":"weekly","periodStart":"2026-11-16"}`)
	if resp.AlreadySent {
		t.Fatalf("the week starting on a day sent daily was taken as already sent: %+v", resp)
	}
	e.wantEmails(t, 2, "after the first weekly digest")
	for key, want := range map[string]string{
		digest.GroupKey("weekly", "2026-11-16_2026-11-16", "managers@example.com", "audit@example.com"): sendlog.StateSent,
		weeklyKey: sendlog.StateSent,
	} {
		if rec := e.record(t, key); rec == nil || rec.State != want {
			t.Errorf("%s: %+v, want %s", key, rec, want)
		}
	}
	s3c := s3.NewFromConfig(e.moto.Config(t), func(o *s3.Options) { o.UsePathStyle = true })
	for _, key := range []string{"digests/weekly/2026-11-16_2026-11-16.pdf", "digests/weekly/2026-11-16_2026-11-22.pdf"} {
		if _, err := s3c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("archive"), Key: aws.String(key)}); err != nil {
			t.Errorf("archive %s: %v", key, err)
		}
	}
}

// Records written before keys named the whole period
// (digest#<id>#<start>#<part>) still stop a second send of their period,
// but not of a longer period starting the same day: a record counts for
// a period only if it was written after that period ended.
func TestOldSendLogKeysAreStillHonoured(t *testing.T) {
	e := setup(t, "10485760")
	ctx := context.Background()
	old := "digest#weekly#2026-11-16#1"
	write := func(at time.Time) {
		c, err := e.app.Log.Begin(ctx, old, at, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.app.Log.Done(ctx, c, "ses-old", at); err != nil {
			t.Fatal(err)
		}
	}
	// Written by a daily digest of Monday, on Tuesday: not this week's.
	write(time.Date(2026, 11, 17, 8, 0, 0, 0, time.UTC))
	if resp, err := e.invoke(t, weekly); err != nil || resp.AlreadySent {
		t.Fatalf("a daily record blocked the week: %+v, %v", resp, err)
	}
	e.wantEmails(t, 1, "after the week")

	// Written for this week, after it ended, by the previous version.
	e2 := setup(t, "10485760")
	e = e2
	write(time.Date(2026, 11, 23, 8, 0, 1, 0, time.UTC))
	resp, err := e.invoke(t, weekly)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.AlreadySent {
		t.Errorf("the old record of this week was not honoured: %+v", resp)
	}
	e.wantEmails(t, 0, "with the old record")
}
