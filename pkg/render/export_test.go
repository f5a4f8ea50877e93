package render

import "reportmailer/pkg/render/internal/text"

// Visual exposes internal/text's Visual to the external tests.
var Visual = text.Visual

// PDFOnly draws the PDF alone, for BenchmarkDigestPDF: what Render's PDF
// half costs without the mail's PNGs.
func PDFOnly(d *Digest) ([]byte, error) {
	clean := cleanDigest(d)
	pdf, _, err := renderPDF(clean, buildViews(clean))
	return pdf, err
}
