package render

import (
	"bytes"
	"encoding/base64"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"math"
	"slices"
	"strings"
	"sync"
	texttemplate "text/template"
	"unicode/utf8"

	"reportmailer/pkg/format"
)

// Options tune rendering.
type Options struct {
	// ImageScale is the pixel density of the email PNGs (2 = sharp on phones).
	ImageScale float64
	// Footer is the HTML email's footer line (plain text; escaped).
	Footer string
	// Workers bounds concurrent PNG rendering; 0 means one per chart up to 4.
	Workers int
	// PDFURL, when set, is a link to the PDF (too large to attach), shown at
	// the top; Output.PDF is then left empty (the PDF was drawn before).
	PDFURL string
	// Attached lists the formats attached to the mail ("pdf", "csv",
	// "xlsx"), so the text says what is really there. Nil means the PDF
	// alone, as before.
	Attached []string
	// XLSXURL, when set, is a link to the Excel workbook (too large to
	// attach), shown at the top beside the PDF's.
	XLSXURL string
	// Why tells the reader why they get the mail (the digest's name and
	// schedule); shown in the footer beside the unsubscribe link.
	Why string
	// Unsubscribe is the footer's visible unsubscribe link: the same URL as
	// the List-Unsubscribe header. For mail sent one per reader it is
	// UnsubscribePlaceholder, which PersonalUnsubscribe replaces with each
	// reader's own signed link.
	Unsubscribe string
	// Templates are the mail's templates; nil means the embedded ones
	// (DefaultTemplates).
	Templates *Templates
}

// UnsubscribePlaceholder stands for the reader's own unsubscribe link in
// a rendered body until PersonalUnsubscribe puts it in. It needs no
// escaping in HTML or text, so it comes out of the templates as it is.
const UnsubscribePlaceholder = "https://unsubscribe.reportmailer.invalid/reader"

// PersonalUnsubscribe returns a body (HTML when html is set, else text)
// with the placeholder replaced by url, escaped for HTML where needed.
func PersonalUnsubscribe(body, url string, html bool) string {
	if html {
		url = htmltemplate.HTMLEscapeString(url)
	}
	return strings.ReplaceAll(body, UnsubscribePlaceholder, url)
}

// moreIn says where the full tables are.
func moreIn(opts Options) string {
	switch {
	case opts.PDFURL != "":
		return "in the linked PDF"
	case opts.Attached == nil || slices.Contains(opts.Attached, "pdf"):
		return "in the attached PDF"
	case slices.Contains(opts.Attached, "xlsx"):
		return "in the attached Excel workbook"
	case opts.XLSXURL != "":
		return "in the linked Excel workbook"
	case slices.Contains(opts.Attached, "csv"):
		return "in the attached CSV"
	}
	return "not shown"
}

// attachedFooter says what comes with the mail.
func attachedFooter(opts Options) string {
	attached := opts.Attached
	if attached == nil {
		attached = []string{"pdf"}
	}
	var pdf bool
	var data []string // the files of every number, as attached
	for _, a := range attached {
		switch strings.ToLower(a) {
		case "pdf":
			pdf = true
		case "xlsx":
			data = append([]string{"an Excel workbook"}, data...)
		case "csv":
			data = append(data, "a CSV file")
		}
	}
	numbers := ""
	if len(data) > 0 {
		numbers = "attached as " + strings.Join(data, " and ")
	}
	if opts.XLSXURL != "" {
		numbers = strings.TrimPrefix(numbers+", and linked above as an Excel workbook", ", and ")
	}
	report := ""
	switch {
	case opts.PDFURL != "" && numbers != "":
		report = "The full report is linked above as a PDF"
	case opts.PDFURL != "":
		report = "The full report, with every chart and table, is linked above as a PDF"
	case pdf:
		report = "The full report, with every chart and table, is attached as a PDF"
	}
	switch {
	case report != "" && numbers != "":
		return report + "; every number is " + numbers + "."
	case report != "":
		return report + "."
	case numbers != "":
		return "Every number of this report is " + numbers + "."
	}
	return "Tables in this mail show their first rows."
}

