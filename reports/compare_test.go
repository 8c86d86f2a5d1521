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
	d := CompareResults(old, regressed, CompareOptions{})
	regs := d.Regressions()
	got := map[string]float64{}
	for _, r := range regs {
		if r.Unit != "seed-20-concurrent" || r.Arm != "tuned" {
			t.Errorf("unexpected regression %s", r)
		}
		got[r.Metric] = r.Ratio
		if r.P >= Alpha {
			t.Errorf("%s: p = %v, want < %v", r, r.P, Alpha)
		}
	}
	for metric, want := range map[string]float64{MetricReqPerSec: 0.8, MetricP50: 1.25, MetricP95: 1.25, MetricP99: 1.25} {
		if r, ok := got[metric]; !ok || math.Abs(r-want) > 0.01 {
			t.Errorf("%s: regression ratio %v (found %v), want %v", metric, r, ok, want)
		}
	}
	if len(regs) != 4 {
		t.Errorf("%d regressions, want 4 (tuned req/s, p50, p95, p99)", len(regs))
	}
	var md bytes.Buffer
	if err := d.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**Regression**: 4 of", "**-20.0% regression** (p=0.008)", "**+25.0% regression**", "| 2,000 (n=5)    | 1,600 (n=5)    |", "| `default` | req/s  | 1,000 (n=5)    | 1,000 (n=5)    | ~ (p=1) "} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
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
	d := CompareResults(old, same, CompareOptions{Tolerance: 0.05})
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
	if n != 2*4+4*2*4 {
		t.Fatalf("compared %d metrics, want 40 (seed 2 arms x 4, sweep 4 points x 2 arms x 4)", n)
	}
	if line := d.VerdictLine(); !strings.HasPrefix(line, "**No regression**") || !strings.Contains(line, "32 metrics had too few repetitions") {
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
	if regs := strict.Regressions(); len(regs) != 1 || regs[0].Metric != MetricReqPerSec {
		t.Fatalf("with a 2%% tolerance want 1 req/s regression, got %v", regs)
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
