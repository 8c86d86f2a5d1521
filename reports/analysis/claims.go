package analysis

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// Verdicts of a claim.
const (
	VerdictHolds         = "holds"
	VerdictHoldsOnlyWhen = "holds only when"
	VerdictDoesNotHold   = "does not hold"
	VerdictNotMeasurable = "not measurable here"
)

// Profile names the claims compare: the seed's baseline and its factory.
const (
	BaselineProfile = "default"
	TunedProfile    = "tuned"
)

// Pair is one default-vs-tuned comparison: a scenario or a sweep point
// that ran both the claims' baseline and candidate arms.
type Pair struct {
	// Label names the run, e.g. "conditions-sweep [rtt=5ms tls=on]".
	Label    string
	Scenario results.Scenario
	// Base and Tuned are the arms compared (see Scenario.ClaimArms).
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
	b, t := protocolOf(&base), protocolOf(&tuned)
	if b == t {
		return b
	}
	return fmt.Sprintf("%s %s, %s %s", base.Name, b, tuned.Name, t)
}

// Reached reports whether the point estimate reaches x; significant says
// whether the difference from the baseline is significant too.
func (u Pair) Reached(x float64) bool { return u.Ratio >= x }

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
// and the tuned profile, with its throughput ratio.
func Pairs(r *results.Results) []Pair {
	var out []Pair
	r.EachRun(func(scenario, point string, s results.Scenario) {
		label := results.RunLabel(scenario, point)
		ru := run{label: label, s: s}
		base, tuned := ru.arm(BaselineProfile), ru.arm(TunedProfile)
		if base == nil || tuned == nil || len(base.Reps) == 0 || len(tuned.Reps) == 0 {
			return
		}
		u := Pair{Label: label, Scenario: s, Base: *base, Tuned: *tuned, Metric: results.MetricReqPerSec}
		switch s.Conditions.Model {
		case "open":
			u.Metric = "" // the offered rate sets req/s: no throughput claim here
		case "search":
			u.Metric = results.MetricMaxRate
		}
		if u.Metric != "" {
			xs, ys := Samples(u.Tuned, u.Metric), Samples(u.Base, u.Metric)
			if c, ok := s.Stats.Comparison(u.Tuned.Name, u.Base.Name, u.Metric); ok {
				u.Cmp = &c
				u.Ratio = c.Ratio
			} else if c, ok := compareArms(u.Tuned, u.Base, u.Metric); ok {
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

func ratioClaim(claim string, us []Pair, x float64) results.Claim {
	c := results.Claim{Claim: claim}
	var rated []Pair
	for _, u := range us {
		if u.Metric != "" && u.Ratio > 0 {
			rated = append(rated, u)
		}
	}
	if len(rated) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model or search scenario ran both default and tuned"
		return c
	}
	sort.SliceStable(rated, func(i, j int) bool { return rated[i].Ratio > rated[j].Ratio })
	var hit []Pair
	for _, u := range rated {
		if u.Reached(x) {
			hit = append(hit, u)
		}
	}
	best, worst := rated[0], rated[len(rated)-1]
	c.Measured = fmt.Sprintf("%s %s: from %s to %s over %d conditions", pairName(rated), metricLabel(best.Metric), worst.ratioText(), best.ratioText(), len(rated))
	if len(rated) == 1 {
		c.Measured = fmt.Sprintf("%s %s: %s", pairName(rated), metricLabel(best.Metric), best.ratioText())
	}
	c.Conditions = "best: " + best.where()
	switch {
	case len(hit) == len(rated):
		c.Verdict = VerdictHolds
		c.Reason = fmt.Sprintf("≥ %gx under every measured condition", x) + weakNote(hit)
	case len(hit) > 0:
		c.Verdict = VerdictHoldsOnlyWhen
		c.Reason = listWhere(hit, func(u Pair) string { return u.where() + ": " + u.ratioText() }) + weakNote(hit)
		c.Conditions = fmt.Sprintf("%d of %d conditions reach %gx", len(hit), len(rated), x)
	default:
		c.Verdict = VerdictDoesNotHold
		c.Reason = fmt.Sprintf("no measured condition reaches %gx; the best is %s", x, best.ratioText())
	}
	return c
}

func metricLabel(m string) string {
	if m == results.MetricMaxRate {
		return "sustainable rate"
	}
	return "req/s"
}

// realistic reports whether a unit has network and backend latency, the
// seed's "real-world" case.
func realistic(u Pair) bool {
	c := u.Scenario.Conditions
	return c.RTT > 0 && (c.HandlerLatency > 0 || c.Latency != "")
}

func realWorldClaim(us []Pair) results.Claim {
	c := results.Claim{Claim: "6–8x real-world (network latency and backend processing included)"}
	var rw []Pair
	for _, u := range us {
		if u.Metric != "" && u.Ratio > 0 && realistic(u) {
			rw = append(rw, u)
		}
	}
	if len(rw) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model scenario with emulated RTT and handler latency ran both arms"
		return c
	}
	sort.SliceStable(rw, func(i, j int) bool { return rw[i].Ratio > rw[j].Ratio })
	c.Measured = pairName(rw) + ": " + listWhere(rw, func(u Pair) string { return u.ratioText() + " in " + u.Label })
	c.Conditions = listWhere(rw, func(u Pair) string { return u.Scenario.Conditions.Short() })
	var in []Pair
	for _, u := range rw {
		if u.Reached(6) {
			in = append(in, u)
		}
	}
	switch {
	case len(in) == len(rw):
		c.Verdict, c.Reason = VerdictHolds, "every realistic condition measured reaches 6x"+weakNote(in)
	case len(in) > 0:
		c.Verdict, c.Reason = VerdictHoldsOnlyWhen, listWhere(in, Pair.where)+weakNote(in)
	default:
		c.Verdict = VerdictDoesNotHold
		c.Reason = "with RTT and backend latency, time on the wire and in the handler dominates; a reused connection saves only the handshake share"
	}
	return c
}

func absoluteClaim(us []Pair) results.Claim {
	c := results.Claim{Claim: "50–100 req/s before → 200–500 req/s after"}
	var pick *Pair
	for i, u := range us {
		if u.Metric != results.MetricReqPerSec {
			continue
		}
		if pick == nil || u.Label == "seed-20-concurrent" {
			pick = &us[i]
		}
	}
	if pick == nil {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model scenario ran both default and tuned"
		return c
	}
	u := *pick
	eb, okB := u.Scenario.Stats.Arm(u.Base.Name, results.MetricReqPerSec)
	et, okT := u.Scenario.Stats.Arm(u.Tuned.Name, results.MetricReqPerSec)
	b, t := u.Base.Total.SuccessPerSec, u.Tuned.Total.SuccessPerSec
	bt, tt := results.Num(b), results.Num(t)
	if okB && okT {
		b, t = eb.Center, et.Center
		bt, tt = results.FormatEstimate(results.MetricReqPerSec, eb), results.FormatEstimate(results.MetricReqPerSec, et)
	}
	c.Measured = fmt.Sprintf("default %s req/s, tuned %s req/s", bt, tt)
	c.Conditions = u.where()
	switch {
	case b >= 50 && b <= 100 && t >= 200 && t <= 500:
		c.Verdict = VerdictHolds
	default:
		c.Verdict = VerdictDoesNotHold
		reason := "absolute req/s is set by concurrency and per-request latency, not by the transport alone"
		if cond := u.Scenario.Conditions; cond.Concurrency > 0 && u.Base.Total.Latency.Mean > 0 {
			ceiling := float64(cond.Concurrency) / u.Tuned.Total.Latency.Mean.Seconds()
			reason = fmt.Sprintf("absolute req/s is set by concurrency ÷ latency (%d ÷ %s ≈ %s req/s here), not by the transport alone", cond.Concurrency, results.Dur(u.Tuned.Total.Latency.Mean), results.Num(ceiling))
		}
		c.Reason = reason
	}
	return c
}

// setupPoint is a scenario or sweep point with a measured connection cost.
type setupPoint struct {
	label string
	s     results.Scenario
	cost  results.SetupCost
}

func (p setupPoint) where() string {
	if p.cost.Protocol != "" {
		return fmt.Sprintf("%s (%s; %s)", p.label, p.s.Conditions.Short(), p.cost.Protocol)
	}
	return fmt.Sprintf("%s (%s)", p.label, p.s.Conditions.Short())
}

// dialShare is the fraction of the default arm's requests that dialed.
func (p setupPoint) dialShare() (float64, bool) {
	for _, a := range p.s.Arms {
		if a.Profile == BaselineProfile && a.Total.Requests > 0 {
			return math.Min(1, float64(a.Total.Client.Dials)/float64(a.Total.Requests)), true
		}
	}
	return 0, false
}

func setupPoints(r *results.Results) []setupPoint {
	var out []setupPoint
	r.EachRun(func(scenario, point string, s results.Scenario) {
		if s.Setup != nil && s.Setup.N > 0 {
			out = append(out, setupPoint{label: results.RunLabel(scenario, point), s: s, cost: *s.Setup})
		}
	})
	return out
}

func listPoints(ps []setupPoint, f func(setupPoint) string) string {
	return results.JoinShown(len(ps), 3, func(i int) string { return ps[i].where() + ": " + f(ps[i]) })
}

// savingClaim covers "~X saved per request" for a new TLS (tls true) or
// plain TCP connection: the measured set-up cost against [lo, hi].
func savingClaim(claim string, r *results.Results, tls bool, nominal, lo, hi time.Duration) results.Claim {
	c := results.Claim{Claim: claim}
	var ps []setupPoint
	for _, p := range setupPoints(r) {
		if p.cost.TLS == tls {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		kind := "TLS"
		if !tls {
			kind = "plain-HTTP"
		}
		c.Verdict, c.Reason = VerdictNotMeasurable, "no "+kind+" scenario ran"
		return c
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].cost.Cost() > ps[j].cost.Cost() })
	best, least := ps[0], ps[len(ps)-1]
	what := "dial"
	if tls {
		what = "dial + full TLS handshake"
	}
	c.Measured = fmt.Sprintf("a new connection (%s) adds %s (fresh %s vs reused %s, p50 of %d)", what, results.Dur(best.cost.Cost()), results.Dur(best.cost.FreshP50), results.Dur(best.cost.ReusedP50), best.cost.N)
	if share, ok := best.dialShare(); ok {
		c.Measured += fmt.Sprintf(", and the default transport dialed for %s of its requests there", results.Pct(100*share))
	}
	if len(ps) > 1 {
		c.Measured += fmt.Sprintf("; least %s in %s", results.Dur(least.cost.Cost()), least.label)
	}
	c.Conditions = best.where()
	var hit []setupPoint
	for _, p := range ps {
		if d := p.cost.Cost(); d >= lo && d <= hi {
			hit = append(hit, p)
		}
	}
	switch {
	case len(hit) == len(ps):
		c.Verdict = VerdictHolds
	case len(hit) > 0:
		c.Verdict = VerdictHoldsOnlyWhen
		c.Reason = listPoints(hit, func(p setupPoint) string { return results.Dur(p.cost.Cost()) })
	default:
		c.Verdict = VerdictDoesNotHold
		c.Reason = fmt.Sprintf("at most %s per new connection here (%s–%s claimed)", results.Dur(best.cost.Cost()), results.Dur(lo), results.Dur(hi))
		if rtt := best.s.Conditions.RTT; rtt > 0 {
			// The cost is round trips: estimate how many, and the RTT the claim needs.
			trips := float64(best.cost.Cost()) / float64(rtt)
			need := time.Duration(float64(nominal) / trips)
			c.Reason = fmt.Sprintf("the cost is not a constant: %s at RTT %s, %s at RTT %s (≈ %.1f round trips); the claimed ~%s needs an RTT of about %s",
				results.Dur(least.cost.Cost()), least.s.Conditions.RTT, results.Dur(best.cost.Cost()), rtt, trips, results.Dur(nominal), need.Round(time.Millisecond))
		} else {
			c.Reason += "; on loopback a connection costs CPU, not round trips, and each emulated RTT adds one (TCP) or two (TCP + TLS 1.3) round trips"
		}
	}
	return c
}

func reuseFasterClaim(r *results.Results) results.Claim {
	c := results.Claim{Claim: `"reused connection 10x faster" (~100 ms → ~10 ms)`}
	ps := setupPoints(r)
	if len(ps) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no scenario measured fresh against reused connections"
		return c
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].cost.Speedup() > ps[j].cost.Speedup() })
	best := ps[0]
	c.Measured = fmt.Sprintf("%s on a fresh connection %s vs reused %s: %s", best.cost.Route, results.Dur(best.cost.FreshP50), results.Dur(best.cost.ReusedP50), results.Times(best.cost.Speedup()))
	if len(ps) > 1 {
		least := ps[len(ps)-1]
		c.Measured += fmt.Sprintf("; least %s in %s", results.Times(least.cost.Speedup()), least.label)
	}
	c.Conditions = best.where()
	var hit []setupPoint
	for _, p := range ps {
		if p.cost.Speedup() >= 10 {
			hit = append(hit, p)
		}
	}
	switch {
	case len(hit) == len(ps):
		c.Verdict = VerdictHolds
	case len(hit) > 0:
		c.Verdict = VerdictHoldsOnlyWhen
		c.Reason = listPoints(hit, func(p setupPoint) string { return results.Times(p.cost.Speedup()) }) + " (the set-up dominates a fast request)"
	default:
		c.Verdict = VerdictDoesNotHold
		c.Reason = fmt.Sprintf("the request itself (handler, round trip) dominates; a fresh connection is at most %s slower", results.Times(best.cost.Speedup()))
	}
	return c
}

