package reports

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fixture() *Results {
	arm := func(name string, rps float64, p50, p99 time.Duration, dials int64) Arm {
		sum := Summary{
			Requests: 9300, Successes: 9300, SuccessPct: 100, ReqPerSec: rps, SuccessPerSec: rps,
			Latency: Percentiles{P50: p50, P95: p99 - time.Millisecond, P99: p99, P999: p99 + time.Millisecond, Max: p99 + 2*time.Millisecond},
			Codes:   map[string]int64{"200": 6200, "201": 3100},
			Client:  ClientConns{Dials: dials, TLSHandshakes: dials, ReusePct: 100 * float64(9300-dials) / 9300, ConnWaitMean: 767 * time.Microsecond},
			Server:  ServerConns{Known: true, Accepted: dials, TLSHandshakes: dials, Requests: 9300},
		}
		return Arm{Name: name, Profile: name, Total: sum, Reps: []Rep{{Index: 0, Position: 0, Summary: sum}}}
	}
	a, b := arm("default", 1543, 11920*time.Microsecond, 24240*time.Microsecond, 3152), arm("tuned", 1675, 11520*time.Microsecond, 16820*time.Microsecond, 0)
	b.Reps[0].Position = 1
	return &Results{
		SchemaVersion: SchemaVersion, Tool: "oranbench",
		StartedAt: time.Date(2026, 11, 28, 15, 26, 0, 0, time.UTC),
		Machine:   Machine{GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64", NumCPU: 2, GOMAXPROCS: 2},
		Scenarios: []Scenario{{
			Name: "seed-20-concurrent", Description: "the seed's example",
			Conditions: Conditions{TLS: true, HandlerLatency: 10 * time.Millisecond, Model: "closed", Concurrency: 20,
				Duration: 2 * time.Second, Warmup: 500 * time.Millisecond, Repetitions: 1, Routes: []string{"a1-policy-put ×1"}},
			Arms:   []Arm{a, b},
			Ratios: []Ratio{NewRatio(b, a)},
		}},
	}
}

func TestNewRatioDividesArmByBaseline(t *testing.T) {
	r := fixture().Scenarios[0].Ratios[0]
	if got := r.ReqPerSec; got < 1.0855 || got > 1.0856 {
		t.Fatalf("req/s ratio = %v, want 1675/1543 = 1.0855", got)
	}
	if got := r.P99; got < 0.6938 || got > 0.6940 {
		t.Fatalf("p99 ratio = %v, want 16.82/24.24 = 0.6939", got)
	}
	if z := NewRatio(Arm{}, Arm{}); z.ReqPerSec != 0 || z.P50 != 0 {
		t.Fatalf("a zero baseline must give 0 (n/a), got %+v", z)
	}
}

func TestTheReportRendersTheNumbersOfResultsJSON(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.json")
	if err := WriteJSON(path, fixture()); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := Markdown(&md, back); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{
		"## Verdict",
		"`tuned` served **1.09x** the req/s of `default`",
		"| `default` | 1,543 | 11.92 ms |",
		"| `tuned`   | 1,675 | 11.52 ms |",
		"24.24 ms", "16.82 ms",
		"3,152 / 3,152",
		"| `tuned` / `default` | 1.09x | 0.97x |",
		"`default` dialed 3,152 connections and made 3,152 TLS handshakes",
		"TLS, RTT 0s, handler 10ms, closed 20 workers",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

func TestReadJSONRejectsAnotherSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.json")
	r := fixture()
	r.SchemaVersion = 99
	if err := WriteJSON(path, r); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadJSON(path); err == nil || !strings.Contains(err.Error(), "schemaVersion 99") {
		t.Fatalf("err = %v, want a schemaVersion error", err)
	}
}

func TestFormatters(t *testing.T) {
	cases := []struct{ got, want string }{
		{Int(0), "0"}, {Int(999), "999"}, {Int(1000), "1,000"}, {Int(-1234567), "-1,234,567"},
		{Dur(85 * time.Microsecond), "85 µs"}, {Dur(12340 * time.Microsecond), "12.34 ms"},
		{Dur(250 * time.Millisecond), "250.0 ms"}, {Dur(1500 * time.Millisecond), "1.50 s"},
		{Times(0), "n/a"}, {Times(3.456), "3.46x"}, {Pct(100), "100%"}, {Pct(99.94), "99.9%"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
