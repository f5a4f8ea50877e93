package render

import (
	"testing"

	"reportmailer/pkg/reports"
)

// Every report, asked with any group it allows, has a viewer: the registry
// decides the view and the renderer has one for each.
func TestEveryReportHasAViewer(t *testing.T) {
	t.Parallel()
	for _, spec := range reports.All() {
		groups := append([]reports.Group{}, spec.Groups...)
		if len(groups) == 0 {
			groups = []reports.Group{reports.GroupNone}
		}
		for _, g := range groups {
			v := spec.ViewFor(g)
			if viewers[v] == nil {
				t.Errorf("%s group %q: view %v has no viewer", spec.Name, g, v)
			}
		}
	}
}
