package results_test

import (
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

func TestFormatters(t *testing.T) {
	cases := []struct{ got, want string }{
		{results.Int(0), "0"}, {results.Int(999), "999"}, {results.Int(1000), "1,000"}, {results.Int(-1234567), "-1,234,567"},
		{results.Dur(85 * time.Microsecond), "85 µs"}, {results.Dur(12340 * time.Microsecond), "12.34 ms"},
		{results.Dur(250 * time.Millisecond), "250.0 ms"}, {results.Dur(1500 * time.Millisecond), "1.50 s"},
		{results.Times(0), "n/a"}, {results.Times(3.456), "3.46x"}, {results.Pct(100), "100%"}, {results.Pct(99.94), "99.9%"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestFileStemKeepsNamesReadableAndSafe(t *testing.T) {
	cases := map[string]string{
		"seed-20-concurrent":                "seed-20-concurrent",
		"conditions-sweep [rtt=5ms tls=on]": "conditions-sweep_rtt=5ms_tls=on",
		"rate=100/s":                        "rate=100_s",
		"../../etc/passwd":                  ".._.._etc_passwd",
		"tuned resume":                      "tuned_resume",
	}
	for in, want := range cases {
		if got := results.FileStem(in); got != want {
			t.Errorf("FileStem(%q) = %q, want %q", in, got, want)
		}
	}
}
