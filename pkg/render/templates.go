package render

import (
	"fmt"
	"io/fs"
	"sync"

	"reportmailer/templates"
)

// Templates are the digest mail's parsed templates (digest.html.tmpl and
// digest.txt.tmpl), loaded once and handed to Render in Options, like
// Alertmanager's template.Template: no process-wide state, so renders
// with different templates (the preview's --templates DIR beside the
// embedded ones) can run side by side.
type Templates struct {
	mail mailTemplates
}

// LoadTemplates parses digest.html.tmpl and digest.txt.tmpl from fsys.
func LoadTemplates(fsys fs.FS) (*Templates, error) {
	h, t, err := parseTemplatesFS(fsys)
	if err != nil {
		return nil, fmt.Errorf("render: templates: %w", err)
	}
	return &Templates{mailTemplates{h, t}}, nil
}

// embedded are the templates built into the binary, parsed on first use.
var embedded = sync.OnceValues(func() (*Templates, error) { return LoadTemplates(templates.FS) })

// DefaultTemplates are the embedded templates, what Render uses when
// Options.Templates is nil.
func DefaultTemplates() (*Templates, error) { return embedded() }

// templates returns the templates Render uses: opts.Templates, else the
// embedded ones.
func (o Options) templates() (*Templates, error) {
	if o.Templates != nil {
		return o.Templates, nil
	}
	return embedded()
}
