package config_test

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"reportmailer/pkg/config"
)

func namesConfig(n int) []byte {
	var b strings.Builder
	b.WriteString("mail: {from: reports@example.com}\nnames:\n  agents:\n")
	for i := range n {
		fmt.Fprintf(&b, "    \"%d\": \"Agent number %d\"\n", i, i)
	}
	b.WriteString("digests:\n  - {id: d, period: week, timezone: Europe/London, to: [a@example.com], reports: [{report: chatVolume}]}\n")
	return []byte(b.String())
}

// BenchmarkLoadNames loads a config whose names map has n agents; the
// time must grow linearly with n (yaml.v3's own map decoding is quadratic).
func BenchmarkLoadNames(b *testing.B) {
	for _, n := range []int{1000, 10000, 60000} {
		data := namesConfig(n)
		b.Run(fmt.Sprintf("agents=%d/%dKiB", n, len(data)>>10), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := config.Load(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkYAMLMapNames is the same names decoded by yaml.v3 into a plain
// map[string]string, the way config did before: for comparison only.
func BenchmarkYAMLMapNames(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		data := namesConfig(n)
		b.Run(fmt.Sprintf("agents=%d", n), func(b *testing.B) {
			for b.Loop() {
				var v struct {
					Names struct {
						Agents map[string]string `yaml:"agents"`
					} `yaml:"names"`
				}
				if err := yaml.Unmarshal(data, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
