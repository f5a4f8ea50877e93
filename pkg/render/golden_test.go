package render_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestGolden pins the text part, the HTML body and the CSV of the fixture
// weekly digest. A change in rendering shows up here as a diff; when it is
// intended, rewrite the goldens with `go test ./pkg/render -run TestGolden -update`
// and review them in the commit.
func TestGolden(t *testing.T) {
	t.Parallel()
	_, out := rendered(t)
	for name, got := range map[string][]byte{
		"weekly.txt":  []byte(out.Text),
		"weekly.html": []byte(out.HTML),
		"weekly.csv":  out.CSV,
	} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the golden file; diff it against the output of -update:\n%s", name, firstDiff(want, got))
		}
	}
}

// firstDiff shows the first differing line, enough to see what moved.
func firstDiff(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + itoa(i+1) + ":\n  want: " + string(w) + "\n  got:  " + string(g)
		}
	}
	return "(same lines, different bytes)"
}

func itoa(i int) string { return string(strconv.AppendInt(nil, int64(i), 10)) }
