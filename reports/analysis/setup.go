package analysis

import (
	"fmt"
	"math"

	"github.com/oranbench/oranbench/reports/results"
)

// setupPoint is a scenario or sweep point with a measured connection cost.
type setupPoint struct {
	Label    string
	Scenario results.Scenario
	cost     results.SetupCost
}

func (p setupPoint) where() string {
	if p.cost.Protocol != "" {
		return fmt.Sprintf("%s (%s; %s)", p.Label, p.Scenario.Conditions.Short(), p.cost.Protocol)
	}
	return fmt.Sprintf("%s (%s)", p.Label, p.Scenario.Conditions.Short())
}

// dialShare is the fraction of the requests that dialed in the point's
// first arm built from profile.
func (p setupPoint) dialShare(profile string) (float64, bool) {
	for _, a := range p.Scenario.Arms {
		if a.Profile == profile && a.Total.Requests > 0 {
			return math.Min(1, float64(a.Total.Client.Dials)/float64(a.Total.Requests)), true
		}
	}
	return 0, false
}

func setupPoints(r *results.Results) []setupPoint {
	var out []setupPoint
	r.EachRun(func(scenario, point string, s results.Scenario) {
		if s.Setup != nil && s.Setup.N > 0 {
			out = append(out, setupPoint{Label: results.RunLabel(scenario, point), Scenario: s, cost: *s.Setup})
		}
	})
	return out
}

func listPoints(ps []setupPoint, f func(setupPoint) string) string {
	return results.JoinShown(len(ps), 3, func(i int) string { return ps[i].where() + ": " + f(ps[i]) })
}
