// Package ids finds the Comm100 ids a site's reports mention — agents,
// departments, campaigns, visitor segments, auto invitations, canned
// messages and conversion actions — so a user can fill the config's
// `names` maps without guessing. The Report API returns ids only, never
// names; this package lists what was seen beside what is already named and
// writes a YAML block for the rest.
package ids

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"

	"reportmailer/pkg/config"
	"reportmailer/pkg/reports"
)

// Kind is a family of ids, spelled as its map under `names:` in the config.
type Kind string

// Kinds of ids, in the order they are printed.
const (
	Agents            Kind = "agents"
	Departments       Kind = "departments"
	Campaigns         Kind = "campaigns"
	VisitorSegments   Kind = "visitorSegments"
	AutoInvitations   Kind = "autoInvitations"
	CannedMessages    Kind = "cannedMessages"
	ConversionActions Kind = "conversionActions"
)

// Kinds lists every kind in print order.
var Kinds = []Kind{Agents, Departments, Campaigns, VisitorSegments, AutoInvitations, CannedMessages, ConversionActions}

// label is what a placeholder name starts with.
var label = map[Kind]string{
	Agents: "Agent", Departments: "Department", Campaigns: "Campaign", VisitorSegments: "Segment",
	AutoInvitations: "Auto invitation", CannedMessages: "Canned message", ConversionActions: "Conversion action",
}

// source is one report call whose rows carry one kind of id.
type source struct {
	Report reports.Name
	Group  reports.Group // the dimension that puts the id into each row
	Kind   Kind
}

// sources are the fewest calls that cover every kind, plus a second
// report for agents and departments: an agent who was online but took no
// chat appears in availability only.
var sources = []source{
	{"agentPerformance", reports.GroupAgent, Agents},
	{"availability", reports.GroupAgent, Agents},
	{"agentPerformance", reports.GroupDepartment, Departments},
	{"chatVolume", reports.GroupDepartment, Departments},
	{"chatVolume", reports.GroupCampaign, Campaigns},
	{"chatVolume", reports.GroupVisitorSegment, VisitorSegments},
	{"autoInvitation", reports.GroupAutoInvitation, AutoInvitations},
	{"cannedMessage", reports.GroupNone, CannedMessages},
	{"conversions", reports.GroupConversionAction, ConversionActions},
}

// Fetcher is the part of *reports.Client a scan needs.
type Fetcher interface {
	Fetch(ctx context.Context, name reports.Name, q reports.Query) (reports.Result, error)
}

// Seen is one id found in the reports.
type Seen struct {
	ID   string
	Name string // from the config; empty when not named yet
}

// Scan is the outcome of a scan.
type Scan struct {
	From, To time.Time
	Seen     map[Kind][]Seen // sorted: numbers numerically, then strings
	// Notes say which reports could not be read and why (e.g. not in the
	// site's edition); their kinds may be incomplete.
	Notes []string
	// Read counts the report calls that answered: none means the scan
	// found nothing because it could read nothing.
	Read int
}

// Missing returns the ids of a kind that the config does not name.
func (s *Scan) Missing(k Kind) []string {
	var out []string
	for _, e := range s.Seen[k] {
		if e.Name == "" {
			out = append(out, e.ID)
		}
	}
	return out
}

