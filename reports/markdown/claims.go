package markdown

import (
	"fmt"
	"strings"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// claims renders the claim set's table, the recommendation and the
// threshold summary; the seed's report (no set given) adds its
// MaxIdleConnsPerHost correction after its claims.
func (p *printer) claims(r *results.Results) {
	set, cs := p.set, r.Claims
	switch {
	case set == nil:
		// The verdicts r carries are the seed's.
		set = analysis.Seed
		if cs == nil {
			cs = set.Judge(r)
		}
	default:
		cs = set.Judge(r)
	}
	p.f("## %s\n\n%s\n\n", set.Title(), set.Description())
	rows := make([][]string, 0, len(cs))
	for _, c := range cs {
		v := "**" + c.Verdict + "**"
		if c.Reason != "" {
			v += ": " + c.Reason
		}
		rows = append(rows, []string{c.Claim, orDash(c.Measured), orDash(c.Conditions), v})
	}
	p.table([]string{"claim", "measured", "conditions", "verdict"}, rows)
	if weak := weakScenarios(r); len(weak) > 0 {
		p.f("> Weak verdict: %s ran fewer than %d repetitions per arm; intervals are wide and `~` is likely.\n\n", strings.Join(weak, ", "), analysis.WeakBelowReps)
	}
	if p.set == nil {
		p.correction(analysis.Pairs(r))
	}
	p.recommendation(r)
	p.thresholdSummary(r)
}

func weakScenarios(r *results.Results) []string {
	var out []string
	seen := map[string]bool{}
	r.EachRun(func(name, _ string, s results.Scenario) {
		if s.Stats != nil && s.Stats.Weak && !seen[name] {
			seen[name] = true
			out = append(out, "`"+name+"`")
		}
	})
	return out
}

// correction explains, with measured counts, that MaxIdleConnsPerHost=2 does
// not limit active connections.
func (p *printer) correction(us []analysis.Pair) {
	u, ok := analysis.CorrectionPair(us)
	if !ok {
		return
	}
	b, t := u.Base.Total, u.Tuned.Total
	p.f("### MaxIdleConnsPerHost=2 does not queue requests\n\n")
	p.f("The seed says the default transport allows 2 connections per host, so that \"every 3rd concurrent request waits\". Measured in `%s` (%s): ", u.Label, u.Scenario.Conditions.Short())
	perReq := 0.0
	if b.Requests > 0 {
		perReq = float64(b.Client.Dials) / float64(b.Requests)
	}
	p.f("the `%s` transport (MaxIdleConnsPerHost 2) dialed **%s** connections", u.Base.Name, results.Int(b.Client.Dials))
	if u.Scenario.Conditions.TLS {
		p.f(" and made **%s** TLS handshakes", results.Int(b.Client.TLSHandshakes))
	}
	p.f(" for %s requests (%.2f per request)", results.Int(b.Requests), perReq)
	if b.Server.Known {
		p.f("; the server accepted %s connections", results.Int(b.Server.Accepted))
	}
	p.f(". %s requests used a connection they dialed themselves; the other dials lost a race: net/http dials as soon as no idle connection is free, and when another request returns one first, the new connection goes to the pool, which already holds its 2 idle ones and closes it (%s refused). ",
		results.Int(b.Client.New), results.Int(b.Client.IdleRejected))
	p.f("`%s` dialed %s connections for %s requests after its warm-up. ", u.Tuned.Name, results.Int(t.Client.Dials), results.Int(t.Requests))
	p.f("So the limit is on *idle* connections: with %d requests in flight the default transport does not queue the 3rd, it dials a new connection (and a new handshake) and closes it afterwards%s. What pooling buys is fewer dials and handshakes, not more parallelism.\n\n", u.Scenario.Conditions.Concurrency, closeFate(b))
}

// closeFate says where the closed connections went, from the TIME_WAIT count.
func closeFate(b results.Summary) string {
	tw := b.Client.TimeWait
	switch {
	case tw == nil || b.Client.Dials == 0:
		return ""
	case *tw == 0:
		return " (none of its sockets entered TIME_WAIT: over TLS on loopback its closes ended in resets)"
	default:
		return fmt.Sprintf(" (%s of its sockets entered TIME_WAIT, each holding an ephemeral port for a minute)", results.Int(*tw))
	}
}
