package gctune

import "testing"

func TestFor(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want Settings
	}{
		{"outside Lambda: as a 256 MB function", nil, Settings{Percent: 400, Limit: 161061273}},
		{"a 512 MB function", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}, Settings{Percent: 400, Limit: 322122547}},
		{"a 128 MB function", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}, Settings{Percent: 400, Limit: 80530636}},
		{"an unreadable size: the default", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "lots"}, Settings{Percent: 400, Limit: 161061273}},
		{"GOGC set: left alone", map[string]string{"GOGC": "100"}, Settings{}},
		{"GOMEMLIMIT set: left alone", map[string]string{"GOMEMLIMIT": "1GiB"}, Settings{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := For(func(k string) string { return tc.env[k] }); got != tc.want {
				t.Errorf("For = %+v, want %+v", got, tc.want)
			}
		})
	}
}