// Find fetches the reports over [from, to) and collects their ids,
// naming each from names. A report the site cannot read becomes a note;
// rejected credentials fail the scan, since every other call would too.
func Find(ctx context.Context, c Fetcher, names config.Names, from, to time.Time) (*Scan, error) {
	seen := map[Kind]map[string]bool{}
	scan := &Scan{From: from, To: to, Seen: map[Kind][]Seen{}}
	for _, src := range sources {
		res, err := c.Fetch(ctx, src.Report, reports.Query{From: from, To: to, Group: src.Group})
		if errors.Is(err, reports.ErrUnauthorized) {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			scan.Notes = append(scan.Notes, fmt.Sprintf("%s: %s not read (%s): %v", src.Kind, src.Report, reports.Reason(err), err))
			continue
		}
		scan.Read++
		if seen[src.Kind] == nil {
			seen[src.Kind] = map[string]bool{}
		}
		for _, row := range res.Rows() {
			if id := idOf(row, src); id != "" {
				seen[src.Kind][id] = true
			}
		}
	}
	known := byKind(names)
	for k, set := range seen {
		list := make([]Seen, 0, len(set))
		for id := range set {
			list = append(list, Seen{ID: id, Name: known[k][id]})
		}
		sort.Slice(list, func(i, j int) bool { return idLess(list[i].ID, list[j].ID) })
		scan.Seen[k] = list
	}
	return scan, nil
}

// idOf reads the id a row carries for the source's kind.
func idOf(row any, src source) string {
	if r, ok := row.(*reports.CannedMessageRow); ok {
		return string(r.ID)
	}
	return string(reports.KeyOf(row, src.Group))
}

func byKind(n config.Names) map[Kind]map[string]string {
	return map[Kind]map[string]string{
		Agents: n.Agents, Departments: n.Departments, Campaigns: n.Campaigns, VisitorSegments: n.VisitorSegments,
		AutoInvitations: n.AutoInvitations, CannedMessages: n.CannedMessages, ConversionActions: n.ConversionActions,
	}
}

// idLess orders integer ids numerically, before any other id.
func idLess(a, b string) bool {
	na, errA := strconv.ParseInt(a, 10, 64)
	nb, errB := strconv.ParseInt(b, 10, 64)
	switch {
	case errA == nil && errB == nil:
		return na < nb
	case errA == nil:
		return true
	case errB == nil:
		return false
	}
	return a < b
}

// WriteReport prints, per kind, every id seen with its configured name (or
// "(not named)"), then the notes.
func (s *Scan) WriteReport(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "ids seen in the reports from %s to %s\n", s.From.Format(time.DateOnly), s.To.Format(time.DateOnly))
	for _, k := range Kinds {
		list := s.Seen[k]
		fmt.Fprintf(&b, "\n%s: %d seen, %d not named\n", k, len(list), len(s.Missing(k)))
		for _, e := range list {
			name := e.Name
			if name == "" {
				name = "(not named)"
			}
			fmt.Fprintf(&b, "  %-38s %s\n", printable(e.ID), printable(name))
		}
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "\nnote: %s", n)
	}
	if len(s.Notes) > 0 {
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// printable quotes a value that carries control characters (ids and
// names come from the API and the config), so it cannot rewrite the terminal.
func printable(s string) string {
	if strings.ContainsFunc(s, unicode.IsControl) {
		return strconv.Quote(s)
	}
	return s
}

// MissingYAML returns a `names:` block with a placeholder name for every
// id the config does not name yet, ready to paste into the config (merge
// it with an existing `names:` section). It is empty when nothing is missing.
func (s *Scan) MissingYAML() ([]byte, error) {
	names := &yaml.Node{Kind: yaml.MappingNode}
	for _, k := range Kinds {
		missing := s.Missing(k)
		if len(missing) == 0 {
			continue
		}
		m := &yaml.Node{Kind: yaml.MappingNode}
		for _, id := range missing {
			m.Content = append(m.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: id},
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: placeholder(k, id), LineComment: "TODO: the real name"})
		}
		names.Content = append(names.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: string(k)}, m)
	}
	if len(names.Content) == 0 {
		return nil, nil
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "names"}, names}}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return []byte(b.String()), enc.Close()
}

// placeholder is a name that validates and reads as unfinished: the kind
// and the id's first eight characters (a GUID's distinct part).
func placeholder(k Kind, id string) string {
	short := id
	if len(short) > 8 {
		short = short[:8]
	}
	return label[k] + " " + short
}
