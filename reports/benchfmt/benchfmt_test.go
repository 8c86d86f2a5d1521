package benchfmt

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/oranbench/oranbench/reports/internal/synth"
)

// benchLine is one parsed result line of the Go benchmark data format.
type benchLine struct {
	name   string
	iters  int64
	values map[string]float64
}

// parseBenchFormat parses text by the rules of the Go benchmark data format
// (golang.org/design/14313-benchmark-format, as golang.org/x/perf/benchfmt
// reads it): configuration lines "key: value" with a key that starts lower
// case and holds no space nor upper case; "Unit UNIT key=value..." metadata
// lines; result lines "BenchmarkName ITERATIONS VALUE UNIT [VALUE UNIT...]",
// the name not continuing in lower case after "Benchmark". Any other line
// is an error here, so that nothing is silently skipped.
func parseBenchFormat(text string) (config map[string]string, units map[string]string, lines []benchLine, err error) {
	config, units = map[string]string{}, map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case strings.HasPrefix(line, "Benchmark"):
			rest := strings.TrimPrefix(f[0], "Benchmark")
			if r, _ := utf8.DecodeRuneInString(rest); rest != "" && unicode.IsLower(r) {
				return nil, nil, nil, fmt.Errorf("line %d: name %q continues in lower case", n, f[0])
			}
			if len(f) < 4 || len(f)%2 != 0 {
				return nil, nil, nil, fmt.Errorf("line %d: want name, iterations and value-unit pairs: %q", n, line)
			}
			it, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || it < 1 {
				return nil, nil, nil, fmt.Errorf("line %d: iterations %q", n, f[1])
			}
			bl := benchLine{name: f[0], iters: it, values: map[string]float64{}}
			for i := 2; i < len(f); i += 2 {
				v, err := strconv.ParseFloat(f[i], 64)
				if err != nil {
					return nil, nil, nil, fmt.Errorf("line %d: value %q: %v", n, f[i], err)
				}
				bl.values[f[i+1]] = v
			}
			lines = append(lines, bl)
		case f[0] == "Unit":
			if len(f) < 3 {
				return nil, nil, nil, fmt.Errorf("line %d: unit line without metadata: %q", n, line)
			}
			for _, kv := range f[2:] {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || k != "better" || (v != "higher" && v != "lower") {
					return nil, nil, nil, fmt.Errorf("line %d: unit metadata %q", n, kv)
				}
				units[f[1]] = v
			}
		default:
			k, v, ok := strings.Cut(line, ":")
			r, _ := utf8.DecodeRuneInString(k)
			if !ok || !unicode.IsLower(r) || strings.IndexFunc(k, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsUpper(r) }) >= 0 ||
				(v != "" && v[0] != ' ' && v[0] != '\t') {
				return nil, nil, nil, fmt.Errorf("line %d: neither a result, a unit nor a configuration line: %q", n, line)
			}
			config[k] = strings.TrimSpace(v)
		}
	}
	return config, units, lines, sc.Err()
}

func TestBenchTxtLinesParseAsGoBenchmarkLines(t *testing.T) {
	r := synth.Results(t, 1, 1, synth.Spread5)
	var buf bytes.Buffer
	if err := WriteBench(&buf, r); err != nil {
		t.Fatal(err)
	}
	config, units, lines, err := parseBenchFormat(buf.String())
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if config["goos"] != "linux" || config["cpu"] != "Test CPU" || config["gomaxprocs"] != "2" {
		t.Errorf("configuration = %v", config)
	}
	if units["req/s"] != "higher" || units["p99-ns"] != "lower" {
		t.Errorf("unit metadata = %v", units)
	}
	// 2 arms x 5 repetitions, then 4 sweep points x 2 arms x 3 repetitions.
	if len(lines) != 10+24 {
		t.Fatalf("%d result lines, want 34:\n%s", len(lines), buf.String())
	}
	first := lines[0]
	rep := r.Scenarios[0].Arms[0].Reps[0]
	if first.name != "BenchmarkSeed20Concurrent/arm=default" || first.iters != rep.Requests {
		t.Errorf("first line: %q %d, want BenchmarkSeed20Concurrent/arm=default %d", first.name, first.iters, rep.Requests)
	}
	want := map[string]float64{
		"req/s": rep.SuccessPerSec, "p50-ns": float64(rep.Latency.P50), "p99-ns": float64(rep.Latency.P99),
		"dials/op": float64(rep.Client.Dials) / float64(rep.Requests), "errors/op": 0,
	}
	for unit, v := range want {
		if got := first.values[unit]; got < v*0.99999 || got > v*1.00001 {
			t.Errorf("%s = %v, want %v", unit, got, v)
		}
	}
	if ns, rps := first.values["ns/op"], float64(rep.Requests)/rep.Wall.Seconds(); ns < 1e9/rps*0.9999 || ns > 1e9/rps*1.0001 {
		t.Errorf("ns/op = %v, want wall time per request %v", ns, 1e9/rps)
	}
	if got := lines[10].name; got != "BenchmarkConditionsSweep/concurrency=20/tls=on/arm=default" {
		t.Errorf("sweep line name = %q", got)
	}
}

func TestBenchNamesAreGoBenchmarkNames(t *testing.T) {
	cases := map[string]string{
		"seed-20-concurrent": "BenchmarkSeed20Concurrent",
		"a1 policy_burst":    "BenchmarkA1PolicyBurst",
		"20-workers":         "Benchmark20Workers",
	}
	for in, want := range cases {
		if got := BenchName(in); got != want {
			t.Errorf("BenchName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := benchPart("rate", "100/s"); got != "rate=100" {
		t.Errorf("benchPart(rate, 100/s) = %q, want rate=100 (a slash would split the name)", got)
	}
}
