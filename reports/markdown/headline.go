package markdown

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// summary writes the report's first screen: whether the headline claims
// hold and where, the transport to ship, the thresholds, the leak check and
// where the run ran, each linked to the section it comes from.
func (p *printer) summary(r *results.Results, cs []results.Claim) {
	p.f("## Summary\n\n")
	if p.noneJudged(r) {
		for i, s := range r.Scenarios {
			if i == maxSummaryScenarios {
				p.f("- … and %d more [→](#verdict)\n", len(r.Scenarios)-i)
				break
			}
			p.f("- %s [→](%s)\n", verdictLine(s), p.scenarioLink(s))
		}
	} else if p.set == nil {
		for i, x := range []float64{4, 10} {
			if i < len(cs) {
				p.f("- **%gx more req/s: %s** %s [→](#%s)\n", x, cs[i].Verdict, factorWhere(r, x), claimAnchor(i))
			}
		}
	}
	p.f("- %s [→](#recommendation)\n", shipSummary(analysis.Recommend(r)))
	if t := thresholdLine(r); t != "" {
		p.f("- %s [→](#thresholds)\n", t)
	}
	if l := p.leakLine(r); l != "" {
		p.f("- %s\n", l)
	}
	if len(cs) > 0 {
		p.f("- **Claims**: %s [→](#%s)\n", verdictCounts(cs), anchor(p.setOrSeed().Title()))
	} else if p.noneJudged(r) {
		p.f("- **%s**: not judged: no built-in scenario ran [→](#%s)\n", p.setOrSeed().Title(), anchor(p.setOrSeed().Title()))
	}
	p.f("- **Ran on** %s\n\n", whereText(r))
}

// maxSummaryScenarios is how many scenario verdicts the first screen of a
// run of user scenarios lists.
const maxSummaryScenarios = 5

