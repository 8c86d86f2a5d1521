package analysis_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func TestAdjustPValuesMatchesTheTextbookProcedures(t *testing.T) {
	ps := []float64{0.01, 0.04, 0.03, 0.005}
	bh := analysis.AdjustPValues(ps, analysis.MethodBH)
	// Sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.02, 0.04, 0.04.
	for i, want := range []float64{0.02, 0.04, 0.04, 0.02} {
		if math.Abs(bh[i]-want) > 1e-12 {
			t.Errorf("BH[%d] = %v, want %v", i, bh[i], want)
		}
	}
	holm := analysis.AdjustPValues(ps, analysis.MethodHolm)
	// Sorted 0.005*4, 0.01*3, 0.03*2, 0.04*1 -> 0.02, 0.03, 0.06, 0.06.
	for i, want := range []float64{0.03, 0.06, 0.06, 0.02} {
		if math.Abs(holm[i]-want) > 1e-12 {
			t.Errorf("Holm[%d] = %v, want %v", i, holm[i], want)
		}
	}
}

// With 200 metrics that did not change, each tested with the exact
// Mann-Whitney test on 5 vs 5 repetitions, the corrected comparison raises a
// false alarm in at most α of the trials (both controls bound the chance of
// any false alarm by α when every hypothesis is null), while testing each at
// α alarms in nearly every trial.
func TestErrorRateControlBoundsFalseAlarmsOn200NullMetrics(t *testing.T) {
	const trials, metrics, reps = 400, 200, 5
	rng := rand.New(rand.NewPCG(7, 11))
	sample := func() []float64 {
		xs := make([]float64, reps)
		for i := range xs {
			xs[i] = 1000 * (1 + 0.05*rng.NormFloat64())
		}
		return xs
	}
	alarms := map[string]int{analysis.MethodBH: 0, analysis.MethodHolm: 0, "none": 0}
	for range trials {
		ps := make([]float64, metrics)
		for i := range ps {
			ps[i] = analysis.MannWhitneyP(sample(), sample())
		}
		for _, method := range []string{analysis.MethodBH, analysis.MethodHolm} {
			for _, q := range analysis.AdjustPValues(ps, method) {
				if q < analysis.Alpha {
					alarms[method]++
					break
				}
			}
		}
		for _, p := range ps {
			if p < analysis.Alpha {
				alarms["none"]++
				break
			}
		}
	}
	// α plus three binomial standard errors for 400 trials.
	bound := analysis.Alpha + 3*math.Sqrt(analysis.Alpha*(1-analysis.Alpha)/trials)
	for _, method := range []string{analysis.MethodBH, analysis.MethodHolm} {
		if rate := float64(alarms[method]) / trials; rate > bound {
			t.Errorf("%s: a false alarm in %.1f%% of trials, want at most %.1f%%", method, 100*rate, 100*bound)
		}
	}
	if rate := float64(alarms["none"]) / trials; rate < 0.9 {
		t.Errorf("uncorrected: a false alarm in %.1f%% of trials; the control should be what prevents them (want > 90%%)", 100*rate)
	}
	t.Logf("trials with a false alarm: BH %d, Holm %d, uncorrected %d of %d", alarms[analysis.MethodBH], alarms[analysis.MethodHolm], alarms["none"], trials)
}

// Several baseline runs give a noise floor: the spread between their
// medians. An absolute change inside it passes, one beyond it fails.
func TestSeveralBaselineRunsMeasureTheNoiseFloor(t *testing.T) {
	a := synth.Results(t, 1, 1, synth.Spread5)
	b := synth.Results(t, 1, 1.10, synth.Spread5) // tuned p50 10% higher in the second baseline run
	inside := synth.Results(t, 1, 1.08, synth.Spread5)
	beyond := synth.Results(t, 1, 1.30, synth.Spread5)

	d := analysis.CompareRuns([]*results.Results{a, b}, []*results.Results{inside}, analysis.CompareOptions{})
	if !strings.Contains(d.FloorSource, "spread between runs (2 OLD, 1 NEW)") {
		t.Errorf("floor source %q", d.FloorSource)
	}
	var p50 *analysis.MetricDelta
	for _, u := range d.Units {
		for _, ad := range u.Arms {
			for i, m := range ad.Metrics {
				if u.Scenario == "seed-20-concurrent" && ad.Arm == "tuned" && m.Metric == results.MetricP50 {
					p50 = &ad.Metrics[i]
				}
			}
		}
	}
	if p50 == nil || !p50.Gated || math.Abs(p50.Floor-0.10) > 0.01 {
		t.Fatalf("tuned p50: %+v, want gated with a 10%% floor", p50)
	}
	for _, r := range d.Regressions() {
		if r.Kind == analysis.KindAbsolute {
			t.Errorf("an 8%% shift inside a 10%% floor, yet %s", r)
		}
	}
	d = analysis.CompareRuns([]*results.Results{a, b}, []*results.Results{beyond}, analysis.CompareOptions{})
	found := false
	for _, r := range d.Regressions() {
		found = found || (r.Kind == analysis.KindAbsolute && r.Arm == "tuned" && r.Metric == results.MetricP50)
	}
	if !found {
		t.Errorf("a 30%% p50 shift beyond a 10%% floor is not flagged: %v", d.Regressions())
	}
}

