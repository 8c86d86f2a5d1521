package markdown

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func TestTheReportRendersTheNumbersOfResultsJSON(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.json")
	if err := results.WriteJSON(path, synth.Fixture()); err != nil {
		t.Fatal(err)
	}
	back, err := results.ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := Report(&md, back); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{
		"## Verdict",
		"`tuned` served **1.09x** the req/s of `default`",
		"| `default` | 1,543 | 11.92 ms |",
		"| `tuned` | 1,675 | 11.52 ms |",
		"24.24 ms", "16.82 ms",
		"3,152 / 3,152",
		"| `tuned` / `default` | 1.09x | 0.97x |",
		"| `default` | 3,152 | 3,152 | 66.1% | 3,152 / 3,152 |",
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

func TestTheReportOpensWithTheClaimsAndDrawsTheSweepMatrix(t *testing.T) {
	sweep := results.Scenario{Name: "conditions-sweep", Description: "the matrix", Sweep: &results.Sweep{Params: []string{"concurrency", "rtt", "tls"}}}
	for _, c := range []struct {
		conc, rtt, tls string
		ratio          float64
	}{{"2", "0s", "on", 1.1}, {"2", "20ms", "on", 1.0}, {"50", "0s", "on", 12}, {"50", "20ms", "on", 4.5}, {"2", "0s", "off", 1.0}} {
		sweep.Sweep.Points = append(sweep.Sweep.Points, results.SweepPoint{Values: []string{c.conc, c.rtt, c.tls}, Result: synth.Point("conditions-sweep", c.tls == "on", 0, c.ratio)})
	}
	r := synth.Fixture()
	r.Scenarios = append(r.Scenarios, sweep)
	var md bytes.Buffer
	if err := Report(&md, r); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	claims, verdict := strings.Index(out, "## Seed claims"), strings.Index(out, "## Verdict")
	if claims < 0 || verdict < 0 || claims > verdict {
		t.Fatalf("the seed-claims table must come first:\n%s", out)
	}
	for _, want := range []string{
		"| claim ", "| 10x more req/s (optimistic estimate) ",
		"## MaxIdleConnsPerHost=2 does not queue requests",
		"### Ratio matrix: `tuned` / `default` req/s",
		"tls=on:", "tls=off:",
		"| concurrency \\ rtt | 0s ",
		"**12.00x [10.36x – 13.89x]** ≥10x", "**4.50x [3.89x – 5.21x]** ≥4x", "not run",
		"**conditions-sweep** (sweep over concurrency × rtt × tls): tuned/default from 1.00x to 12.00x; ≥ 4x at 2 of 5 points, ≥ 10x at 1.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

func TestTheReportNamesTheTopologyAndMarksGeneratorBoundArms(t *testing.T) {
	r := synth.Fixture()
	s := &r.Scenarios[0]
	s.Conditions.Isolation, s.Conditions.CPUs = "process", &results.CPUs{Generator: "0", Backend: "1"}
	s.GeneratorCeiling = s.Arms[1].Total.SuccessPerSec / 0.9
	s.Arms[1].GeneratorBound = true
	var b bytes.Buffer
	if err := Report(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| backend ", "| mock in a process of its own on CPU 1; generator on CPU 0 |",
		"`" + s.Arms[1].Name + "` (generator-bound)",
		"Generator ceiling: ",
		"isolated mock",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(out, "`"+s.Arms[0].Name+"` (generator-bound)") {
		t.Error("the baseline arm is marked generator-bound too")
	}
}

// F1, F15: a failed scenario is a clear failed entry in the verdict and in
// its section; an interrupted report's failed thresholds do not claim the
// exit code 1 that the process did not give.
func TestAFailedScenarioAndAnInterruptedRunSayWhatHappened(t *testing.T) {
	r := synth.Fixture()
	r.Scenarios = append(r.Scenarios, results.Scenario{Name: "refused", Description: "an unreachable target", Error: "scenario refused: prepare: connection refused"})
	r.Scenarios[0].Thresholds = []results.ThresholdResult{{Expr: "p99 < 1us", Arm: "tuned", Required: true, Pass: false, MeasuredText: "measured 20 ms"}}
	r.Interrupted = true
	var md bytes.Buffer
	if err := Report(&md, r); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{
		"**refused**: **FAILED**, not measured: scenario refused: prepare: connection refused",
		"## Scenario `refused`: FAILED",
		"> **Failed:** scenario refused: prepare: connection refused",
		"1 of ", " scenarios failed to run",
		"interrupted, this report is partial",
		"(on the partial figures of an interrupted run: not judged)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	if strings.Contains(out, "exit code 1") {
		t.Errorf("an interrupted report claims exit code 1")
	}
}

// F15: an interrupted run whose second arm completed no repetition said
// "with 0 repetitions" beside the first arm's row.
func TestStatisticsOfAnArmWithoutRepetitionsDoNotSayZero(t *testing.T) {
	s := results.Scenario{Name: "cut", Stats: &results.Stats{MinReps: 0, Arms: []results.ArmStats{
		{Arm: "default", Metrics: []results.MetricStat{{Metric: results.MetricReqPerSec, Estimate: results.Estimate{Center: 100, Lo: 90, Hi: 110, Confidence: 0.9375, N: 5}}}},
		{Arm: "tuned"},
	}, Comparisons: []results.Comparison{{Arm: "tuned", Baseline: "default", Metric: results.MetricReqPerSec}}}}
	var md bytes.Buffer
	p := &printer{w: &md}
	p.ratios(s)
	out := md.String()
	if strings.Contains(out, "of 0 repetitions") || !strings.Contains(out, "of 5 repetitions") || !strings.Contains(out, "interrupted") {
		t.Errorf("statistics of an interrupted run:\n%s", out)
	}
}

// F15: an interrupted scenario says how many requests it cut off, and that
// they are not errors.
func TestAnInterruptedScenarioSaysItsCancelledRequestsAreNotErrors(t *testing.T) {
	r := synth.Fixture()
	r.Interrupted = true
	r.Scenarios[0].Arms[1].Total.Cancelled = 7
	var md bytes.Buffer
	if err := Report(&md, r); err != nil {
		t.Fatal(err)
	}
	if want := "Cancelled: the interruption cut off requests in flight (`tuned`: 7); they are counted as cancelled, not as errors"; !strings.Contains(md.String(), want) {
		t.Errorf("REPORT.md lacks %q", want)
	}
}
