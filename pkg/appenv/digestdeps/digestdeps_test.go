package digestdeps_test

import (
	"log/slog"
	"testing"

	"reportmailer/pkg/appenv"
	"reportmailer/pkg/appenv/digestdeps"
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
