package digestdeps_test

import (
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"reportmailer/pkg/appenv"
	"reportmailer/pkg/appenv/digestdeps"
	"reportmailer/pkg/config"
	"reportmailer/pkg/history"
	"reportmailer/pkg/mail"
	"reportmailer/pkg/reports"
	"reportmailer/pkg/sendlog"
)

func TestNewTakesEveryDependencyFromTheApp(t *testing.T) {
	app := &appenv.App{Reports: reports.New(), Sender: &mail.Memory{}, Log: &sendlog.Memory{}, Logger: slog.New(slog.DiscardHandler)}
	d := digestdeps.New(app)
	if d.Reports != app.Reports || d.Sender != app.Sender || d.SendLog != app.Log || d.Logger != app.Logger || d.Archive != nil {
		t.Errorf("deps %+v from app %+v", d, app)
	}
}

// queueHistory sections read the stack's table when the app has one, and
// no store at all without it (they then say none is kept).
func TestNewReadsQueueHistoryFromTheStacksTable(t *testing.T) {
	if d := digestdeps.New(&appenv.App{Reports: reports.New()}); d.History != nil {
		t.Errorf("history %v without a table", d.History)
	}
	app := &appenv.App{Reports: reports.New(), DynamoDB: dynamodb.New(dynamodb.Options{Region: "eu-west-1"}), Table: "reportmailer",
		Config: &config.Config{Comm100: config.Comm100{SiteID: "10000"}}}
	h, ok := digestdeps.New(app).History.(history.Dynamo)
	if !ok || h.Table != "reportmailer" || h.Site != "10000" || h.Client != app.DynamoDB {
		t.Errorf("history %+v, want the stack's table for site 10000", digestdeps.New(app).History)
	}
}
