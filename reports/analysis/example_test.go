package analysis_test

import (
	"fmt"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

// A claim set of one's own: its texts and figures as data, its rule a
// function over the runs of a result.
func ExampleSet() {
	atLeast := func(x float64) analysis.Rule {
		return analysis.RuleFunc(func(rs analysis.Runs) results.Claim {
			c := results.Claim{Verdict: analysis.VerdictNotMeasurable}
			for _, p := range rs.Pairs() {
				c.Measured, c.Verdict = results.Times(p.Ratio)+" in "+p.Label, analysis.VerdictDoesNotHold
				if p.Ratio >= x {
					c.Verdict = analysis.VerdictHolds
				}
			}
			return c
		})
	}
	set := &analysis.Set{
		Name:  "Vendor claims",
		About: "What the fast transport's vendor says.",
		Roles: analysis.Roles{Baseline: "slow", Candidate: "fast"},
		Claims: []analysis.Claim{
			{Text: "2x the req/s", Rule: atLeast(2)},
			{Text: "5x the req/s", Rule: atLeast(5)},
		},
	}
	p99 := []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}
	r := &results.Results{Scenarios: []results.Scenario{{
		Name:       "bench",
		Conditions: results.Conditions{Model: "closed", Concurrency: 10},
		Arms: []results.Arm{
			{Name: "slow", Profile: "slow", Reps: synth.Reps([]float64{100, 101, 99}, p99)},
			{Name: "fast", Profile: "fast", Reps: synth.Reps([]float64{300, 303, 297}, p99)},
		},
	}}}
	fmt.Println(set.Title())
	for _, c := range set.Judge(r) {
		fmt.Printf("%s: %s (%s)\n", c.Claim, c.Verdict, c.Measured)
	}
	// Output:
	// Vendor claims
	// 2x the req/s: holds (3.00x in bench)
	// 5x the req/s: does not hold (3.00x in bench)
}
