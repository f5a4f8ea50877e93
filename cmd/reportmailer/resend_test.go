package main

import "testing"

func TestResendFlags(t *testing.T) {
	for _, tc := range []struct {
		resend, to, start string
		send              bool
		ok                bool
	}{
		{"2026-11-16", "", "", true, true},
		{"2026-11-16", "ana@example.com", "", true, true},
		{"2026-11-16", "", "2026-11-16", true, true},
		{"2026-11-16", "", "", false, false},
		{"", "ana@example.com", "", true, false},
		{"2026-11-16", "", "2026-11-09", true, false},
		{"", "", "", false, true},
	} {
		if err := resendFlags(tc.resend, tc.to, tc.start, tc.send); (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc, err)
		}
	}
}
