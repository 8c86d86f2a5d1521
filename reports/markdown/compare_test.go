package markdown

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
)

func TestCompareMarkdownShowsAnInjected20PercentRegression(t *testing.T) {
	old := synth.Results(t, 1, 1, synth.Spread5)
	regressed := synth.Results(t, 0.8, 1.25, synth.Spread5) // tuned: 20% fewer req/s, 25% slower
	var md bytes.Buffer
	if err := Compare(&md, analysis.CompareResults(old, regressed, analysis.CompareOptions{})); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**Regression**: 3 of 3 gated metrics", "**-20.0% regression**", "fail: significantly worse", "reported, not gated: no noise floor known",
		"Benjamini–Hochberg", "| 2,000 (n=5)    | 1,600 (n=5)    |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}

func TestCompareMarkdownShowsNoSignificantChangeBetweenTwoRunsOfTheSameBuild(t *testing.T) {
	old := synth.Results(t, 1, 1, synth.Spread5)
	same := synth.Results(t, 1, 1, synth.Spread5b) // p50s shifted by half a step: ranks interleave
	for _, a := range same.Scenarios[0].Arms {
		for i := range a.Reps {
			a.Reps[i].SuccessPerSec *= 1 + 0.003*float64(1-2*(i%2)) // ±0.3% scatter
		}
	}
	d := analysis.CompareResults(old, same, analysis.CompareOptions{Tolerance: 0.05, NoiseFloor: 0.05})
	for _, u := range d.Units {
		for _, a := range u.Arms {
			for _, m := range a.Metrics {
				if !strings.HasPrefix(changeText(m), "~ ") {
					t.Errorf("%s %s %s: %q (p=%v), want ~", u.Name(), a.Arm, m.Metric, changeText(m), m.P)
				}
			}
		}
	}
	if line := compareVerdictLine(d); !strings.HasPrefix(line, "**No regression**") || !strings.Contains(line, "44 metrics had too few repetitions") {
		t.Errorf("verdict line %q", line)
	}
}
