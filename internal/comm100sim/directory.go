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

// Agents past the first twenty get a given name and a family name from
// these lists (25 × 25 pairs), then a number: every name stays unique.
var (
	givenNames = []string{
		"Amélie", "Bruno", "Camila", "Dario", "Elif", "Farid", "Greta", "Hugo", "Ingrid", "Jonas",
		"Katya", "Luca", "Maëlle", "Nikos", "Olga", "Pablo", "Quentin", "Rosa", "Søren", "Tomás",
		"Ulla", "Viktor", "Wanda", "Yusuf", "Zofia",
	}
	familyNames = []string{
		"Álvarez", "Becker", "Costa", "Dąbrowski", "Eriksen", "Fischer", "Γεωργίου", "Horvat", "Ivanova", "Jansen",
		"Kovač", "Lindqvist", "Moreau", "Nowak", "Olsen", "Petrov", "Quinn", "Ruiz", "Schäfer", "Tanaka",
		"Usman", "Virtanen", "Weber", "Yilmaz", "Zhang",
	}
)

// agentName is agent k's display name (k from 0).
func agentName(k int) string {
	if k < len(agentNames) {
		return agentNames[k]
	}
	j := k - len(agentNames)
	name := givenNames[j%len(givenNames)] + " " + familyNames[(j/len(givenNames))%len(familyNames)]
	if round := j / (len(givenNames) * len(familyNames)); round > 0 {
		name += fmt.Sprintf(" %d", round+1)
	}
	return name
}

// Limits of the simulated site's size.
const (
	DefaultAgents      = 20
	MaxAgents          = 10000
	DefaultDepartments = 4
	MaxDepartments     = 200
)

var departmentNames = []string{"Sales", "Support", "Billing", "Onboarding", "Returns", "Enterprise", "Partners", "Retail"}

// departmentList returns n departments: the four classic ones first.
func departmentList(n int) []Entity {
	names := make([]string, n)
	for i := range names {
		if i < len(departmentNames) {
			names[i] = departmentNames[i]
		} else {
			names[i] = fmt.Sprintf("Team %d", i+1)
		}
	}
	return entities(1, names)
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
	departments     = departmentList(DefaultDepartments)
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

// Site returns the directory of the simulated site with n agents
// (1..MaxAgents, 0 for the default 20) and the default four departments.
func Site(n int) Directory { return SiteOf(Options{Agents: n}) }

// SiteOf returns the directory of the site a simulator with these options serves.
func SiteOf(opts Options) Directory {
	n := clamp(opts.Agents, DefaultAgents, MaxAgents)
	agents := make([]Entity, n)
	for i := range agents {
		agents[i] = Entity{ID: fmt.Sprint(i + 1), Name: agentName(i)}
	}
	return Directory{
		Agents: agents, Departments: departmentList(clamp(opts.Departments, DefaultDepartments, MaxDepartments)),
		Campaigns: campaigns, VisitorSegments: visitorSegments, AutoInvitations: autoInvitations,
		ConversionActions: conversionActs, CannedMessages: cannedMessages, CustomMetrics: customMetrics,
	}
}

// clamp returns def for n <= 0 and at most hi.
func clamp(n, def, hi int) int {
	if n <= 0 {
		return def
	}
	return min(n, hi)
}

// An agent's department, campaign and segment are fixed by its index, so
// grouping by any of them partitions the same chats.
func (m *model) deptOf(k int) int { return k % len(m.depts) }
func campaignOf(k int) int        { return k % len(campaigns) }
func segmentOf(k int) int         { return (k / 3) % len(visitorSegments) }