// Runs from different machines or Go versions do not gate at all: even the
// within-run ratios move with the CPU (the cost of a TLS handshake relative
// to a request differs between CPU models). A floor the user gives gates
// them anyway, no metric below it.
func TestRunsFromDifferentMachinesWarnAndGateOnlyWithACrossMachineFloor(t *testing.T) {
	old := synth.Results(t, 1, 1, synth.Spread5)
	cur := synth.Results(t, 1, 1.5, synth.Spread5)
	cur.Machine.GoVersion = "go1.27.0"
	d := analysis.CompareRuns([]*results.Results{old, old}, []*results.Results{cur}, analysis.CompareOptions{})
	if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "go1.27.0") || !d.CrossMachine || !strings.Contains(d.MachineDiff, "Go "+old.Machine.GoVersion+" vs go1.27.0") {
		t.Errorf("warnings %q, cross-machine %v, difference %q", d.Warnings, d.CrossMachine, d.MachineDiff)
	}
	if regs := d.Regressions(); len(regs) != 0 {
		t.Errorf("different Go versions, yet regressions: %v", regs)
	}
	for _, u := range d.Units {
		for _, a := range u.Arms {
			for _, m := range a.Metrics {
				if m.Gated || !strings.Contains(m.Why, "compare --rerun") {
					t.Fatalf("%s %s %s: gated %v, %q", u.Name(), a.Arm, m.Metric, m.Gated, m.Why)
				}
			}
		}
	}

	// With a floor of 30%, the +50% p50 ratio gates; absolute metrics still
	// need a noise floor.
	d = analysis.CompareRuns([]*results.Results{old, old}, []*results.Results{cur}, analysis.CompareOptions{CrossMachineFloor: 0.30})
	regs := d.Regressions()
	if len(regs) == 0 {
		t.Fatal("a +50% p50 ratio beyond a 30% cross-machine floor is not flagged")
	}
	for _, r := range regs {
		if r.Kind != analysis.KindRatio {
			t.Errorf("absolute metric gated across machines without a noise floor: %s", r)
		}
	}
	for _, u := range d.Units {
		for _, a := range u.Arms {
			for _, m := range a.Metrics {
				if m.Gated && m.Floor < 0.30 {
					t.Errorf("%s %s %s: floor %v below the cross-machine floor", u.Name(), a.Arm, m.Metric, m.Floor)
				}
			}
		}
	}
	// A floor above the change passes it.
	if regs := analysis.CompareRuns([]*results.Results{old}, []*results.Results{cur}, analysis.CompareOptions{CrossMachineFloor: 0.6}).Regressions(); len(regs) != 0 {
		t.Errorf("a 60%% floor, yet %v", regs)
	}
}

// Baseline runs from several machines (say, runners of different CPU
// models) make the comparison cross-machine too.
func TestBaselineRunsFromSeveralMachinesDoNotGate(t *testing.T) {
	a := synth.Results(t, 1, 1, synth.Spread5)
	b := synth.Results(t, 1, 1, synth.Spread5)
	b.Machine.CPUModel = "Intel Xeon"
	cur := synth.Results(t, 1, 1.5, synth.Spread5)
	d := analysis.CompareRuns([]*results.Results{a, b}, []*results.Results{cur}, analysis.CompareOptions{})
	if !d.CrossMachine || !strings.Contains(d.MachineDiff, "the runs of OLD") || !strings.Contains(d.MachineDiff, `"Intel Xeon"`) || len(d.Regressions()) != 0 {
		t.Errorf("cross-machine %v, difference %q, regressions %v", d.CrossMachine, d.MachineDiff, d.Regressions())
	}
}

// withProtocol sets every repetition of the seed scenario's arm to answer
// over proto.
func withProtocol(r *results.Results, arm, proto string) {
	for i := range r.Scenarios[0].Arms {
		a := &r.Scenarios[0].Arms[i]
		if a.Name != arm {
			continue
		}
		for j := range a.Reps {
			a.Reps[j].Client.Protocols = map[string]int64{proto: a.Reps[j].Successes + 1}
		}
	}
}