func parseTemplatesFS(fsys fs.FS) (*htmltemplate.Template, *texttemplate.Template, error) {
	funcs := map[string]any{
		"toneColor": func(tone string) string {
			r, g, b := toneRGB(tone)
			return fmt.Sprintf("#%02x%02x%02x", r, g, b)
		},
		"inc": func(i int) int { return i + 1 },
		"tone": func(t *Table, r, c int) string {
			if t.Tones == nil || r >= len(t.Tones) || c >= len(t.Tones[r]) || t.Tones[r][c] == "" || t.Tones[r][c] == "flat" {
				return ""
			}
			rr, g, b := toneRGB(t.Tones[r][c])
			return fmt.Sprintf("#%02x%02x%02x", rr, g, b)
		},
		// toneOf names a cell's tone ("good", "bad") for the dark-mode styles.
		"toneOf": func(t *Table, r, c int) string {
			if t.Tones == nil || r >= len(t.Tones) || c >= len(t.Tones[r]) {
				return ""
			}
			if tn := t.Tones[r][c]; tn == "good" || tn == "bad" {
				return tn
			}
			return ""
		},
		"textTable": textTable,
		// numCols is how many numeric columns a table has: on phones each
		// row's values share the line under its label (digest.html.tmpl).
		"numCols": func(t *Table) int { return max(0, len(t.Head)-t.NumericFrom) },
	}
	h, err := htmltemplate.New("digest.html.tmpl").Funcs(funcs).ParseFS(fsys, "digest.html.tmpl")
	if err != nil {
		return nil, nil, err
	}
	t, err := texttemplate.New("digest.txt.tmpl").Funcs(funcs).ParseFS(fsys, "digest.txt.tmpl")
	if err != nil {
		return nil, nil, err
	}
	return h, t, nil
}

// htmlSection is what the templates see of a section.
type htmlSection struct {
	Anchor, Title, Subtitle, Summary, Note, NoteKind, Caveat string
	Image                                                    *Image
	Table                                                    *Table
	More                                                     int // rows left out of the email's table
}

// emailRows caps tables in the email body; the PDF has them whole.
const emailRows = 12

// maxHTML keeps the HTML body under Gmail's clipping limit (~102 KB).
const maxHTML = 100_000

// shortCells returns a copy of t with its text columns truncated for email.
func shortCells(t *Table) *Table {
	c := *t
	c.Rows = make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		c.Rows[i] = append([]string{}, r...)
		for j := 0; j < t.NumericFrom && j < len(r); j++ {
			c.Rows[i][j] = format.Truncate(r[j], emailCell)
		}
	}
	return &c
}

// withTables returns the template data with each section's table cut to rows.
func withTables(data templateData, views []view, rows int) templateData {
	out := data
	out.Sections = append([]htmlSection{}, data.Sections...)
	for i := range out.Sections {
		out.Sections[i].Table, out.Sections[i].More = emailTable(views[i].Table, rows)
	}
	return out
}

// emailCell caps text cells in the email: some clients ignore word-break,
// and a long unbroken URL would widen the layout on a phone.
const emailCell = 48

func emailTable(t *Table, keep int) (*Table, int) {
	if t == nil {
		return nil, 0
	}
	if keep == 0 {
		return nil, len(t.Rows)
	}
	t = shortCells(t)
	if len(t.Rows) <= keep+1 {
		return t, 0
	}
	c := *t
	c.Rows = append([][]string{}, t.Rows[:keep]...)
	if t.Tones != nil {
		c.Tones = append([][]string{}, t.Tones[:min(keep, len(t.Tones))]...)
	}
	if t.TotalRow {
		c.Rows = append(c.Rows, t.Rows[len(t.Rows)-1])
		if t.Tones != nil && len(t.Tones) == len(t.Rows) {
			c.Tones = append(c.Tones, t.Tones[len(t.Tones)-1])
		}
		return &c, len(t.Rows) - keep - 1
	}
	return &c, len(t.Rows) - keep
}

// templateData is the flat, purpose-built data the templates read.
type templateData struct {
	Title, Site, Period, Previous, Preheader string
	KPIs                                     []KPI
	KPIRows                                  [][]KPI
	Sections                                 []htmlSection
	Footer                                   string
	PDFURL                                   string
	XLSXURL                                  string
	// MoreIn says where the rows cut from the mail's tables are.
	MoreIn string
	// Highlights is the "What changed" block.
	Highlights []Highlight
	// Targets is the Targets block (targets_view.go).
	Targets []TargetRow
	// Why and Unsubscribe end the footer (Options).
	Why, Unsubscribe string
}

// Problem is a section that could not be drawn as asked; its reason is for
// the log (the reader sees the section's note).
type Problem struct {
	Section string // the section's title
	Reason  string
}

// isolate runs f, turning a panic into an error so one section's failure
// stays in that section.
func isolate(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}

