package analysis

import (
	"fmt"

	"github.com/oranbench/oranbench/reports/results"
)

// Roles names the profiles whose arms a comparison takes as its baseline
// and its candidate. A scenario that names its own claim arms
// (results.Scenario.ClaimArms) overrides both: in its runs, Run.Arm of
// Baseline is the arm named ClaimArms.Baseline, and Run.Arm of Candidate the
// arm named ClaimArms.Candidate, whatever profiles they were built from.
type Roles struct {
	Baseline, Candidate string
}

// DefaultRoles compares the transport every Go client starts with against
// the operator's factory: the comparison of the seed claims, the sweep
// tables and the recommendation.
var DefaultRoles = Roles{Baseline: results.ProfileDefault, Candidate: results.ProfileTuned}

// Run is one scenario or sweep point of a result, as Results.EachRun
// yields it, seen through Roles.
type Run struct {
	// Label names the run, e.g. "conditions-sweep [rtt=5ms tls=on]".
	Label    string
	Scenario results.Scenario
	Roles    Roles
}

// RunsOf returns every run of r, scenarios and sweep points in report
// order, seen through roles.
func RunsOf(r *results.Results, roles Roles) []Run {
	var out []Run
	r.EachRun(func(scenario, point string, s results.Scenario) {
		out = append(out, Run{Label: results.RunLabel(scenario, point), Scenario: s, Roles: roles})
	})
	return out
}

// Where names the run and its conditions: "label (conditions)".
func (u Run) Where() string { return fmt.Sprintf("%s (%s)", u.Label, u.Scenario.Conditions.Short()) }

// Arm returns the run's first arm with repetitions built from profile, nil
// when none. Where the scenario names its claim arms, the profiles of
// u.Roles stand for them (see Roles).
func (u Run) Arm(profile string) *results.Arm {
	byName := ""
	if c := u.Scenario.ClaimArms; c != nil {
		switch profile {
		case u.Roles.Baseline:
			byName = c.Baseline
		case u.Roles.Candidate:
			byName = c.Candidate
		}
	}
	for i := range u.Scenario.Arms {
		a := &u.Scenario.Arms[i]
		if len(a.Reps) == 0 {
			continue
		}
		if (byName != "" && a.Name == byName) || (byName == "" && a.Profile == profile) {
			return a
		}
	}
	return nil
}

// Baseline returns the run's baseline arm: Arm(u.Roles.Baseline).
func (u Run) Baseline() *results.Arm { return u.Arm(u.Roles.Baseline) }

// Candidate returns the run's candidate arm: Arm(u.Roles.Candidate).
func (u Run) Candidate() *results.Arm { return u.Arm(u.Roles.Candidate) }

// CompareArms compares two arms of one run on metric across repetitions,
// like the statistics table does for an arm against the baseline; false
// when either has no samples of metric.
func CompareArms(a, b results.Arm, metric string) (results.Comparison, bool) {
	x, y := Samples(a, metric), Samples(b, metric)
	if len(x) == 0 || len(y) == 0 {
		return results.Comparison{}, false
	}
	c := Compare(x, y, Confidence)
	c.Arm, c.Baseline, c.Metric = a.Name, b.Name, metric
	if metric == results.MetricReqPerSec {
		c.Bound = results.BoundOf(a, b)
	}
	return c, c.Ratio > 0
}

// ArmRatio is a/b on metric with its interval, e.g. "2.41x [2.30x – 2.52x]",
// or "" when either arm is nil or it cannot be computed.
func ArmRatio(a, b *results.Arm, metric string) string {
	if a == nil || b == nil {
		return ""
	}
	c, ok := CompareArms(*a, *b, metric)
	if !ok {
		return ""
	}
	return results.FormatRatioCI(c)
}

// DialShare is the arm's dials per request after its warm-up; 0 for a nil
// arm or one without requests.
func DialShare(a *results.Arm) float64 {
	if a == nil || a.Total.Requests == 0 {
		return 0
	}
	return float64(a.Total.Client.Dials) / float64(a.Total.Requests)
}

// ProtocolOf names the protocol an arm's responses came on, "–" when none
// was counted (results from before protocols were recorded) or a is nil.
func ProtocolOf(a *results.Arm) string {
	if a == nil {
		return "–"
	}
	if p := a.Total.Client.Protocol(); p != "" {
		return p
	}
	return "–"
}
