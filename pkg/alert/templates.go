package alert

import (
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"sync"
	texttemplate "text/template"

	"reportmailer/templates"
)

// Templates are the alert mail's parsed templates (alert.html.tmpl and
// alert.txt.tmpl), a value handed to the Evaluator like render.Templates.
type Templates struct {
	html *htmltemplate.Template
	text *texttemplate.Template
}

// LoadTemplates parses alert.html.tmpl and alert.txt.tmpl from fsys.
func LoadTemplates(fsys fs.FS) (*Templates, error) {
	h, err := htmltemplate.ParseFS(fsys, "alert.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("alert templates: %w", err)
	}
	t, err := texttemplate.ParseFS(fsys, "alert.txt.tmpl")
	if err != nil {
		return nil, fmt.Errorf("alert templates: %w", err)
	}
	return &Templates{html: h, text: t}, nil
}

// embedded are the templates built into the binary, parsed on first use.
var embedded = sync.OnceValues(func() (*Templates, error) { return LoadTemplates(templates.FS) })

// templates returns the Evaluator's templates, else the embedded ones.
func (e *Evaluator) templates() (*Templates, error) {
	if e.Templates != nil {
		return e.Templates, nil
	}
	return embedded()
}