// connsPerHostClaim checks the seed's "25x more connections per host (50 vs 2)".
func connsPerHostClaim(us []Pair) results.Claim {
	c := results.Claim{Claim: `"25x more connections per host (50 vs 2)": the default transport is limited to 2 connections`}
	u, ok := CorrectionPair(us)
	if !ok {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model scenario with concurrency > 2 ran the default transport"
		return c
	}
	b := u.Base.Total
	c.Measured = fmt.Sprintf("default dialed %s connections for %s requests at concurrency %d; the pool refused %s idle ones",
		results.Int(b.Client.Dials), results.Int(b.Requests), u.Scenario.Conditions.Concurrency, results.Int(b.Client.IdleRejected))
	c.Conditions = u.where()
	if b.Client.Dials > 2*int64(len(u.Base.Reps)) {
		c.Verdict = VerdictDoesNotHold
		c.Reason = "MaxIdleConnsPerHost caps idle connections, not active ones: requests beyond 2 in flight dial new connections, which are closed on return"
	} else {
		c.Verdict = VerdictHolds
	}
	return c
}

// CorrectionPair picks the comparison that best shows MaxIdleConnsPerHost at
// work: the seed's own scenario when present, else the closed run with the
// most default-transport dials.
func CorrectionPair(us []Pair) (Pair, bool) {
	var pick *Pair
	for i, u := range us {
		if u.Scenario.Conditions.Model != "closed" || u.Scenario.Conditions.Concurrency <= 2 {
			continue
		}
		switch {
		case pick == nil, u.Label == "seed-20-concurrent" && pick.Label != "seed-20-concurrent":
			pick = &us[i]
		case pick.Label != "seed-20-concurrent" && u.Base.Total.Client.Dials > pick.Base.Total.Client.Dials:
			pick = &us[i]
		}
	}
	if pick == nil {
		return Pair{}, false
	}
	return *pick, true
}

