package config_test

import (
	"strings"
	"testing"

	"reportmailer/pkg/config"
)

func TestLinksBaseURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, value, env, want string // want: "" for valid, else a problem's text
	}{
		{"https base", "https://links.example.com/", "", ""},
		{"function URL from the stack", "", "https://abc.lambda-url.eu-west-1.on.aws/", ""},
		{"plain http", "http://links.example.com/", "", "mail.linksBaseURL: \"http://links.example.com/\": want an https:// URL"},
		{"no host", "https:///u", "", "want an https:// URL"},
		{"query", "https://links.example.com/?x=1", "", "without query"},
		{"header injection", "https://links.example.com/\r\nX: y", "", "is not a URL"},
		{"bad env value names the variable", "", "ftp://x", "env LINKS_BASE_URL: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mail := ""
			if tc.value != "" {
				mail = ", linksBaseURL: " + strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(`"`+tc.value+`"`)
			}
			getenv := func(k string) string {
				if k == "LINKS_BASE_URL" {
					return tc.env
				}
				return ""
			}
			cfg, err := config.LoadWith([]byte(sample("", mail, "", "", "")), config.Options{Getenv: getenv})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected problems: %v", err)
			case tc.want == "" && cfg.Mail.LinksBaseURL != tc.value+tc.env:
				t.Errorf("linksBaseURL %q", cfg.Mail.LinksBaseURL)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("err = %v, want a problem containing %q", err, tc.want)
			}
		})
	}
}

func TestAudienceValidation(t *testing.T) {
	t.Parallel()
	const dept = "1487fd00-92e6-4487-a2e8-92e68d6892e0"
	for _, tc := range []struct {
		name, digest, want string // want: "" for valid
	}{
		{"department audience, no to", ", to: [], audience: {filter: department, members: {" + dept + ": [m@example.com]}}, reports: [{report: rating, group: agent}, {report: postChatSurvey}]", ""},
		{"filter no report of the digest takes", ", audience: {filter: campaign, members: {c1: [m@example.com]}}, reports: [{report: rating, group: agent}]",
			`digests[0].audience.filter: "campaign" filters none of this digest's reports`},
		{"filter the API does not have", ", audience: {filter: team, members: {t1: [m@example.com]}}, reports: [{report: rating}]", `"team" filters none`},
		{"no filter", ", audience: {members: {t1: [m@example.com]}}, reports: [{report: rating}]", "digests[0].audience.filter: required (one of: "},
		{"no members", ", audience: {filter: department}, reports: [{report: rating}]", "digests[0].audience.members: at least one member"},
		{"member without readers", ", audience: {filter: department, members: {" + dept + ": []}}, reports: [{report: rating}]", "digests[0].audience.members." + dept + ": at least one recipient"},
		{"bad address", ", audience: {filter: department, members: {" + dept + ": [nope]}}, reports: [{report: rating}]", `digests[0].audience.members.` + dept + `[0]: "nope" is not an email address`},
		{"value that is not an id", ", audience: {filter: department, members: {\"a#b\": [m@example.com]}}, reports: [{report: rating}]", "a filter value of letters, digits"},
		{"neither to nor audience", ", to: [], reports: [{report: rating}]", "at least one recipient (to, cc or bcc), or an audience"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load([]byte(audienceDoc(tc.digest)))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected problems: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("err = %v, want a problem containing %q", err, tc.want)
			}
		})
	}
}

func TestDigestToOverridesAudiences(t *testing.T) {
	t.Parallel()
	doc := audienceDoc(", to: [a@example.com], audience: {filter: department, members: {d1: [m@example.com]}}, reports: [{report: rating}]")
	cfg, err := config.LoadWith([]byte(doc), config.Options{Getenv: func(k string) string {
		if k == "DIGEST_TO" {
			return "staging@example.com"
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Digests[0].Audience.Members["d1"]; len(got) != 1 || got[0] != "staging@example.com" {
		t.Errorf("audience members %v under DIGEST_TO", got)
	}
}

// audienceDoc is a config with one digest taking extra (", key: value, …").
func audienceDoc(extra string) string {
	return `
comm100: {siteID: "10000"}
mail: {from: reports@example.com}
digests:
  - {id: d, period: week, timezone: Europe/London` + extra + `}
`
}