// Losing HTTP/2 is a regression of its own, whatever the req/s did: which
// protocol ALPN picks does not move with the machine's load. Where OLD
// never spoke HTTP/2 the share is not compared.
func TestLosingHTTP2IsARegression(t *testing.T) {
	old := synth.Results(t, 1, 1, synth.Spread5)
	withProtocol(old, "tuned", "HTTP/2.0")
	withProtocol(old, "default", "HTTP/1.1")
	lost := synth.Results(t, 1, 1, synth.Spread5)
	withProtocol(lost, "tuned", "HTTP/1.1")
	withProtocol(lost, "default", "HTTP/1.1")
	regs := analysis.CompareResults(old, lost, analysis.CompareOptions{}).Regressions()
	if len(regs) != 1 || regs[0].Metric != analysis.MetricHTTP2Share || regs[0].Arm != "tuned" || regs[0].Ratio != 0 || !strings.Contains(regs[0].String(), "HTTP/2 share -100%") {
		t.Fatalf("regressions %v, want the tuned arm's HTTP/2 share, -100%%", regs)
	}
	same := synth.Results(t, 1, 1, synth.Spread5)
	withProtocol(same, "tuned", "HTTP/2.0")
	withProtocol(same, "default", "HTTP/1.1")
	d := analysis.CompareResults(old, same, analysis.CompareOptions{})
	n := 0
	for _, u := range d.Units {
		for _, a := range u.Arms {
			for _, m := range a.Metrics {
				if m.Metric == analysis.MetricHTTP2Share {
					n++
					if a.Arm != "tuned" || m.Regression || !m.Gated {
						t.Errorf("%s %s: %+v", u.Name(), a.Arm, m)
					}
				}
			}
		}
	}
	if n != 1 || len(d.Regressions()) != 0 {
		t.Errorf("%d HTTP/2 shares compared (want 1: default never spoke it), regressions %v", n, d.Regressions())
	}
}

// A floor measured as a 2x range between runs is a 50% fall for req/s, not
// 100%: as a fall, a range of max/min - 1 >= 100% could never be exceeded,
// so a higher-is-better metric on a noisy machine could never gate.
func TestASpreadFloorIsMeasuredInTheMetricsBadDirection(t *testing.T) {
	a := synth.Results(t, 1, 1, synth.Spread5)
	b := synth.Results(t, 2, 1, synth.Spread5) // tuned/default req/s 2x higher in the second OLD run
	lost := synth.Results(t, 0.2, 1, synth.Spread5)
	d := analysis.CompareRuns([]*results.Results{a, b}, []*results.Results{lost, lost}, analysis.CompareOptions{})
	var ratio *analysis.MetricDelta
	for _, u := range d.Units {
		for _, ad := range u.Arms {
			for i, m := range ad.Metrics {
				if u.Scenario == "seed-20-concurrent" && ad.Arm == "tuned/default" && m.Metric == results.MetricReqPerSec {
					ratio = &ad.Metrics[i]
				}
			}
		}
	}
	if ratio == nil || math.Abs(ratio.Floor-0.5) > 0.02 || !ratio.Regression {
		t.Fatalf("tuned/default req/s: %+v; want a 50%% floor and the fall beyond it flagged", ratio)
	}
}

// With four runs a side (compare --rerun's default), one run that a busy
// moment slowed does not set the floor: the floor is robust, as the pooled
// median is. A real 20% shift beyond it is still flagged, and one slow run
// of the same build is not.
func TestOneSlowRunDoesNotSetTheFloor(t *testing.T) {
	runs := func(p50s ...float64) []*results.Results {
		var out []*results.Results
		for _, k := range p50s {
			out = append(out, synth.Results(t, 1, k, synth.Spread5))
		}
		return out
	}
	tunedP50 := func(d analysis.Delta) *analysis.MetricDelta {
		for _, u := range d.Units {
			for _, ad := range u.Arms {
				for i, m := range ad.Metrics {
					if u.Scenario == "seed-20-concurrent" && ad.Arm == "tuned" && m.Metric == results.MetricP50 {
						return &ad.Metrics[i]
					}
				}
			}
		}
		t.Fatal("no tuned p50")
		return nil
	}
	old := runs(1, 1.01, 0.99, 1.02)
	slower := runs(1.2, 1.6, 1.21, 1.19) // +20%, the second run also slowed by the machine
	m := tunedP50(analysis.CompareRuns(old, slower, analysis.CompareOptions{}))
	if m.Floor > 0.10 || !m.Regression {
		t.Errorf("+20%% with one slow run: floor %.3f, regression %v; want a floor near the 5%% tolerance and the shift flagged", m.Floor, m.Regression)
	}
	same := runs(1, 1.5, 1.01, 0.99)
	if regs := analysis.CompareRuns(old, same, analysis.CompareOptions{}).Regressions(); len(regs) != 0 {
		t.Errorf("one slow run of the same build: %v", regs)
	}
}