func leakClaims(l *results.LeakSummary) []results.Claim {
	leak := results.Claim{Claim: "goroutine leaks: 0"}
	shut := results.Claim{Claim: "watcher shutdown < 100 ms"}
	if l == nil {
		leak.Verdict, leak.Reason = VerdictNotMeasurable, "not measured in this run (oranbench leakcheck)"
		shut.Verdict, shut.Reason = VerdictNotMeasurable, "not measured in this run (oranbench leakcheck)"
		return []results.Claim{leak, shut}
	}
	cond := fmt.Sprintf("%d start/close cycles of the watcher", l.Cycles)
	leak.Measured = fmt.Sprintf("goroutines before %d, after %d", l.GoroutinesBefore, l.GoroutinesAfter)
	leak.Conditions = cond
	if l.Leaked {
		leak.Verdict, leak.Reason = VerdictDoesNotHold, "goroutines outlived Close"
	} else {
		leak.Verdict = VerdictHolds
	}
	shut.Measured = fmt.Sprintf("Close p50 %s, p99 %s", results.Dur(l.CloseP50), results.Dur(l.CloseP99))
	shut.Conditions = cond
	if l.CloseP99 < 100*time.Millisecond {
		shut.Verdict = VerdictHolds
	} else {
		shut.Verdict, shut.Reason = VerdictDoesNotHold, "p99 of Close is "+results.Dur(l.CloseP99)
	}
	return []results.Claim{leak, shut}
}

