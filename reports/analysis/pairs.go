package analysis

import (
	"fmt"

	"github.com/oranbench/oranbench/reports/results"
)

// Pair is one baseline-vs-candidate comparison: a scenario or a sweep
// point that ran both arms of a Roles (default and tuned, by DefaultRoles).
type Pair struct {
	// Label names the run, e.g. "conditions-sweep [rtt=5ms tls=on]".
	Label    string
	Scenario results.Scenario
	// Base and Tuned are the baseline and the candidate arm (see Roles).
	Base, Tuned results.Arm
	// Metric decides the comparison: req/s, or the sustained rate of a
	// search; "" for the open model, whose offered rate sets req/s.
	Metric string
	// Ratio is Tuned/Base on Metric, median of the repetitions; Cmp is that
	// comparison with its interval and significance, when known.
	Ratio float64
	Cmp   *results.Comparison
}

func (u Pair) where() string {
	return fmt.Sprintf("%s (%s; %s)", u.Label, u.Scenario.Conditions.Short(), protocols(u.Base, u.Tuned))
}

// protocols names the protocol of each compared arm: "HTTP/1.1" when both
// used the same, else "default HTTP/2.0, tuned HTTP/1.1".
func protocols(base, tuned results.Arm) string {
	b, t := ProtocolOf(&base), ProtocolOf(&tuned)
	if b == t {
		return b
	}
	return fmt.Sprintf("%s %s, %s %s", base.Name, b, tuned.Name, t)
}

// Reached reports whether the ratio reaches x, by the report's one rule
// for "not significant": a difference from the baseline that is not
// significant (Mann-Whitney U, p ≥ Alpha) counts as no difference, so it
// reaches no factor above 1 whatever its point estimate.
func (u Pair) Reached(x float64) bool { return u.Ratio >= x && (x <= 1 || u.significant()) }

func (u Pair) significant() bool { return u.Cmp == nil || u.Cmp.Significant }

// weakNote warns when some of us differ from the baseline insignificantly.
func weakNote(us []Pair) string {
	for _, u := range us {
		if !u.significant() {
			return " (`~`: not significant at α = 0.05; more repetitions needed)"
		}
	}
	return ""
}

func (u Pair) ratioText() string {
	if u.Cmp != nil {
		c := *u.Cmp
		s := results.BoundPrefix(c.Bound) + results.Times(c.Ratio)
		if c.Lo > 0 && c.N1 >= 2 && c.N2 >= 2 {
			s += " [" + results.Times(c.Lo) + " – " + results.Times(c.Hi) + "]"
		}
		if !c.Significant {
			s += " ~"
		}
		return s
	}
	return results.Times(u.Ratio)
}

// Pairs finds every scenario and sweep point of r that ran both the default
// and the tuned profile (DefaultRoles), with its throughput ratio.
func Pairs(r *results.Results) []Pair { return PairsOf(r, DefaultRoles) }

// PairsOf finds every scenario and sweep point of r that ran both the
// baseline and the candidate of roles, with its throughput ratio.
func PairsOf(r *results.Results, roles Roles) []Pair {
	var out []Pair
	r.EachRun(func(scenario, point string, s results.Scenario) {
		label := results.RunLabel(scenario, point)
		ru := Run{Label: label, Scenario: s, Roles: roles}
		base, tuned := ru.Baseline(), ru.Candidate()
		if base == nil || tuned == nil || len(base.Reps) == 0 || len(tuned.Reps) == 0 {
			return
		}
		u := Pair{Label: label, Scenario: s, Base: *base, Tuned: *tuned, Metric: s.Conditions.Model.DecidingMetric()}
		if results.IsLatencyMetric(u.Metric) {
			u.Metric = "" // the offered rate sets req/s: no throughput claim here
		}
		if u.Metric != "" {
			xs, ys := Samples(u.Tuned, u.Metric), Samples(u.Base, u.Metric)
			if c, ok := s.Stats.Comparison(u.Tuned.Name, u.Base.Name, u.Metric); ok {
				u.Cmp = &c
				u.Ratio = c.Ratio
			} else if c, ok := CompareArms(u.Tuned, u.Base, u.Metric); ok {
				// The claims' baseline is not the scenario's first arm.
				u.Cmp = &c
				u.Ratio = c.Ratio
			} else if my := results.Median(ys); my > 0 {
				u.Ratio = results.Median(xs) / my
			}
		}
		out = append(out, u)
	})
	return out
}

// pairName names the compared arms, "tuned/default", or
// "candidate/baseline" when the pairs compare differently named arms.
func pairName(us []Pair) string {
	if len(us) == 0 {
		return "tuned/default"
	}
	name := us[0].Tuned.Name + "/" + us[0].Base.Name
	for _, u := range us[1:] {
		if u.Tuned.Name+"/"+u.Base.Name != name {
			return "candidate/baseline"
		}
	}
	return name
}

func listWhere(us []Pair, f func(Pair) string) string {
	return results.JoinShown(len(us), 3, func(i int) string { return f(us[i]) })
}

func metricLabel(m string) string {
	if m == results.MetricMaxRate {
		return "sustainable rate"
	}
	return "req/s"
}