// Render renders the digest to PDF, HTML, text and chart PNGs.
//
// Each section is isolated: an odd shape, a bad value or a failure while
// drawing it (error or panic) becomes a note in that section — in the PDF,
// the HTML and the text; the CSV leaves the section's bad values out — and
// the rest of the digest renders. Output.Problems lists what failed, for
// the log. Render fails only for what no section causes (templates, a
// period without a location).
func Render(d *Digest, opts Options) (*Output, error) {
	tmpls, err := opts.templates()
	if err != nil {
		return nil, err
	}
	if opts.ImageScale == 0 {
		opts.ImageScale = 2
	}
	if d.Period.Location == nil {
		return nil, fmt.Errorf("render: period has no location")
	}
	clean := cleanDigest(d)
	views := buildViews(clean)
	out := &Output{}
	var pdfFailed map[int]string
	var pdfErr error
	// With PDFURL the PDF is linked, not attached: it was drawn by an
	// earlier Render and archived, so this one draws only the mail.
	withPDF := opts.PDFURL == ""
	// The PDF, the CSV and the mail (PNGs, then HTML and text) are
	// independent: all three are made side by side.
	var wg sync.WaitGroup
	if withPDF {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out.PDF, pdfFailed, pdfErr = renderPDF(clean, views)
		}()
	}
	var csvProblems []Problem
	wg.Add(1)
	go func() {
		defer wg.Done()
		out.CSV, csvProblems = csvWithProblems(d)
	}()
	images, imgFailed := renderImages(views, opts)
	// The PDF goroutine still reads views: the mail's notes go in a copy.
	mailViews := slices.Clone(views)
	for i, reason := range imgFailed {
		mailViews[i] = mailViews[i].failed(reason)
		images[i] = nil
	}
	tmpl := tmpls.mail
	mailErr := out.composeMail(tmpl, d, clean, mailViews, images, opts)
	wg.Wait()
	if len(pdfFailed)+len(imgFailed) > 0 {
		// A chart that failed in either renderer becomes a note in both,
		// and both are made again without it (a rare path).
		for i, reason := range pdfFailed {
			imgFailed[i] = reason
		}
		for i, reason := range imgFailed {
			views[i] = views[i].failed(reason)
			images[i] = nil
		}
		if withPDF {
			out.PDF, _, pdfErr = renderPDF(clean, views)
		}
		mailErr = out.composeMail(tmpl, d, clean, views, images, opts)
	}
	if pdfErr != nil {
		return nil, pdfErr
	}
	if mailErr != nil {
		return nil, mailErr
	}
	out.Problems = append(out.Problems, csvProblems...)
	return out, nil
}

// mailTemplates are the templates of the mail's two bodies.
type mailTemplates struct {
	html *htmltemplate.Template
	text *texttemplate.Template
}

// composeMail sets the output's mail parts (HTML, text, images) and
// problems from the views and their PNGs.
func (out *Output) composeMail(tmpl mailTemplates, d, clean *Digest, views []view, images []*Image, opts Options) error {
	out.Problems, out.Images = nil, nil
	for _, v := range views {
		if v.Problem != "" {
			out.Problems = append(out.Problems, Problem{Section: v.Title, Reason: v.Problem})
		}
	}
	data := templateData{Title: clean.TitleText(), Site: clean.Site, Period: d.Period.Label() + ", " + d.Period.Location.String(), KPIs: kpis(clean),
		Footer: opts.Footer, PDFURL: opts.PDFURL, XLSXURL: opts.XLSXURL, Why: opts.Why, Unsubscribe: opts.Unsubscribe}
	if d.Previous != nil {
		data.Previous = d.comparedWith()
	}
	if data.Footer == "" {
		data.Footer = attachedFooter(opts)
	}
	data.MoreIn = moreIn(opts)
	data.Highlights = highlights(clean, views)
	data.Targets = targetRows(clean, attainments(clean), views)
	for i := 0; i < len(data.KPIs); i += 3 {
		data.KPIRows = append(data.KPIRows, data.KPIs[i:min(i+3, len(data.KPIs))])
	}
	var pre []string
	for _, k := range data.KPIs {
		if len(pre) < 3 {
			pre = append(pre, k.Label+" "+k.Value)
		}
	}
	data.Preheader = strings.Join(pre, " · ")
	for i, v := range views {
		hs := htmlSection{Anchor: v.Anchor, Title: v.Title, Subtitle: v.Subtitle, Summary: v.Summary, Note: v.Note, NoteKind: v.NoteKind, Caveat: v.Caveat}
		if images[i] != nil {
			hs.Image = images[i]
			out.Images = append(out.Images, *images[i])
		}
		data.Sections = append(data.Sections, hs)
	}
	var text bytes.Buffer
	if err := tmpl.text.Execute(&text, withTables(data, views, emailRows)); err != nil {
		return fmt.Errorf("render text: %w", err)
	}
	// Gmail clips HTML over ~102 KB. Every section stays; with many sections
	// the email's tables get shorter (the PDF always has them whole).
	var html bytes.Buffer
	for _, rows := range []int{emailRows, 6, 3, 0} {
		html.Reset()
		if err := tmpl.html.Execute(&html, withTables(data, views, rows)); err != nil {
			return fmt.Errorf("render html: %w", err)
		}
		if html.Len() <= maxHTML {
			break
		}
	}
	out.HTML, out.Text = html.String(), text.String()
	return nil
}

