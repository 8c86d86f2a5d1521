package reports

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestCompareFlagsAnInjected20PercentRegression(t *testing.T) {
	old := synthResults(t, 1, 1, spread5)
	regressed := synthResults(t, 0.8, 1.25, spread5) // tuned: 20% fewer req/s, 25% slower

	// One run on each side: the within-run ratios gate, absolute metrics
	// are reported only.
	d := CompareResults(old, regressed, CompareOptions{})
	got := map[string]float64{}
	for _, r := range d.Regressions() {
		if r.Unit != "seed-20-concurrent" || r.Arm != "tuned/default" || r.Kind != KindRatio {
			t.Errorf("unexpected regression %s", r)
		}
		got[r.Metric] = r.Ratio
		if r.PAdj >= Alpha {
			t.Errorf("%s: adjusted p = %v, want < %v", r, r.PAdj, Alpha)
		}
	}
	for metric, want := range map[string]float64{MetricReqPerSec: 0.8, MetricP50: 1.25, MetricP99: 1.25} {
		if r, ok := got[metric]; !ok || math.Abs(r-want) > 0.01 {
			t.Errorf("%s ratio: regression ratio %v (found %v), want %v", metric, r, ok, want)
		}
	}
	if len(got) != 3 {
		t.Errorf("%d regressions, want 3 (tuned/default req/s, p50, p99)", len(got))
	}
	var md bytes.Buffer
	if err := d.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**Regression**: 3 of 3 gated metrics", "**-20.0% regression**", "fail: significantly worse", "reported, not gated: no noise floor known",
		"Benjamini–Hochberg", "| 2,000 (n=5)    | 1,600 (n=5)    |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}

	// With a noise floor of 10%, the 20% and 25% absolute changes gate too.
	d = CompareResults(old, regressed, CompareOptions{NoiseFloor: 0.10})
	abs := 0
	for _, r := range d.Regressions() {
		if r.Kind == KindAbsolute {
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
	d = CompareResults(old, regressed, CompareOptions{NoiseFloor: 0.30})
	for _, r := range d.Regressions() {
		if r.Kind == KindAbsolute {
			t.Errorf("a 30%% floor, yet %s", r)
		}
	}
}

func TestCompareReportsNoSignificantChangeBetweenTwoRunsOfTheSameBuild(t *testing.T) {
	old := synthResults(t, 1, 1, spread5)
	same := synthResults(t, 1, 1, spread5b) // p50s shifted by half a step: ranks interleave
	for _, a := range same.Scenarios[0].Arms {
		for i := range a.Reps {
			a.Reps[i].SuccessPerSec *= 1 + 0.003*float64(1-2*(i%2)) // ±0.3% scatter
		}
	}
	d := CompareResults(old, same, CompareOptions{Tolerance: 0.05, NoiseFloor: 0.05})
	if regs := d.Regressions(); len(regs) != 0 {
		t.Fatalf("regressions between equal runs: %v", regs)
	}
	n := 0
	for _, u := range d.Units {
		for _, a := range u.Arms {
			for _, m := range a.Metrics {
				n++
				if m.Significant || !strings.HasPrefix(changeText(m), "~ ") {
					t.Errorf("%s %s %s: %q (p=%v), want ~", u.Name(), a.Arm, m.Metric, changeText(m), m.P)
				}
			}
		}
	}
	if n != 5*(2*4+3) {
		t.Fatalf("compared %d metrics, want 55 (5 units: 2 arms x 4 absolute + 3 ratios)", n)
	}
	if line := d.VerdictLine(); !strings.HasPrefix(line, "**No regression**") || !strings.Contains(line, "44 metrics had too few repetitions") {
		t.Errorf("verdict line %q", line)
	}
}

func TestCompareIgnoresASignificantChangeWithinTolerance(t *testing.T) {
	old := synthResults(t, 1, 1, spread5)
	slower := synthResults(t, 0.97, 1, spread5) // tuned 3% fewer req/s: significant, within 5%
	d := CompareResults(old, slower, CompareOptions{Tolerance: 0.05})
	if regs := d.Regressions(); len(regs) != 0 {
		t.Fatalf("a 3%% change is within a 5%% tolerance, got %v", regs)
	}
	strict := CompareResults(old, slower, CompareOptions{Tolerance: 0.02})
	if regs := strict.Regressions(); len(regs) != 1 || regs[0].Metric != MetricReqPerSec || regs[0].Kind != KindRatio {
		t.Fatalf("with a 2%% tolerance want 1 req/s ratio regression, got %v", regs)
	}
}

func TestCompareListsWhatOnlyOneSideRan(t *testing.T) {
	old := synthResults(t, 1, 1, spread5)
	cur := synthResults(t, 1, 1, spread5)
	cur.Scenarios = cur.Scenarios[:1]
	cur.Scenarios[0].Arms = cur.Scenarios[0].Arms[:1]
	d := CompareResults(old, cur, CompareOptions{})
	if len(d.OnlyOld) != 4 || d.OnlyOld[0] != "conditions-sweep [concurrency=20 tls=on]" || len(d.OnlyNew) != 0 {
		t.Errorf("only in OLD: %v, only in NEW: %v", d.OnlyOld, d.OnlyNew)
	}
	if len(d.Units) != 1 || len(d.Units[0].OnlyOld) != 1 || d.Units[0].OnlyOld[0] != "tuned" {
		t.Errorf("arms only in OLD: %+v", d.Units)
	}
}

func TestMinMannWhitneyPIsTheExactTestsFloor(t *testing.T) {
	cases := []struct {
		n1, n2 int
		want   float64
	}{{3, 3, 0.1}, {4, 4, 2.0 / 70}, {5, 5, 2.0 / 252}, {1, 1, 1}}
	for _, c := range cases {
		if got := minMannWhitneyP(c.n1, c.n2); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("minMannWhitneyP(%d, %d) = %v, want %v", c.n1, c.n2, got, c.want)
		}
		// The floor is what MannWhitneyP gives for fully separated samples.
		x, y := make([]float64, c.n1), make([]float64, c.n2)
		for i := range x {
			x[i] = float64(100 + i)
		}
		for i := range y {
			y[i] = float64(i)
		}
		if got := MannWhitneyP(x, y); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("MannWhitneyP of separated samples %d/%d = %v, want the floor %v", c.n1, c.n2, got, c.want)
		}
	}
}
