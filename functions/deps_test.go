package functions_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSmallFunctionsDoNotLinkTheRenderer: the alert and links functions
// (128 MB, cold-started every few minutes) carry no PDF, chart, font or
// browser code, however their packages grow (receivers, links).
func TestSmallFunctionsDoNotLinkTheRenderer(t *testing.T) {
	t.Parallel()
	heavy := []string{"reportmailer/pkg/render", "reportmailer/pkg/digest", "github.com/jung-kurt/gofpdf", "github.com/wcharczuk/go-chart",
		"github.com/golang/freetype", "github.com/chromedp", "golang.org/x/image", "github.com/santhosh-tekuri/jsonschema"}
	for _, fn := range []string{"./alert", "./links"} {
		out, err := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", fn).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", fn, err, out)
		}
		for _, pkg := range strings.Fields(string(out)) {
			for _, h := range heavy {
				if strings.HasPrefix(pkg, h) {
					t.Errorf("%s links %s", fn, pkg)
				}
			}
		}
	}
}
