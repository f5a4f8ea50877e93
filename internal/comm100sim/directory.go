package comm100sim

import "fmt"

// The simulated site's people and things. Names carry accents, Greek and
// Cyrillic on purpose: every renderer must get them right.

// Entity is an id with a display name.
type Entity struct {
	ID   string
	Name string
}

var agentNames = []string{
	"José Núñez", "Zoë Brontë", "Ana Lúcia Ferreira", "Björn Ødegaard", "Chloé Dubois",
	"Łukasz Wróbel", "Αλέξης Παπαδόπουλος", "Дмитрий Иванов", "Mei Chen", "Aisha Khan",
	"Oliver Smith", "Emma Johnson", "Noah Williams", "Liam O'Brien", "Sofía García",
	"Mateo Rossi", "Hannah Müller", "Inês Santos", "Ewa Kowalska", "Kenji Watanabe",
}

func guid(kind, i int) string {
	return fmt.Sprintf("%08x-92e6-4487-a2e8-%012x", 0x1487fc00+kind*0x100+i, 0x92e68d6892e0+i)
}

func entities(kind int, names []string) []Entity {
	out := make([]Entity, len(names))
	for i, n := range names {
		out[i] = Entity{ID: guid(kind, i), Name: n}
	}
	return out
}

var (
	departments     = entities(1, []string{"Sales", "Support", "Billing", "Onboarding"})
	campaigns       = entities(2, []string{"Website", "Mobile app", "Help centre"})
	visitorSegments = entities(3, []string{"New visitors", "Returning customers", "VIP"})
	autoInvitations = entities(4, []string{"Pricing page nudge", "Cart rescue", "Welcome back", "Docs helper"})
	conversionActs  = entities(5, []string{"Trial sign-up", "Purchase", "Demo booked"})
	customMetrics   = entities(6, []string{"First contact resolution", "Chats per agent hour"})
	cannedMessages  = entities(7, []string{
		"Greeting", "One moment please", "Pricing overview", "Refund policy", "Password reset steps",
		"Transfer to billing", "Business hours", "Thanks for chatting", "Shipping times", "Escalation notice",
		"Survey request", "Known outage",
	})
)

var requestPages = []string{
	"https://www.example.com/pricing",
	"https://www.example.com/",
	"https://www.example.com/support/contact",
	"https://www.example.com/checkout/cart",
	"https://www.example.com/de/produkte/übersicht",
	"https://www.example.com/blog/2026/11/how-we-cut-first-response-time-in-half-with-smarter-routing-and-canned-messages?utm_source=newsletter&utm_medium=email&utm_campaign=november",
	"https://www.example.com/docs/api/authentication",
	"https://www.example.com/fr/tarifs/entreprise",
	"https://www.example.com/ru/цены",
	"https://www.example.com/account/billing",
}

// Directory is the simulated site's entities, for name maps in configs and tests.
type Directory struct {
	Agents, Departments, Campaigns, VisitorSegments, AutoInvitations, ConversionActions, CannedMessages, CustomMetrics []Entity
}

// Site returns the directory of the simulated site with n agents (1..20).
func Site(n int) Directory {
	n = clampAgents(n)
	agents := make([]Entity, n)
	for i := range agents {
		agents[i] = Entity{ID: fmt.Sprint(i + 1), Name: agentNames[i]}
	}
	return Directory{
		Agents: agents, Departments: departments, Campaigns: campaigns, VisitorSegments: visitorSegments,
		AutoInvitations: autoInvitations, ConversionActions: conversionActs, CannedMessages: cannedMessages,
		CustomMetrics: customMetrics,
	}
}

func clampAgents(n int) int {
	if n <= 0 || n > len(agentNames) {
		return len(agentNames)
	}
	return n
}

// An agent's department, campaign and segment are fixed by its index, so
// grouping by any of them partitions the same chats.
func deptOf(k int) int     { return k % len(departments) }
func campaignOf(k int) int { return k % len(campaigns) }
func segmentOf(k int) int  { return (k / 3) % len(visitorSegments) }
