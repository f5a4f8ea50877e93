// Package templates holds the email and digest templates, embedded in
// the binaries so a Lambda needs no files beside its bootstrap.
package templates

import "embed"

// FS holds every *.tmpl file of this folder.
//
//go:embed *.tmpl
var FS embed.FS
