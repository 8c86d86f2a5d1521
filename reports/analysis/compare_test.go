package analysis_test

import (
	"math"
	"testing"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func TestCompareFlagsAnInjected20PercentRegression(t *testing.T) {
	old := synth.Results(t, 1, 1, synth.Spread5)
	regressed := synth.Results(t, 0.8, 1.25, synth.Spread5) // tuned: 20% fewer req/s, 25% slower

	// One run on each side: the within-run ratios gate, absolute metrics
	// are reported only.
	d := analysis.CompareResults(old, regressed, analysis.CompareOptions{})
	got := map[string]float64{}
	for _, r := range d.Regressions() {
		if r.Unit != "seed-20-concurrent" || r.Arm != "tuned/default" || r.Kind != analysis.KindRatio {
			t.Errorf("unexpected regression %s", r)
		}
		got[r.Metric] = r.Ratio
		if r.PAdj >= analysis.Alpha {
			t.Errorf("%s: adjusted p = %v, want < %v", r, r.PAdj, analysis.Alpha)
		}
	}
	for metric, want := range map[string]float64{results.MetricReqPerSec: 0.8, results.MetricP50: 1.25, results.MetricP99: 1.25} {
		if r, ok := got[metric]; !ok || math.Abs(r-want) > 0.01 {
			t.Errorf("%s ratio: regression ratio %v (found %v), want %v", metric, r, ok, want)
		}
	}
	if len(got) != 3 {
		t.Errorf("%d regressions, want 3 (tuned/default req/s, p50, p99)", len(got))
	}

	// With a noise floor of 10%, the 20% and 25% absolute changes gate too.
	d = analysis.CompareResults(old, regressed, analysis.CompareOptions{NoiseFloor: 0.10})
	abs := 0
	for _, r := range d.Regressions() {
		if r.Kind == analysis.KindAbsolute {
			abs++
			if r.Arm != "tuned" {
				t.Errorf("unexpected absolute regression %s", r)
			}
		}
	}
	if abs != 4 {
		t.Errorf("%d absolute regressions with a 10%% floor, want 4 (tuned req/s, p50, p95, p99)", abs)
	}
	// A floor above the change keeps them from gating.
	d = analysis.CompareResults(old, regressed, analysis.CompareOptions{NoiseFloor: 0.30})
	for _, r := range d.Regressions() {
		if r.Kind == analysis.KindAbsolute {
			t.Errorf("a 30%% floor, yet %s", r)
		}
	}
}

func TestCompareReportsNoSignificantChangeBetweenTwoRunsOfTheSameBuild(t *testing.T) {
	old := synth.Results(t, 1, 1, synth.Spread5)
	same := synth.Results(t, 1, 1, synth.Spread5b) // p50s shifted by half a step: ranks interleave
	for _, a := range same.Scenarios[0].Arms {
		for i := range a.Reps {
			a.Reps[i].SuccessPerSec *= 1 + 0.003*float64(1-2*(i%2)) // ±0.3% scatter
		}
	}
	d := analysis.CompareResults(old, same, analysis.CompareOptions{Tolerance: 0.05, NoiseFloor: 0.05})
	if regs := d.Regressions(); len(regs) != 0 {
		t.Fatalf("regressions between equal runs: %v", regs)
	}
	n := 0
	for _, u := range d.Units {
		for _, a := range u.Arms {
			for _, m := range a.Metrics {
				n++
				if m.Significant {
					t.Errorf("%s %s %s: significant (p=%v), want ~", u.Name(), a.Arm, m.Metric, m.P)
				}
			}
		}
	}
	if n != 5*(2*4+3) {
		t.Fatalf("compared %d metrics, want 55 (5 units: 2 arms x 4 absolute + 3 ratios)", n)
	}
}

func TestCompareIgnoresASignificantChangeWithinTolerance(t *testing.T) {
	old := synth.Results(t, 1, 1, synth.Spread5)
	slower := synth.Results(t, 0.97, 1, synth.Spread5) // tuned 3% fewer req/s: significant, within 5%
	d := analysis.CompareResults(old, slower, analysis.CompareOptions{Tolerance: 0.05})
	if regs := d.Regressions(); len(regs) != 0 {
		t.Fatalf("a 3%% change is within a 5%% tolerance, got %v", regs)
	}
	strict := analysis.CompareResults(old, slower, analysis.CompareOptions{Tolerance: 0.02})
	if regs := strict.Regressions(); len(regs) != 1 || regs[0].Metric != results.MetricReqPerSec || regs[0].Kind != analysis.KindRatio {
		t.Fatalf("with a 2%% tolerance want 1 req/s ratio regression, got %v", regs)
	}
}

func TestCompareListsWhatOnlyOneSideRan(t *testing.T) {
	old := synth.Results(t, 1, 1, synth.Spread5)
	cur := synth.Results(t, 1, 1, synth.Spread5)
	cur.Scenarios = cur.Scenarios[:1]
	cur.Scenarios[0].Arms = cur.Scenarios[0].Arms[:1]
	d := analysis.CompareResults(old, cur, analysis.CompareOptions{})
	if len(d.OnlyOld) != 4 || d.OnlyOld[0] != "conditions-sweep [concurrency=20 tls=on]" || len(d.OnlyNew) != 0 {
		t.Errorf("only in OLD: %v, only in NEW: %v", d.OnlyOld, d.OnlyNew)
	}
	if len(d.Units) != 1 || len(d.Units[0].OnlyOld) != 1 || d.Units[0].OnlyOld[0] != "tuned" {
		t.Errorf("arms only in OLD: %+v", d.Units)
	}
}
