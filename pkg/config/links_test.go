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