// Claims gives the verdict on every claim of the seed's results document from
// what r measured; a claim no scenario of r measured says so.
func Claims(r *results.Results) []results.Claim {
	us := Pairs(r)
	out := []results.Claim{
		ratioClaim("4x more req/s (conservative estimate)", us, 4),
		ratioClaim("10x more req/s (optimistic estimate)", us, 10),
		realWorldClaim(us),
		absoluteClaim(us),
		savingClaim("~100 ms TLS handshake saved per request", r, true, 100*time.Millisecond, 50*time.Millisecond, 200*time.Millisecond),
		savingClaim("~10 ms connection overhead saved per request", r, false, 10*time.Millisecond, 5*time.Millisecond, 20*time.Millisecond),
		reuseFasterClaim(r),
		connsPerHostClaim(us),
	}
	out = append(out, productionClaims(r)...)
	if len(r.MergedFrom) > 0 {
		// Every claim above depends on how the client's pool met the load.
		note := fmt.Sprintf(" Sharded run: measured by %d client pools, one per shard, not one pool carrying the whole load.", len(r.MergedFrom))
		for i := range out {
			out[i].Reason = strings.TrimSpace(out[i].Reason + note)
		}
	}
	out = append(out, leakClaims(r.Leakcheck)...)
	return append(out, soakClaims(r)...)
}
