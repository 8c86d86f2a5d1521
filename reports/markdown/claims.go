package markdown

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// judge gives the verdicts of the report's claim set (the seed's when none
// is given), judged again from r's measurements so that a re-rendered
// report applies the current rules.
func (p *printer) judge(r *results.Results) []results.Claim {
	if p.set == nil {
		return analysis.Seed.Judge(r)
	}
	return p.set.Judge(r)
}

func (p *printer) setOrSeed() analysis.ClaimSet {
	if p.set == nil {
		return analysis.Seed
	}
	return p.set
}

// claims renders the claim set's narrow table: claim, verdict, a key figure
// and a link to the claim's reasoning and conditions (claimDetails).
func (p *printer) claims(r *results.Results, cs []results.Claim) {
	set := p.setOrSeed()
	p.f("## %s\n\n%s\n\n", set.Title(), set.Description())
	if p.noneJudged(r) {
		p.f("%s\n\n", notJudgedText(r))
		return
	}
	rows := make([][]string, 0, len(cs))
	for i, c := range cs {
		row := []string{c.Claim, "**" + c.Verdict + "**", keyFigure(c)}
		if !p.brief {
			row = append(row, fmt.Sprintf("[why](#%s)", claimAnchor(i)))
		}
		rows = append(rows, row)
	}
	header := []string{"claim", "verdict", "key figure"}
	if !p.brief {
		header = append(header, "")
	}
	p.table(header, rows)
	if bs, ok := set.(*analysis.Set); ok && bs.BuiltinOnly {
		if us := analysis.UserScenarios(r); len(us) > 0 {
			p.f("> Judged on the built-in scenarios only (and those naming their `claims:` arms): %s %s not one, and compares only its own arms in its section.\n\n",
				codeList(us), isAre(len(us)))
		}
	}
	if weak := weakScenarios(r); len(weak) > 0 {
		p.f("> Weak verdict: %s ran fewer than %d repetitions per arm; intervals are wide and `~` is likely.\n\n", strings.Join(weak, ", "), analysis.WeakBelowReps)
	}
}

// noneJudged reports whether the report's claim set judges built-in
// scenarios only and none of r's scenarios is one: a run of the user's own
// scenarios, whose first screen is then about them, not about a table of
// claims nothing measured.
func (p *printer) noneJudged(r *results.Results) bool {
	bs, ok := p.setOrSeed().(*analysis.Set)
	return ok && bs.BuiltinOnly && len(r.Scenarios) > 0 && len(analysis.Judged(r).Scenarios) == 0
}

// notJudgedText says why a run's claims were not judged.
func notJudgedText(r *results.Results) string {
	us := analysis.UserScenarios(r)
	return fmt.Sprintf("Not judged in this run: the claims are judged on the built-in scenarios made for them (and on scenarios naming their `claims:` arms), and %s %s not one. Each scenario compares its own arms in its section; `oranbench run` with no names runs the built-ins.",
		codeList(us), isAre(len(us)))
}

// claimAnchor is the anchor of claim i's section in claimDetails.
func claimAnchor(i int) string { return fmt.Sprintf("claim-%d", i+1) }

// maxKeyFigure is the longest key figure the claims table prints.
const maxKeyFigure = 80

var intervalRE = regexp.MustCompile(` \[[^\]]*\]`)

// keyFigure is a claim's measurement in at most maxKeyFigure characters:
// its first clause without intervals (the claim's section has the rest).
func keyFigure(c results.Claim) string {
	m := strings.TrimSpace(intervalRE.ReplaceAllString(c.Measured, ""))
	if m == "" {
		return "–"
	}
	if i := strings.Index(m, "; "); i > 0 {
		m = m[:i] + " …"
	}
	if utf8.RuneCountInString(m) <= maxKeyFigure {
		return m
	}
	rs := []rune(m)[:maxKeyFigure-2]
	cut := string(rs)
	if i := strings.LastIndexAny(cut, " ,;"); i > maxKeyFigure/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + " …"
}

// claimDetails renders one short section per claim: the verdict with its
// reasoning, what was measured and under which conditions. Conditions
// shared with an earlier claim are written once and referred to.
func (p *printer) claimDetails(cs []results.Claim) {
	if len(cs) == 0 {
		return
	}
	p.f("## Claims in detail\n\n")
	first := map[string]int{}
	for i, c := range cs {
		p.f("<a id=\"%s\"></a>\n**%d. %s** — **%s**", claimAnchor(i), i+1, c.Claim, c.Verdict)
		if c.Reason != "" {
			p.f(": %s", c.Reason)
		}
		p.f("\n\n")
		if c.Measured != "" {
			p.f("- measured: %s\n", c.Measured)
		}
		if c.Conditions != "" {
			if j, ok := first[c.Conditions]; ok {
				p.f("- conditions: as for [claim %d](#%s)\n", j+1, claimAnchor(j))
			} else {
				first[c.Conditions] = i
				p.f("- conditions: %s\n", c.Conditions)
			}
		}
		p.f("\n")
	}
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
	p.f("## MaxIdleConnsPerHost=2 does not queue requests\n\n")
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

// codeList writes names as `a`, `b`.
func codeList(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "`" + n + "`"
	}
	return strings.Join(out, ", ")
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
