package analysis

import (
	"fmt"
	"strings"

	"github.com/oranbench/oranbench/reports/results"
)

// porchRun reports whether a run's traffic is Porch's, from its mix.
func porchRun(c results.Conditions) bool {
	for _, r := range c.Routes {
		if strings.Contains(strings.ToLower(r), "porch") {
			return true
		}
	}
	return false
}

// versus is one arm compared with client-go in one run.
type versus struct {
	u   Run
	arm *results.Arm
	cg  *results.Arm
	cmp results.Comparison
}

// better reports whether arm beat client-go significantly; worse, whether
// client-go beat it. A ratio that a generator-bound arm makes only a bound
// decides only the side the bound allows.
func (v versus) better() bool {
	return v.cmp.Significant && v.cmp.Ratio > 1 && v.cmp.Bound != results.BoundUpper && v.cmp.Bound != results.BoundNone
}

func (v versus) worse() bool {
	return v.cmp.Significant && v.cmp.Ratio < 1 && v.cmp.Bound != results.BoundLower && v.cmp.Bound != results.BoundNone
}

// side describes an arm's connections: "tuned HTTP/1.1, 1,149 dials".
func side(a *results.Arm) string {
	return fmt.Sprintf("%s %s, %s dials", a.Name, ProtocolOf(a), results.Int(a.Total.Client.Dials))
}

// clientGoVersus compares the run's arm built from profile with its client-go
// arm on throughput (req/s, or the sustained rate of a search).
func clientGoVersus(u Run, profile string) (versus, bool) {
	a, cg := u.Arm(profile), u.Arm(seedFactory.ClientGo)
	if a == nil || cg == nil || a == cg {
		return versus{}, false
	}
	metric := u.Scenario.Conditions.Model.DecidingMetric()
	if results.IsLatencyMetric(metric) {
		return versus{}, false // the offered rate sets req/s
	}
	c, ok := CompareArms(*a, *cg, metric)
	if !ok {
		return versus{}, false
	}
	return versus{u: u, arm: a, cg: cg, cmp: c}, true
}

// clientGoClaim answers, from the Porch runs that ran client-go beside tuned:
// is the operator's tuned factory better than what client-go already does?
func clientGoClaim(rs Runs) results.Claim {
	var c results.Claim
	var vs []versus
	var measured []string
	for _, u := range rs.All() {
		if !porchRun(u.Scenario.Conditions) {
			continue
		}
		v, ok := clientGoVersus(u, rs.Roles.Candidate)
		if !ok {
			continue
		}
		vs = append(vs, v)
		m := fmt.Sprintf("%s: tuned/client-go %s %s (%s; %s)", u.Label, metricLabel(v.cmp.Metric), results.FormatRatioCI(v.cmp), side(v.arm), side(v.cg))
		if h2, ok := clientGoVersus(u, seedFactory.H2); ok {
			m += fmt.Sprintf(", tuned-h2/client-go %s", results.FormatRatioCI(h2.cmp))
		}
		measured = append(measured, m)
	}
	if len(vs) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model or search run of Porch traffic ran both tuned and client-go"
		return c
	}
	c.Measured = strings.Join(measured, "; ")
	var better, worse, tied []versus
	for _, v := range vs {
		switch {
		case v.better():
			better = append(better, v)
		case v.worse():
			worse = append(worse, v)
		default:
			tied = append(tied, v)
		}
	}
	c.Conditions = results.JoinShown(len(vs), 3, func(i int) string { return vs[i].u.Where() })
	// The reason names the runs; the conditions column describes them.
	where := func(vs []versus) string {
		return results.JoinShown(len(vs), 3, func(i int) string { return vs[i].u.Label })
	}
	switch {
	case len(better) == len(vs):
		c.Verdict = VerdictHolds
		c.Reason = "tuned served significantly more than client-go in every Porch run"
	case len(better) > 0:
		c.Verdict = VerdictHoldsOnlyWhen
		c.Reason = "tuned served significantly more in " + where(better)
	default:
		c.Verdict = VerdictDoesNotHold
		var parts []string
		if len(worse) > 0 {
			parts = append(parts, "client-go served significantly more in "+where(worse))
		}
		if len(tied) > 0 {
			parts = append(parts, "no significant difference in "+results.JoinShown(len(tied), 3, func(i int) string {
				return tied[i].u.Label + weakReps(tied[i].cmp)
			}))
		}
		c.Reason = strings.Join(parts, "; ")
	}
	if why := protocolGap(append(worse, better...)); why != "" {
		c.Reason += "; " + why
	}
	return c
}

// weakReps says when a comparison had too few repetitions to be significant.
func weakReps(c results.Comparison) string {
	if n := min(c.N1, c.N2); n < WeakBelowReps {
		return fmt.Sprintf(" (point estimate %s with %d repetitions per arm: too few for significance)", results.Times(c.Ratio), n)
	}
	return ""
}

// protocolGap says, for the first run where tuned and client-go differed
// significantly and spoke different protocols, which protocol won.
func protocolGap(vs []versus) string {
	for _, v := range vs {
		pa, pc := ProtocolOf(v.arm), ProtocolOf(v.cg)
		if pa == pc {
			continue
		}
		win, lose := v.cg, v.arm
		if v.better() {
			win, lose = v.arm, v.cg
		}
		return fmt.Sprintf("in %s the winner spoke %s (%s dials) and the loser %s (%s dials)",
			v.u.Label, ProtocolOf(win), results.Int(win.Total.Client.Dials), ProtocolOf(lose), results.Int(lose.Total.Client.Dials))
	}
	return ""
}
