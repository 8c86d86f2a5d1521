package benchfmt

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/oranbench/oranbench/reports/results"
)

// BenchFile is the name of bench.txt in a report directory.
const BenchFile = "bench.txt"

// Units of bench.txt beside ns/op, and whether higher or lower is better
// (written as "Unit" metadata lines, which benchstat reads).
var benchUnits = []struct{ unit, better string }{
	{"req/s", "higher"},
	{"p50-ns", "lower"},
	{"p95-ns", "lower"},
	{"p99-ns", "lower"},
	{"p99.9-ns", "lower"},
	{"resp-p99-ns", "lower"},
	{"max-rate-req/s", "higher"},
	{"dials/op", "lower"},
	{"tls-handshakes/op", "lower"},
	{"errors/op", "lower"},
}

// BenchName turns a scenario name such as "seed-20-concurrent" into a Go
// benchmark name such as "BenchmarkSeed20Concurrent".
func BenchName(scenario string) string {
	var b strings.Builder
	b.WriteString("Benchmark")
	up := true
	for _, r := range scenario {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// benchPart makes a "key=value" sub-benchmark part: no spaces, and no "/"
// (which separates parts), so "rate=100/s" becomes "rate=100".
func benchPart(key, value string) string {
	value = strings.TrimSuffix(value, "/s")
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '/' || unicode.IsSpace(r) {
				return '-'
			}
			return r
		}, s)
	}
	return clean(key) + "=" + clean(value)
}

// WriteBench writes r in the Go benchmark format, so `benchstat old.txt
// new.txt` compares two runs: configuration lines (goos, goarch, cpu, ...),
// unit metadata, then one line per scenario (and sweep point), arm and
// repetition, e.g.
//
//	BenchmarkSeed20Concurrent/arm=tuned 9300 645161 ns/op 1543 req/s 11920000 p50-ns ...
//
// The iteration count is the repetition's requests; ns/op is its wall time
// per request; req/s counts successful responses, as REPORT.md does.
func WriteBench(w io.Writer, r *results.Results) error {
	bw := bufio.NewWriter(w)
	m := r.Machine
	fmt.Fprintf(bw, "goos: %s\ngoarch: %s\n", m.GOOS, m.GOARCH)
	if m.CPUModel != "" {
		fmt.Fprintf(bw, "cpu: %s\n", m.CPUModel)
	}
	fmt.Fprintf(bw, "pkg: github.com/oranbench/oranbench\ngo: %s\ngomaxprocs: %d\nquick: %t\n", m.GoVersion, m.GOMAXPROCS, r.Quick)
	if r.Shard != nil {
		fmt.Fprintf(bw, "shard: %s\n", r.Shard)
	}
	for _, u := range benchUnits {
		fmt.Fprintf(bw, "Unit %s better=%s\n", u.unit, u.better)
	}
	for _, s := range r.Scenarios {
		if s.Sweep != nil {
			for _, pt := range s.Sweep.Points {
				name := BenchName(s.Name)
				for i, p := range s.Sweep.Params {
					if i < len(pt.Values) {
						name += "/" + benchPart(p, pt.Values[i])
					}
				}
				writeBenchArms(bw, name, pt.Result.Arms)
			}
			continue
		}
		writeBenchArms(bw, BenchName(s.Name), s.Arms)
	}
	return bw.Flush()
}

func writeBenchArms(w io.Writer, name string, arms []results.Arm) {
	for _, a := range arms {
		for _, rep := range a.Reps {
			fmt.Fprintf(w, "%s/%s %s\n", name, benchPart("arm", a.Name), benchValues(rep))
		}
	}
}

// benchValues formats one repetition's iteration count and value-unit pairs.
func benchValues(rep results.Rep) string {
	n := max(rep.Requests, 1)
	per := func(x int64) float64 { return float64(x) / float64(n) }
	var b strings.Builder
	fmt.Fprintf(&b, "%d", n)
	add := func(v float64, unit string) { fmt.Fprintf(&b, " %s %s", benchNum(v), unit) }
	add(float64(rep.Wall.Nanoseconds())/float64(n), "ns/op")
	add(rep.SuccessPerSec, "req/s")
	l := rep.Latency
	add(float64(l.P50), "p50-ns")
	add(float64(l.P95), "p95-ns")
	add(float64(l.P99), "p99-ns")
	add(float64(l.P999), "p99.9-ns")
	if rep.Response != nil {
		add(float64(rep.Response.P99), "resp-p99-ns")
	}
	if rep.Search != nil {
		add(rep.Search.MaxRate, "max-rate-req/s")
	}
	add(per(rep.Client.Dials), "dials/op")
	add(per(rep.Client.TLSHandshakes), "tls-handshakes/op")
	add(per(rep.Requests-rep.Successes), "errors/op")
	return b.String()
}

// benchNum prints v with six significant digits and no exponent, e.g.
// "11920000", "1543.21", "0.339".
func benchNum(v float64) string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	if err != nil {
		r = v
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}