// renderImages draws each section's chart as a PNG, concurrently. A chart
// that fails (error or panic) is reported in failed, by section index.
func renderImages(views []view, opts Options) (images []*Image, failed map[int]string) {
	images = make([]*Image, len(views))
	errs := make([]error, len(views))
	workers := opts.Workers
	if workers <= 0 {
		workers = 4
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, v := range views {
		if v.figure == nil {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, v view) {
			defer func() { <-sem; wg.Done() }()
			errs[i] = isolate(func() error {
				f := v.figure(mailLayout(opts.ImageScale))
				var buf bytes.Buffer
				if err := renderPNG(f, &buf); err != nil {
					return err
				}
				w, h := mailImageSize(f)
				images[i] = &Image{CID: v.Anchor + "@reportmailer", Name: v.Anchor + ".png", PNG: buf.Bytes(), Alt: f.Alt, Width: w, Height: h, Legend: f.legend}
				return nil
			})
		}(i, v)
	}
	wg.Wait()
	failed = map[int]string{}
	for i, err := range errs {
		if err != nil {
			failed[i] = "chart: " + err.Error()
		}
	}
	return images, failed
}

// mailImageSize is how wide and tall the mail shows a chart at most (CSS
// px): its card, scaled up to mailMaxWidth on a desktop pane. On a phone
// the image shrinks to the column (width:100%).
func mailImageSize(f *Figure) (w, h int) {
	fw, fh := float64(f.Width), float64(f.Height)
	if f.lo.card {
		fw, fh = fw+2*cardPad, fh+2*cardPad
	}
	return mailMaxWidth, int(math.Round(fh * mailMaxWidth / fw))
}

// textTable lays a table out in aligned plain-text columns.
func textTable(t *Table) string {
	rows := append([][]string{t.Head}, t.Rows...)
	widths := make([]int, len(t.Head))
	for _, r := range rows {
		for c := range widths {
			if c < len(r) {
				widths[c] = max(widths[c], min(utf8.RuneCountInString(r[c]), 48))
			}
		}
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("  ")
		for c := range widths {
			cell := ""
			if c < len(r) {
				cell = format.Truncate(r[c], 48)
			}
			pad := strings.Repeat(" ", widths[c]-utf8.RuneCountInString(cell))
			if c >= t.NumericFrom {
				b.WriteString(pad + cell)
			} else {
				b.WriteString(cell + pad)
			}
			if c < len(widths)-1 {
				b.WriteString("  ")
			}
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// PreviewHTML inlines the images as data: URIs so the HTML opens in any
// browser. Only for local previews: Gmail strips data: images in mail.
func PreviewHTML(out *Output) string {
	uris := make(map[string]*Image, len(out.Images))
	size := len(out.HTML)
	for i := range out.Images {
		uris["cid:"+out.Images[i].CID] = &out.Images[i]
		size += len("data:image/png;base64,") + base64.StdEncoding.EncodedLen(len(out.Images[i].PNG))
	}
	var b strings.Builder
	b.Grow(size)
	rest := out.HTML
	for {
		i := strings.Index(rest, "cid:")
		if i < 0 {
			break
		}
		end := i + len("cid:")
		for end < len(rest) && cidByte(rest[end]) {
			end++
		}
		b.WriteString(rest[:i])
		if img, ok := uris[rest[i:end]]; ok {
			b.WriteString("data:image/png;base64,")
			enc := base64.NewEncoder(base64.StdEncoding, &b)
			enc.Write(img.PNG)
			enc.Close()
		} else {
			b.WriteString(rest[i:end])
		}
		rest = rest[end:]
	}
	b.WriteString(rest)
	return b.String()
}

// cidByte says whether c can be part of a Content-ID as Render makes
// them: a section's anchor (letters, digits, "-") and "@reportmailer".
func cidByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("@.-_", c) >= 0
}
