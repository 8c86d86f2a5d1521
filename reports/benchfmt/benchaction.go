package benchfmt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// Files of a report directory for benchmark-action/github-action-benchmark:
// req/s for its tool customBiggerIsBetter, p50 and p99 in ms for
// customSmallerIsBetter.
const (
	BenchBiggerFile  = "benchmark-bigger.json"
	BenchSmallerFile = "benchmark-smaller.json"
)

// ActionBench is one entry of github-action-benchmark's custom formats
// (tools customBiggerIsBetter and customSmallerIsBetter): a JSON array of
// these, one file per direction, charts every entry by name across commits.
type ActionBench struct {
	Name  string  `json:"name"`
	Unit  string  `json:"unit"`
	Value float64 `json:"value"`
	// Range is "± h": value ± h covers the repetitions' confidence interval
	// (the action reads "±" and a number, and shows it beside the value).
	Range string `json:"range,omitempty"`
	// Extra is free text the action shows in the chart's tooltip.
	Extra string `json:"extra,omitempty"`
}

// Units of the github-action-benchmark entries.
const (
	ActionUnitReqPerSec = "req/s"
	ActionUnitMs        = "ms"
)

// ActionBenchName names an entry: the run label, the arm and the metric,
// e.g. "seed-20-concurrent/tuned req/s" or
// "conditions-sweep [concurrency=20 rtt=0s tls=on]/tuned p99".
func ActionBenchName(scenario, point, arm, metric string) string {
	return results.RunLabel(scenario, point) + "/" + arm + " " + metric
}

// ActionBenches turns r into github-action-benchmark entries, in EachRun
// and arm order. bigger holds each arm's req/s (successful responses per
// second, the median of the repetitions, as REPORT.md shows it); smaller
// holds its service-time p50 and p99 in milliseconds, from the merged
// histograms. An arm that completed no request has no latency entries.
func ActionBenches(r *results.Results) (bigger, smaller []ActionBench) {
	bigger, smaller = []ActionBench{}, []ActionBench{}
	r.EachRun(func(scenario, point string, s results.Scenario) {
		for _, a := range s.Arms {
			bigger = append(bigger, actionBench(ActionBenchName(scenario, point, a.Name, "req/s"), ActionUnitReqPerSec,
				a.Total.SuccessPerSec, 1, s.Stats, a.Name, results.MetricReqPerSec, "median of "+repetitions(len(a.Reps))))
			if a.Total.Requests == 0 {
				continue
			}
			for _, m := range []struct {
				label, metric string
				v             time.Duration
			}{{"p50", results.MetricP50, a.Total.Latency.P50}, {"p99", results.MetricP99, a.Total.Latency.P99}} {
				smaller = append(smaller, actionBench(ActionBenchName(scenario, point, a.Name, m.label), ActionUnitMs,
					float64(m.v)/float64(time.Millisecond), 1/float64(time.Millisecond), s.Stats, a.Name, m.metric,
					fmt.Sprintf("service-time %s of the merged histograms of %s", m.label, repetitions(len(a.Reps)))))
			}
		}
	})
	return bigger, smaller
}

// actionBench builds one entry of value v (in unit), what it is in Extra.
// scale converts the metric's Stats samples to unit (req/s: 1; nanoseconds
// to ms: 1e-6). With an interval from at least two repetitions, Range
// covers it around v (v ± h holds [Lo, Hi]) and Extra states it exactly,
// with the per-repetition median when v is not that median.
func actionBench(name, unit string, v, scale float64, st *results.Stats, arm, metric, what string) ActionBench {
	v = round6(v)
	b := ActionBench{Name: name, Unit: unit, Value: v, Extra: what}
	e, ok := st.Arm(arm, metric)
	if !ok || e.N < 2 {
		return b
	}
	lo, hi, center := e.Lo*scale, e.Hi*scale, round6(e.Center*scale)
	b.Range = "± " + benchNum(math.Max(0, math.Max(hi-v, v-lo)))
	b.Extra += "; "
	if center != v {
		b.Extra += fmt.Sprintf("per-repetition median %s %s, ", benchNum(center), unit)
	}
	b.Extra += fmt.Sprintf("%s%% CI [%s, %s] %s", benchNum(100*e.Confidence), benchNum(lo), benchNum(hi), unit)
	return b
}

func repetitions(n int) string {
	if n == 1 {
		return "1 repetition"
	}
	return fmt.Sprintf("%d repetitions", n)
}

// round6 rounds v to six significant digits, as bench.txt prints numbers.
func round6(v float64) float64 {
	r, err := strconv.ParseFloat(benchNum(v), 64)
	if err != nil || math.IsNaN(r) || math.IsInf(r, 0) {
		return 0
	}
	return r
}

// WriteActionBench writes benches as the JSON array github-action-benchmark's
// custom tools read.
func WriteActionBench(w io.Writer, benches []ActionBench) error {
	if benches == nil {
		benches = []ActionBench{}
	}
	b, err := json.MarshalIndent(benches, "", "  ")
	if err != nil {
		return fmt.Errorf("encode benchmark entries: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteActionBenchFiles writes BenchBiggerFile (tool customBiggerIsBetter:
// req/s) and BenchSmallerFile (tool customSmallerIsBetter: p50 and p99 in
// ms) into dir, for benchmark-action/github-action-benchmark to chart per
// commit.
func WriteActionBenchFiles(dir string, r *results.Results) error {
	bigger, smaller := ActionBenches(r)
	for _, f := range []struct {
		name    string
		benches []ActionBench
	}{{BenchBiggerFile, bigger}, {BenchSmallerFile, smaller}} {
		var buf bytes.Buffer
		if err := WriteActionBench(&buf, f.benches); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := results.WriteFileAtomic(filepath.Join(dir, f.name), buf.Bytes()); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	return nil
}
