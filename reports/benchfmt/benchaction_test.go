package benchfmt

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

// readActionBench decodes one of the files WriteActionBenchFiles wrote, checking on the
// way that every entry has exactly the fields the action's custom formats
// know, with a string name and unit and a number value.
func readActionBench(t *testing.T, path string) []ActionBench {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: not a JSON array of objects: %v", path, err)
	}
	for _, e := range raw {
		for k := range e {
			switch k {
			case "name", "unit", "value", "range", "extra":
			default:
				t.Errorf("%s: entry %v has field %q the action does not know", path, e["name"], k)
			}
		}
		if _, ok := e["name"].(string); !ok {
			t.Errorf("%s: entry without a string name: %v", path, e)
		}
		if _, ok := e["unit"].(string); !ok {
			t.Errorf("%s: entry %v without a string unit", path, e["name"])
		}
		if _, ok := e["value"].(float64); !ok {
			t.Errorf("%s: entry %v: value %#v is not a number", path, e["name"], e["value"])
		}
	}
	var out []ActionBench
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// near6 is a == b to the six significant digits the files keep.
func near6(a, b float64) bool { return math.Abs(a-b) <= 1e-5*math.Max(math.Abs(a), math.Abs(b)) }

func TestActionBenchFilesHoldEveryArmsReqPerSecAndLatencyForGitHubActionBenchmark(t *testing.T) {
	r := synth.Results(t, 1, 1, synth.Spread5)
	dir := t.TempDir()
	if err := WriteActionBenchFiles(dir, r); err != nil {
		t.Fatal(err)
	}
	bigger := readActionBench(t, filepath.Join(dir, BenchBiggerFile))
	smaller := readActionBench(t, filepath.Join(dir, BenchSmallerFile))
	byName := map[string]ActionBench{}
	for _, b := range append(append([]ActionBench(nil), bigger...), smaller...) {
		if _, dup := byName[b.Name]; dup {
			t.Errorf("entry %q twice: the action would chart them as one", b.Name)
		}
		byName[b.Name] = b
	}

	// Every arm of every scenario and sweep point: req/s in bigger, p50 and
	// p99 in smaller, with the values REPORT.md shows.
	var arms int
	r.EachRun(func(scenario, point string, s results.Scenario) {
		for _, a := range s.Arms {
			arms++
			want := []struct {
				metric, stat, unit string
				value              float64
			}{
				{"req/s", results.MetricReqPerSec, "req/s", a.Total.SuccessPerSec},
				{"p50", results.MetricP50, "ms", float64(a.Total.Latency.P50) / 1e6},
				{"p99", results.MetricP99, "ms", float64(a.Total.Latency.P99) / 1e6},
			}
			for _, w := range want {
				name := results.RunLabel(scenario, point) + "/" + a.Name + " " + w.metric
				b, ok := byName[name]
				if !ok {
					t.Errorf("no entry %q", name)
					continue
				}
				if b.Unit != w.unit || !near6(b.Value, w.value) || b.Value <= 0 {
					t.Errorf("%s: %v %s, want %v %s", name, b.Value, b.Unit, w.value, w.unit)
				}
				// The range covers the repetitions' interval around the value.
				e, _ := s.Stats.Arm(a.Name, w.stat)
				scale := 1.0
				if w.unit == "ms" {
					scale = 1e-6
				}
				h, err := strconv.ParseFloat(strings.TrimPrefix(b.Range, "± "), 64)
				if !strings.HasPrefix(b.Range, "± ") || err != nil {
					t.Errorf("%s: range %q, want \"± number\"", name, b.Range)
					continue
				}
				if lo, hi := e.Lo*scale, e.Hi*scale; b.Value-h > lo*(1+1e-5) || b.Value+h < hi*(1-1e-5) {
					t.Errorf("%s: %v %s, does not cover the interval [%v, %v]", name, b.Value, b.Range, lo, hi)
				}
				if !strings.Contains(b.Extra, "CI [") || !strings.Contains(b.Extra, strconv.Itoa(len(a.Reps))+" repetitions") {
					t.Errorf("%s: extra %q lacks the interval or the repetitions", name, b.Extra)
				}
			}
		}
	})
	if arms != 10 || len(bigger) != arms || len(smaller) != 2*arms {
		t.Fatalf("%d arms: %d req/s and %d latency entries, want %d and %d", arms, len(bigger), len(smaller), arms, 2*arms)
	}

	// Known values of the synthetic run: the tuned arm's median rate and
	// the seed's 5-repetition interval, [min, max] at 93.75%.
	for name, want := range map[string]ActionBench{
		"seed-20-concurrent/default req/s":                      {Unit: "req/s", Value: 1000, Range: "± 10"},
		"seed-20-concurrent/tuned req/s":                        {Unit: "req/s", Value: 2000, Range: "± 20"},
		"conditions-sweep [concurrency=50 tls=on]/tuned req/s":  {Unit: "req/s", Value: 4000, Range: "± 40"},
		"conditions-sweep [concurrency=20 tls=off]/tuned req/s": {Unit: "req/s", Value: 1000, Range: "± 10"},
	} {
		got := byName[name]
		if got.Unit != want.Unit || got.Value != want.Value || got.Range != want.Range {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}
	if e := byName["seed-20-concurrent/tuned req/s"].Extra; !strings.Contains(e, "median of 5 repetitions; 93.75% CI [1980, 2020] req/s") {
		t.Errorf("seed tuned req/s extra %q", e)
	}
	if p99 := byName["conditions-sweep [concurrency=20 tls=on]/tuned p99"]; p99.Unit != "ms" || p99.Value < 10 || p99.Value > 40 {
		t.Errorf("sweep tuned p99 %+v: want about 30 ms (3×p50 tail)", p99)
	}
	// EachRun order: the seed's arms first.
	if bigger[0].Name != "seed-20-concurrent/default req/s" || smaller[1].Name != "seed-20-concurrent/default p99" {
		t.Errorf("order: %q, %q", bigger[0].Name, smaller[1].Name)
	}
}

func TestActionBenchesLeaveOutWhatWasNotMeasured(t *testing.T) {
	one := synth.Arm(t, "tuned", 0, 1, []float64{1500}, []float64{1}, 10*time.Millisecond, 0)
	s := synth.Scenario(t, "one-rep", results.Arm{Name: "default", Profile: "default"}, one)
	r := &results.Results{SchemaVersion: results.SchemaVersion, Scenarios: []results.Scenario{s}}
	bigger, smaller := ActionBenches(r)
	if len(bigger) != 2 || len(smaller) != 2 {
		t.Fatalf("bigger %+v smaller %+v: want req/s for both arms, latency only for the one that served requests", bigger, smaller)
	}
	if b := bigger[0]; b.Name != "one-rep/default req/s" || b.Value != 0 || b.Range != "" {
		t.Errorf("empty arm: %+v", b)
	}
	// One repetition has no interval: no range.
	if b := bigger[1]; b.Name != "one-rep/tuned req/s" || b.Value != 1500 || b.Range != "" {
		t.Errorf("one repetition: %+v", b)
	}
	if smaller[0].Name != "one-rep/tuned p50" || smaller[1].Name != "one-rep/tuned p99" || smaller[0].Range != "" {
		t.Errorf("latency entries %+v", smaller)
	}

	// No run at all still gives two valid (empty) arrays.
	dir := t.TempDir()
	if err := WriteActionBenchFiles(dir, &results.Results{SchemaVersion: results.SchemaVersion}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{BenchBiggerFile, BenchSmallerFile} {
		if b := readActionBench(t, filepath.Join(dir, f)); len(b) != 0 {
			t.Errorf("%s: %+v", f, b)
		}
	}
}
