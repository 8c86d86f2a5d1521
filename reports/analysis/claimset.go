package analysis

import (
	"fmt"
	"strings"

	"github.com/oranbench/oranbench/reports/results"
)

// Verdicts of a claim.
const (
	VerdictHolds         = "holds"
	VerdictHoldsOnlyWhen = "holds only when"
	VerdictDoesNotHold   = "does not hold"
	VerdictNotMeasurable = "not measurable here"
)

// ClaimSet is a document's claims, judged on what a run measured. The seed's
// results document (Seed) is one set; an operator brings their own by
// implementing ClaimSet, or by writing a Set.
type ClaimSet interface {
	// Title heads the table of verdicts, e.g. "Seed claims".
	Title() string
	// Description introduces the table in one paragraph of markdown: where
	// the claims come from and how they are judged.
	Description() string
	// Judge gives the verdict on each claim from what r measured, in the
	// set's order; a claim that no run of r measured says so.
	Judge(r *results.Results) []results.Claim
}

// Set is a ClaimSet given as data: a title, a description, the roles of the
// arms its rules compare, and each claim's text with the rule that judges
// it.
type Set struct {
	Name  string // returned by Title
	About string // returned by Description
	// Roles are the arms the rules see as baseline and candidate (see Runs).
	Roles  Roles
	Claims []Claim
	// BuiltinOnly judges the claims on the built-in scenarios alone
	// (results.Scenario.Builtin), the ones made for them, and on the
	// scenarios that name their claim arms (claims: {baseline, candidate}):
	// any other scenario of a user's compares its own arms and is no
	// evidence for or against a document's claims.
	BuiltinOnly bool
}

// Claim is one claim of a Set: its text as the document states it, and the
// rule that judges it.
type Claim struct {
	Text string
	Rule Rule
	// PoolBound marks a claim that depends on how one client pool met the
	// load: on a result merged from shards, its reason says that several
	// pools carried the load.
	PoolBound bool
}

// Rule judges one claim on the runs of a result. It fills in the verdict,
// what was measured, under which conditions, and why; the claim's text is
// the Set's, which overwrites the Claim field.
type Rule interface {
	Judge(rs Runs) results.Claim
}

// RuleFunc adapts an ordinary function to a Rule.
type RuleFunc func(rs Runs) results.Claim

// Judge calls f(rs).
func (f RuleFunc) Judge(rs Runs) results.Claim { return f(rs) }

// Runs is a result as a rule sees it: its runs, read through the set's
// roles.
type Runs struct {
	Results *results.Results
	Roles   Roles
}

// All returns every run (scenario or sweep point) in report order.
func (rs Runs) All() []Run { return RunsOf(rs.Results, rs.Roles) }

// Pairs returns every run that ran both the baseline and the candidate.
func (rs Runs) Pairs() []Pair { return PairsOf(rs.Results, rs.Roles) }

// Title returns s.Name.
func (s *Set) Title() string { return s.Name }

// Description returns s.About.
func (s *Set) Description() string { return s.About }

// Judge applies each claim's rule to the runs of r, in the set's order.
func (s *Set) Judge(r *results.Results) []results.Claim {
	if s.BuiltinOnly {
		r = builtinOnly(r)
	}
	rs := Runs{Results: r, Roles: s.Roles}
	note := ""
	if len(r.MergedFrom) > 0 {
		note = fmt.Sprintf(" Sharded run: measured by %d client pools, one per shard, not one pool carrying the whole load.", len(r.MergedFrom))
	}
	out := make([]results.Claim, 0, len(s.Claims))
	for _, c := range s.Claims {
		v := c.Rule.Judge(rs)
		v.Claim = c.Text
		if c.PoolBound && note != "" {
			v.Reason = strings.TrimSpace(v.Reason + note)
		}
		out = append(out, v)
	}
	return out
}

// builtinOnly is r with only the scenarios a claim set judges: built-ins
// and those that name their claim arms (a shallow copy; r is not changed).
func builtinOnly(r *results.Results) *results.Results {
	c := *r
	c.Scenarios = nil
	for _, sc := range r.Scenarios {
		if judged(sc) {
			c.Scenarios = append(c.Scenarios, sc)
		}
	}
	return &c
}

// Judged is r as the seed's claims see it: its built-in scenarios and
// those that name their claim arms (see Set.BuiltinOnly).
func Judged(r *results.Results) *results.Results { return builtinOnly(r) }

// judged reports whether a BuiltinOnly claim set judges sc.
func judged(sc results.Scenario) bool { return sc.Builtin() || sc.ClaimArms != nil }

// UserScenarios names the scenarios of r that a BuiltinOnly claim set
// leaves out: not built-ins, and naming no claim arms.
func UserScenarios(r *results.Results) []string {
	var out []string
	for _, sc := range r.Scenarios {
		if !judged(sc) {
			out = append(out, sc.Name)
		}
	}
	return out
}
