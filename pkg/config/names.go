package config

import (
	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"
)

// DisplayNames is the config's name maps keyed the way reports and the
// renderer know them: the digests, their audiences and the alert mails all
// read names here.
func (c *Config) DisplayNames() format.Names {
	n := c.Names
	return format.Names{
		reports.GroupAgent: n.Agents, reports.GroupDepartment: n.Departments, reports.GroupCampaign: n.Campaigns,
		reports.GroupVisitorSegment: n.VisitorSegments, reports.GroupAutoInvitation: n.AutoInvitations,
		reports.GroupConversionAction: n.ConversionActions, "cannedMessage": n.CannedMessages, "customMetric": n.CustomMetrics,
	}
}
