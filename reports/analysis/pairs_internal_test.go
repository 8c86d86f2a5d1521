package analysis

import (
	"testing"

	"github.com/oranbench/oranbench/reports/results"
)

// Issue 23: a difference that was not significant counted as reaching 4x
// (marked `~`) in one claim while another claim and the recommendation
// treated it as no difference. One rule now: not significant reaches no
// factor above 1.
func TestANotSignificantRatioReachesNoFactor(t *testing.T) {
	cases := []struct {
		name        string
		ratio       float64
		significant bool
		x           float64
		want        bool
	}{
		{"a significant 5x reaches 4x", 5, true, 4, true},
		{"a 5x that is not significant does not reach 4x", 5, false, 4, false},
		{"a significant 3x does not reach 4x", 3, true, 4, false},
		{"a 1.2x that is not significant still reaches 1x, no difference", 1.2, false, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := Pair{Ratio: c.ratio, Metric: results.MetricReqPerSec, Cmp: &results.Comparison{Ratio: c.ratio, Significant: c.significant}}
			if got := u.Reached(c.x); got != c.want {
				t.Errorf("Reached(%g) of %gx (significant %v) = %v, want %v", c.x, c.ratio, c.significant, got, c.want)
			}
			claim := ratioClaim([]Pair{u, {Ratio: 1, Metric: results.MetricReqPerSec, Cmp: &results.Comparison{Ratio: 1, Significant: true}}}, c.x)
			if held := claim.Verdict != VerdictDoesNotHold; held != c.want {
				t.Errorf("the %gx claim's verdict is %q, reached %v", c.x, claim.Verdict, c.want)
			}
		})
	}
}
