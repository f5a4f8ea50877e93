package format

import (
	"strings"
	"unicode/utf8"

	"reportmailer/pkg/reports"
)

// Names maps ids to display names, per dimension (agent, department, …).
type Names map[reports.Group]map[string]string

// Name returns the display name for an id, or a readable fallback.
func (n Names) Name(g reports.Group, id reports.ID) string {
	if name, ok := n[g][string(id)]; ok && name != "" {
		return name
	}
	if id == "" {
		return "(none)"
	}
	s := string(id)
	if utf8.RuneCountInString(s) > 13 { // a GUID: keep it short but recognisable
		s = Truncate(s, 9) // eight characters and "…", never a split one
	}
	switch g {
	case reports.GroupAgent:
		return "Agent " + s
	case reports.GroupDepartment:
		return "Department " + s
	case reports.GroupCampaign:
		return "Campaign " + s
	}
	return s
}

// QueueLabel names a real-time queue: "Site", "Department: Sales", "Agent: José Núñez".
func QueueLabel(n Names, r reports.RouteTo) string {
	switch r.Type {
	case reports.RouteSite:
		return "Site"
	case reports.RouteDepartment:
		return "Department: " + strings.TrimPrefix(n.Name(reports.GroupDepartment, r.ID), "Department ")
	case reports.RouteAgent:
		return "Agent: " + strings.TrimPrefix(n.Name(reports.GroupAgent, r.ID), "Agent ")
	}
	return r.Type.String() + " " + string(r.ID)
}
