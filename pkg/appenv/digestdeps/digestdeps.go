// Package digestdeps builds a digest run's dependencies from a loaded
// appenv.App: the one constructor the digest Lambda, the CLI and the tests
// share. It is a package of its own so that appenv (which the alert Lambda
// links) does not import pkg/digest and, through it, the renderer.
package digestdeps

import (
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/digest"
	"reportmailer/pkg/links"
)

// New returns the digest dependencies of app. Mail carries personal
// signed links when the app has both a links base URL and a signing key;
// queueHistory sections read the alert poller's history in the stack's
// table (TABLE_NAME), and without one say none is kept.
func New(app *appenv.App) digest.Deps {
	d := digest.Deps{Reports: app.Reports, Sender: app.Sender, SendLog: app.Log, Archive: app.Archive, Logger: app.Logger}
	if h := app.History(); h != nil { // the stack's table, for queueHistory sections
		d.History = h
	}
	if app.Suppress != nil {
		d.Suppress = app.Suppress
	}
	if app.LinkSigner != nil && app.Config != nil && app.Config.Mail.LinksBaseURL != "" {
		d.Links = links.Issuer{Signer: app.LinkSigner, Base: app.Config.Mail.LinksBaseURL}
	}
	return d
}
