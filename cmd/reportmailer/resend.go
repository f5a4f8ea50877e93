package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"reportmailer/pkg/appenv"
	"reportmailer/pkg/appenv/digestdeps"
	"reportmailer/pkg/digest"
)

// resendFlags checks -resend's companions.
func resendFlags(resend, to, start string, send bool) error {
	switch {
	case to != "" && resend == "":
		return errors.New("-to goes with -resend")
	case resend != "" && !send:
		return errors.New("-resend goes with -send (it clears the records, then sends)")
	case resend != "" && start != "" && start != resend:
		return fmt.Errorf("-resend %s and -period-start %s: give the period once", resend, start)
	}
	return nil
}

// clearForResend deletes the period's send-log records (or only what
// stops one reader's copy) and says what it cleared, before the send.
func clearForResend(ctx context.Context, app *appenv.App, req digest.Request, to string) error {
	if req.DigestID == "" {
		return errors.New("-digest is required")
	}
	cleared, err := digest.ClearForResend(ctx, app.Config, digestdeps.New(app), req, to)
	for _, c := range cleared {
		when := ""
		if !c.SentAt.IsZero() {
			when = ", recorded " + c.SentAt.Format(time.RFC3339)
		}
		fmt.Printf("cleared %s (was %s%s)\n", c.Key, c.State, when)
	}
	if err != nil {
		return fmt.Errorf("resend: %w", err)
	}
	if len(cleared) == 0 {
		fmt.Printf("nothing recorded for %s from %s; sending as usual\n", req.DigestID, req.PeriodStart)
	}
	return nil
}