// factorWhere says where the tuned/default throughput ratio reaches x: how
// many of the measured conditions, what they share, and the best.
func factorWhere(r *results.Results, x float64) string {
	var rated, hit []analysis.Pair
	for _, u := range analysis.Pairs(analysis.Judged(r)) {
		if u.Metric != "" && u.Ratio > 0 {
			rated = append(rated, u)
			if u.Reached(x) {
				hit = append(hit, u)
			}
		}
	}
	if len(rated) == 0 {
		return "(no closed-model run compared default and tuned)"
	}
	best := slices.MaxFunc(rated, func(a, b analysis.Pair) int { return cmpFloat(a.Ratio, b.Ratio) })
	if len(hit) == 0 {
		return fmt.Sprintf("(0 of %d conditions; best %s in %s)", len(rated), results.Times(best.Ratio), best.Label)
	}
	return fmt.Sprintf("(%d of %d conditions: %s; best %s in %s)", len(hit), len(rated), shared(hit), results.Times(best.Ratio), best.Label)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// shared names what the runs' conditions have in common: TLS or not, RTT,
// handler latency and the range of requests in flight.
func shared(us []analysis.Pair) string {
	tls, plain, rtt, handler := 0, 0, 0, 0
	lo, hi := 0, 0
	for i, u := range us {
		c := u.Scenario.Conditions
		if c.TLS {
			tls++
		} else {
			plain++
		}
		// An external backend's RTT and handler are its own, not known.
		if c.RTT == 0 && c.Target == "" {
			rtt++
		}
		if c.HandlerLatency == 0 && c.Latency == "" && c.Target == "" {
			handler++
		}
		if n := c.Concurrency; n > 0 {
			if i == 0 || n < lo {
				lo = n
			}
			hi = max(hi, n)
		}
	}
	var parts []string
	switch len(us) {
	case tls:
		parts = append(parts, "TLS")
	case plain:
		parts = append(parts, "plain HTTP")
	}
	if rtt == len(us) {
		parts = append(parts, "no RTT")
	}
	if handler == len(us) {
		parts = append(parts, "no handler latency")
	}
	switch {
	case lo > 0 && lo == hi:
		parts = append(parts, fmt.Sprintf("%d in flight", lo))
	case lo > 0:
		parts = append(parts, fmt.Sprintf("%d–%d in flight", lo, hi))
	}
	if len(parts) == 0 {
		return "mixed conditions"
	}
	return "all with " + strings.Join(parts, ", ")
}

// shipSummary is the Ship line in one line: the settings and how the arm
// that combined them did.
func shipSummary(rec analysis.Recommendation) string {
	if len(rec.Changes) == 0 {
		return "**Ship**: `tuned` as it is"
	}
	var settings []string
	for _, c := range rec.Changes {
		settings = append(settings, c.Setting)
	}
	s := "**Ship**: `tuned` with " + strings.Join(settings, ", ")
	if len(rec.Conflicts) > 0 {
		return s + " (these conflict: it depends on the backends)"
	}
	if arm := rec.Combination; arm != "" {
		won, ran := combinationRecord(rec)
		return s + fmt.Sprintf("; as `%s` it won %d of the %d runs it took part in", arm, won, ran)
	}
	return s
}

// combinationRecord is how many runs the arm with every change won, of
// those it took part in.
func combinationRecord(rec analysis.Recommendation) (won, ran int) {
	for _, f := range rec.Families {
		if f.Ran[rec.Combination] > 0 {
			won, ran = won+f.Wins[rec.Combination], ran+f.Ran[rec.Combination]
		}
	}
	return won, ran
}

// thresholdLine is "✓ all N required thresholds hold" or "✗ k of N failed";
// "" when no threshold is set.
func thresholdLine(r *results.Results) string {
	total, failed := 0, len(analysis.FailedRequired(r))
	for _, s := range r.Scenarios {
		for _, t := range s.Thresholds {
			if t.Required {
				total++
			}
		}
	}
	switch {
	case total == 0:
		return ""
	case failed == 0:
		return fmt.Sprintf("**Thresholds**: ✓ all %d required hold", total)
	}
	return fmt.Sprintf("**Thresholds**: ✗ %d of %d required failed", failed, total)
}

// leakLine is the watcher's leak check and the soak's verdict in one line.
func (p *printer) leakLine(r *results.Results) string {
	var parts []string
	if l := r.Leakcheck; l != nil {
		mark := "✓ no goroutine leaked"
		if l.Leaked {
			mark = fmt.Sprintf("✗ goroutines %d → %d", l.GoroutinesBefore, l.GoroutinesAfter)
		}
		parts = append(parts, fmt.Sprintf("%s over %d watcher start/stop cycles (close p99 %s)", mark, l.Cycles, results.Dur(l.CloseP99)))
	}
	for _, s := range r.Scenarios {
		if s.Soak != nil {
			parts = append(parts, fmt.Sprintf("soak: %s [→](%s)", soakFinding(s), p.scenarioLink(s)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "**Leak check**: " + strings.Join(parts, "; ")
}

// verdictCounts counts the claims per verdict: "4 hold, 5 hold only when, …".
func verdictCounts(cs []results.Claim) string {
	order := []string{analysis.VerdictHolds, analysis.VerdictHoldsOnlyWhen, analysis.VerdictDoesNotHold, analysis.VerdictNotMeasurable}
	n := map[string]int{}
	for _, c := range cs {
		n[c.Verdict]++
	}
	var parts []string
	for _, v := range order {
		if n[v] > 0 {
			if n[v] > 1 {
				v2 := strings.NewReplacer("holds", "hold", "does not", "do not").Replace(v)
				parts = append(parts, fmt.Sprintf("%d %s", n[v], v2))
				continue
			}
			parts = append(parts, fmt.Sprintf("%d %s", n[v], v))
		}
	}
	if len(parts) == 0 {
		return "none judged"
	}
	return strings.Join(parts, ", ")
}

// whereText says on what machine, with which topology and for how long the
// run ran.
func whereText(r *results.Results) string {
	m := r.Machine
	s := fmt.Sprintf("%s/%s, %d CPUs%s, %s", m.GOOS, m.GOARCH, m.NumCPU, results.CPUModelSuffix(m.CPUModel), m.GoVersion)
	var tops []string
	for _, sc := range r.Scenarios {
		c := sc.Conditions
		if sc.Sweep != nil && len(sc.Sweep.Points) > 0 {
			c = sc.Sweep.Points[0].Result.Conditions
		}
		if b := backendText(c); b != "" && !slices.Contains(tops, b) {
			tops = append(tops, b)
		}
	}
	if len(tops) > 0 {
		s += "; " + strings.Join(tops, "; ")
	}
	if !r.FinishedAt.IsZero() && r.FinishedAt.After(r.StartedAt) {
		s += fmt.Sprintf("; %s from %s", r.FinishedAt.Sub(r.StartedAt).Round(time.Second), r.StartedAt.UTC().Format("2006-01-02 15:04 MST"))
	} else {
		s += "; started " + r.StartedAt.UTC().Format("2006-01-02 15:04 MST")
	}
	return s
}

// glossary explains once what the scenarios' tables show.
func (p *printer) glossary() {
	p.f("## Glossary\n\n")
	items := [][2]string{
		{"req/s", "successful responses per second, the median of the repetitions."},
		{"p50, p95, p99", "service time (send to last body byte), the median of the repetitions' percentiles with a distribution-free interval [lo – hi]; with n repetitions, [min – max] is the narrowest one. p99.9 and max are from all repetitions' HdrHistograms merged, marked *(merged)*."},
		{"resp", "open model: response time from each request's intended send time (coordinated omission corrected)."},
		{"ratio", fmt.Sprintf("arm / baseline of the medians, benchstat-style: `2.41x [2.10x – 2.90x] (p=0.008)`. req/s higher is better, latency lower is better. **One rule for \"not significant\"**: a difference with Mann-Whitney U p ≥ %.2f is marked `~`, counts as no difference, and reaches no claimed factor; the claims and the recommendation apply the same rule.", analysis.Alpha)},
		{"generator-bound", fmt.Sprintf("an arm above %d%% of the generator ceiling (the same engine against a transport that answers from memory): the harness limited it too, so its req/s and any ratio with it on top is a lower bound, \"at least\".", results.GeneratorBoundPct)},
		{"conn wait", "time from asking the pool for a connection to getting one (dialing, or queueing under MaxConnsPerHost), k6's `http_req_blocked`. The mean can exceed p99: when fewer than 1 in 100 requests dials, the dials sit above p99 yet raise the mean."},
		{"TIME_WAIT", "the client's sockets towards the backend that entered TIME_WAIT during the measured attacks, each holding an ephemeral port for 60 s on Linux. Over TLS many closes end in a reset instead (the server's close_notify reaches a closed socket), which leaves no TIME_WAIT; dials then show the churn."},
		{"Same for every row", "a column whose value is the same in every row of a table is left out and its value stated once below the table."},
		{"soak slopes", "Theil–Sen fits (median of pairwise slopes) per hour with a distribution-free interval; an interval including 0 is *no growth detected at this resolution*. The Go heap is fitted through per-window minima, the heap after a collection (a soak's section says why). A soak with phases under a minute shows no slope: too short to measure growth."},
	}
	for _, it := range items {
		p.f("- **%s**: %s\n", it[0], it[1])
	}
	p.f("\n")
}
