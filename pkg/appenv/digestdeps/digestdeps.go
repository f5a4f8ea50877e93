// Package digestdeps builds a digest run's dependencies from a loaded
// appenv.App: the one constructor the digest Lambda, the CLI and the tests
// share. It is a package of its own so that appenv (which the alert Lambda
// links) does not import pkg/digest and, through it, the renderer.
package digestdeps

import (
	"reportmailer/pkg/appenv"
	"reportmailer/pkg/digest"
)

// New returns the digest dependencies of app.
func New(app *appenv.App) digest.Deps {
	return digest.Deps{Reports: app.Reports, Sender: app.Sender, Log: app.Log, Archive: app.Archive, Logger: app.Logger}
}
