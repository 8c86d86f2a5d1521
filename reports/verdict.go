package reports

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
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
	baselineProfile = "default"
	tunedProfile    = "tuned"
)

// Claim is the measured verdict on one claim of the seed's results document.
type Claim struct {
	Claim      string `json:"claim"`
	Measured   string `json:"measured"`
	Conditions string `json:"conditions"`
	// Verdict is one of holds, holds only when, does not hold, not measurable here.
	Verdict string `json:"verdict"`
	// Reason completes the verdict: the conditions it holds under, or why not.
	Reason string `json:"reason,omitempty"`
}

// unitResult is one default-vs-tuned comparison: a scenario or a sweep point.
type unitResult struct {
	label       string
	s           Scenario
	base, tuned Arm
	metric      string
	ratio       float64
	cmp         *Comparison
}

func (u unitResult) where() string {
	return fmt.Sprintf("%s (%s; %s)", u.label, u.s.Conditions.Short(), protocols(u.base, u.tuned))
}

// protocols names the protocol of each compared arm: "HTTP/1.1" when both
// used the same, else "default HTTP/2.0, tuned HTTP/1.1".
func protocols(base, tuned Arm) string {
	b, t := protocolOf(&base), protocolOf(&tuned)
	if b == t {
		return b
	}
	return fmt.Sprintf("%s %s, %s %s", base.Name, b, tuned.Name, t)
}

// reached reports whether the point estimate reaches x; significant says
// whether the difference from the baseline is significant too.
func (u unitResult) reached(x float64) bool { return u.ratio >= x }

func (u unitResult) significant() bool { return u.cmp == nil || u.cmp.Significant }

// weakNote warns when some of us differ from the baseline insignificantly.
func weakNote(us []unitResult) string {
	for _, u := range us {
		if !u.significant() {
			return " (`~`: not significant at α = 0.05; more repetitions needed)"
		}
	}
	return ""
}

func (u unitResult) ratioText() string {
	if u.cmp != nil {
		c := *u.cmp
		s := Times(c.Ratio)
		if c.Lo > 0 && c.N1 >= 2 && c.N2 >= 2 {
			s += " [" + Times(c.Lo) + " – " + Times(c.Hi) + "]"
		}
		if !c.Significant {
			s += " ~"
		}
		return s
	}
	return Times(u.ratio)
}

// units finds every scenario and sweep point that ran both the default and
// the tuned profile, with its throughput ratio.
func units(r *Results) []unitResult {
	var out []unitResult
	r.EachRun(func(scenario, point string, s Scenario) {
		label := RunLabel(scenario, point)
		ru := run{label: label, s: s}
		base, tuned := ru.arm(baselineProfile), ru.arm(tunedProfile)
		if base == nil || tuned == nil || len(base.Reps) == 0 || len(tuned.Reps) == 0 {
			return
		}
		u := unitResult{label: label, s: s, base: *base, tuned: *tuned, metric: MetricReqPerSec}
		switch s.Conditions.Model {
		case "open":
			u.metric = "" // the offered rate sets req/s: no throughput claim here
		case "search":
			u.metric = MetricMaxRate
		}
		if u.metric != "" {
			xs, ys := Samples(u.tuned, u.metric), Samples(u.base, u.metric)
			if c, ok := s.Stats.Comparison(u.tuned.Name, u.base.Name, u.metric); ok {
				u.cmp = &c
				u.ratio = c.Ratio
			} else if c, ok := compareArms(u.tuned, u.base, u.metric); ok {
				// The claims' baseline is not the scenario's first arm.
				u.cmp = &c
				u.ratio = c.Ratio
			} else if my := Median(ys); my > 0 {
				u.ratio = Median(xs) / my
			}
		}
		out = append(out, u)
	})
	return out
}

// pairName names the compared arms, "tuned/default", or
// "candidate/baseline" when the units compare differently named arms.
func pairName(us []unitResult) string {
	if len(us) == 0 {
		return "tuned/default"
	}
	name := us[0].tuned.Name + "/" + us[0].base.Name
	for _, u := range us[1:] {
		if u.tuned.Name+"/"+u.base.Name != name {
			return "candidate/baseline"
		}
	}
	return name
}

func listWhere(us []unitResult, f func(unitResult) string) string {
	return joinShown(len(us), 3, func(i int) string { return f(us[i]) })
}

// joinShown joins item(0..n-1) with "; ", showing at most shown of them and
// "+N more" for the rest.
func joinShown(n, shown int, item func(int) string) string {
	parts := make([]string, 0, min(n, shown+1))
	for i := range n {
		if i == shown {
			parts = append(parts, fmt.Sprintf("+%d more", n-shown))
			break
		}
		parts = append(parts, item(i))
	}
	return strings.Join(parts, "; ")
}

func ratioClaim(claim string, us []unitResult, x float64) Claim {
	c := Claim{Claim: claim}
	var rated []unitResult
	for _, u := range us {
		if u.metric != "" && u.ratio > 0 {
			rated = append(rated, u)
		}
	}
	if len(rated) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model or search scenario ran both default and tuned"
		return c
	}
	sort.SliceStable(rated, func(i, j int) bool { return rated[i].ratio > rated[j].ratio })
	var hit []unitResult
	for _, u := range rated {
		if u.reached(x) {
			hit = append(hit, u)
		}
	}
	best, worst := rated[0], rated[len(rated)-1]
	c.Measured = fmt.Sprintf("%s %s: from %s to %s over %d conditions", pairName(rated), metricLabel(best.metric), worst.ratioText(), best.ratioText(), len(rated))
	if len(rated) == 1 {
		c.Measured = fmt.Sprintf("%s %s: %s", pairName(rated), metricLabel(best.metric), best.ratioText())
	}
	c.Conditions = "best: " + best.where()
	switch {
	case len(hit) == len(rated):
		c.Verdict = VerdictHolds
		c.Reason = fmt.Sprintf("≥ %gx under every measured condition", x) + weakNote(hit)
	case len(hit) > 0:
		c.Verdict = VerdictHoldsOnlyWhen
		c.Reason = listWhere(hit, func(u unitResult) string { return u.where() + ": " + u.ratioText() }) + weakNote(hit)
		c.Conditions = fmt.Sprintf("%d of %d conditions reach %gx", len(hit), len(rated), x)
	default:
		c.Verdict = VerdictDoesNotHold
		c.Reason = fmt.Sprintf("no measured condition reaches %gx; the best is %s", x, best.ratioText())
	}
	return c
}

func metricLabel(m string) string {
	if m == MetricMaxRate {
		return "sustainable rate"
	}
	return "req/s"
}

// realistic reports whether a unit has network and backend latency, the
// seed's "real-world" case.
func realistic(u unitResult) bool {
	c := u.s.Conditions
	return c.RTT > 0 && (c.HandlerLatency > 0 || c.Latency != "")
}

func realWorldClaim(us []unitResult) Claim {
	c := Claim{Claim: "6–8x real-world (network latency and backend processing included)"}
	var rw []unitResult
	for _, u := range us {
		if u.metric != "" && u.ratio > 0 && realistic(u) {
			rw = append(rw, u)
		}
	}
	if len(rw) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model scenario with emulated RTT and handler latency ran both arms"
		return c
	}
	sort.SliceStable(rw, func(i, j int) bool { return rw[i].ratio > rw[j].ratio })
	c.Measured = pairName(rw) + ": " + listWhere(rw, func(u unitResult) string { return u.ratioText() + " in " + u.label })
	c.Conditions = listWhere(rw, func(u unitResult) string { return u.s.Conditions.Short() })
	var in []unitResult
	for _, u := range rw {
		if u.reached(6) {
			in = append(in, u)
		}
	}
	switch {
	case len(in) == len(rw):
		c.Verdict, c.Reason = VerdictHolds, "every realistic condition measured reaches 6x"+weakNote(in)
	case len(in) > 0:
		c.Verdict, c.Reason = VerdictHoldsOnlyWhen, listWhere(in, unitResult.where)+weakNote(in)
	default:
		c.Verdict = VerdictDoesNotHold
		c.Reason = "with RTT and backend latency, time on the wire and in the handler dominates; a reused connection saves only the handshake share"
	}
	return c
}

func absoluteClaim(us []unitResult) Claim {
	c := Claim{Claim: "50–100 req/s before → 200–500 req/s after"}
	var pick *unitResult
	for i, u := range us {
		if u.metric != MetricReqPerSec {
			continue
		}
		if pick == nil || u.label == "seed-20-concurrent" {
			pick = &us[i]
		}
	}
	if pick == nil {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model scenario ran both default and tuned"
		return c
	}
	u := *pick
	eb, okB := u.s.Stats.Arm(u.base.Name, MetricReqPerSec)
	et, okT := u.s.Stats.Arm(u.tuned.Name, MetricReqPerSec)
	b, t := u.base.Total.SuccessPerSec, u.tuned.Total.SuccessPerSec
	bt, tt := Num(b), Num(t)
	if okB && okT {
		b, t = eb.Center, et.Center
		bt, tt = formatEstimate(MetricReqPerSec, eb), formatEstimate(MetricReqPerSec, et)
	}
	c.Measured = fmt.Sprintf("default %s req/s, tuned %s req/s", bt, tt)
	c.Conditions = u.where()
	switch {
	case b >= 50 && b <= 100 && t >= 200 && t <= 500:
		c.Verdict = VerdictHolds
	default:
		c.Verdict = VerdictDoesNotHold
		reason := "absolute req/s is set by concurrency and per-request latency, not by the transport alone"
		if cond := u.s.Conditions; cond.Concurrency > 0 && u.base.Total.Latency.Mean > 0 {
			ceiling := float64(cond.Concurrency) / u.tuned.Total.Latency.Mean.Seconds()
			reason = fmt.Sprintf("absolute req/s is set by concurrency ÷ latency (%d ÷ %s ≈ %s req/s here), not by the transport alone", cond.Concurrency, Dur(u.tuned.Total.Latency.Mean), Num(ceiling))
		}
		c.Reason = reason
	}
	return c
}

// setupPoint is a scenario or sweep point with a measured connection cost.
type setupPoint struct {
	label string
	s     Scenario
	cost  SetupCost
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
		if a.Profile == baselineProfile && a.Total.Requests > 0 {
			return math.Min(1, float64(a.Total.Client.Dials)/float64(a.Total.Requests)), true
		}
	}
	return 0, false
}

func setupPoints(r *Results) []setupPoint {
	var out []setupPoint
	r.EachRun(func(scenario, point string, s Scenario) {
		if s.Setup != nil && s.Setup.N > 0 {
			out = append(out, setupPoint{label: RunLabel(scenario, point), s: s, cost: *s.Setup})
		}
	})
	return out
}

func listPoints(ps []setupPoint, f func(setupPoint) string) string {
	return joinShown(len(ps), 3, func(i int) string { return ps[i].where() + ": " + f(ps[i]) })
}

// savingClaim covers "~X saved per request" for a new TLS (tls true) or
// plain TCP connection: the measured set-up cost against [lo, hi].
func savingClaim(claim string, r *Results, tls bool, nominal, lo, hi time.Duration) Claim {
	c := Claim{Claim: claim}
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
	c.Measured = fmt.Sprintf("a new connection (%s) adds %s (fresh %s vs reused %s, p50 of %d)", what, Dur(best.cost.Cost()), Dur(best.cost.FreshP50), Dur(best.cost.ReusedP50), best.cost.N)
	if share, ok := best.dialShare(); ok {
		c.Measured += fmt.Sprintf(", and the default transport dialed for %s of its requests there", Pct(100*share))
	}
	if len(ps) > 1 {
		c.Measured += fmt.Sprintf("; least %s in %s", Dur(least.cost.Cost()), least.label)
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
		c.Reason = listPoints(hit, func(p setupPoint) string { return Dur(p.cost.Cost()) })
	default:
		c.Verdict = VerdictDoesNotHold
		c.Reason = fmt.Sprintf("at most %s per new connection here (%s–%s claimed)", Dur(best.cost.Cost()), Dur(lo), Dur(hi))
		if rtt := best.s.Conditions.RTT; rtt > 0 {
			// The cost is round trips: estimate how many, and the RTT the claim needs.
			trips := float64(best.cost.Cost()) / float64(rtt)
			need := time.Duration(float64(nominal) / trips)
			c.Reason = fmt.Sprintf("the cost is not a constant: %s at RTT %s, %s at RTT %s (≈ %.1f round trips); the claimed ~%s needs an RTT of about %s",
				Dur(least.cost.Cost()), least.s.Conditions.RTT, Dur(best.cost.Cost()), rtt, trips, Dur(nominal), need.Round(time.Millisecond))
		} else {
			c.Reason += "; on loopback a connection costs CPU, not round trips, and each emulated RTT adds one (TCP) or two (TCP + TLS 1.3) round trips"
		}
	}
	return c
}

func reuseFasterClaim(r *Results) Claim {
	c := Claim{Claim: `"reused connection 10x faster" (~100 ms → ~10 ms)`}
	ps := setupPoints(r)
	if len(ps) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no scenario measured fresh against reused connections"
		return c
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].cost.Speedup() > ps[j].cost.Speedup() })
	best := ps[0]
	c.Measured = fmt.Sprintf("%s on a fresh connection %s vs reused %s: %s", best.cost.Route, Dur(best.cost.FreshP50), Dur(best.cost.ReusedP50), Times(best.cost.Speedup()))
	if len(ps) > 1 {
		least := ps[len(ps)-1]
		c.Measured += fmt.Sprintf("; least %s in %s", Times(least.cost.Speedup()), least.label)
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
		c.Reason = listPoints(hit, func(p setupPoint) string { return Times(p.cost.Speedup()) }) + " (the set-up dominates a fast request)"
	default:
		c.Verdict = VerdictDoesNotHold
		c.Reason = fmt.Sprintf("the request itself (handler, round trip) dominates; a fresh connection is at most %s slower", Times(best.cost.Speedup()))
	}
	return c
}

// connsPerHostClaim checks the seed's "25x more connections per host (50 vs 2)".
func connsPerHostClaim(us []unitResult) Claim {
	c := Claim{Claim: `"25x more connections per host (50 vs 2)": the default transport is limited to 2 connections`}
	u, ok := correctionUnit(us)
	if !ok {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model scenario with concurrency > 2 ran the default transport"
		return c
	}
	b := u.base.Total
	c.Measured = fmt.Sprintf("default dialed %s connections for %s requests at concurrency %d; the pool refused %s idle ones",
		Int(b.Client.Dials), Int(b.Requests), u.s.Conditions.Concurrency, Int(b.Client.IdleRejected))
	c.Conditions = u.where()
	if b.Client.Dials > 2*int64(len(u.base.Reps)) {
		c.Verdict = VerdictDoesNotHold
		c.Reason = "MaxIdleConnsPerHost caps idle connections, not active ones: requests beyond 2 in flight dial new connections, which are closed on return"
	} else {
		c.Verdict = VerdictHolds
	}
	return c
}

// correctionUnit picks the comparison that best shows MaxIdleConnsPerHost at
// work: the seed's own scenario when present, else the closed run with the
// most default-transport dials.
func correctionUnit(us []unitResult) (unitResult, bool) {
	var pick *unitResult
	for i, u := range us {
		if u.s.Conditions.Model != "closed" || u.s.Conditions.Concurrency <= 2 {
			continue
		}
		switch {
		case pick == nil, u.label == "seed-20-concurrent" && pick.label != "seed-20-concurrent":
			pick = &us[i]
		case pick.label != "seed-20-concurrent" && u.base.Total.Client.Dials > pick.base.Total.Client.Dials:
			pick = &us[i]
		}
	}
	if pick == nil {
		return unitResult{}, false
	}
	return *pick, true
}

func leakClaims(l *LeakSummary) []Claim {
	leak := Claim{Claim: "goroutine leaks: 0"}
	shut := Claim{Claim: "watcher shutdown < 100 ms"}
	if l == nil {
		leak.Verdict, leak.Reason = VerdictNotMeasurable, "not measured in this run (oranbench leakcheck)"
		shut.Verdict, shut.Reason = VerdictNotMeasurable, "not measured in this run (oranbench leakcheck)"
		return []Claim{leak, shut}
	}
	cond := fmt.Sprintf("%d start/close cycles of the watcher", l.Cycles)
	leak.Measured = fmt.Sprintf("goroutines before %d, after %d", l.GoroutinesBefore, l.GoroutinesAfter)
	leak.Conditions = cond
	if l.Leaked {
		leak.Verdict, leak.Reason = VerdictDoesNotHold, "goroutines outlived Close"
	} else {
		leak.Verdict = VerdictHolds
	}
	shut.Measured = fmt.Sprintf("Close p50 %s, p99 %s", Dur(l.CloseP50), Dur(l.CloseP99))
	shut.Conditions = cond
	if l.CloseP99 < 100*time.Millisecond {
		shut.Verdict = VerdictHolds
	} else {
		shut.Verdict, shut.Reason = VerdictDoesNotHold, "p99 of Close is "+Dur(l.CloseP99)
	}
	return []Claim{leak, shut}
}

// Claims gives the verdict on every claim of the seed's results document from
// what r measured; a claim no scenario of r measured says so.
func Claims(r *Results) []Claim {
	us := units(r)
	out := []Claim{
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
	return append(out, leakClaims(r.Leakcheck)...)
}

// claims renders the seed-claims table, the MaxIdleConnsPerHost correction
// and the threshold summary.
func (p *printer) claims(r *Results) {
	cs := r.Claims
	if cs == nil {
		cs = Claims(r)
	}
	p.f("## Seed claims\n\nEach claim of the seed's results document, measured. Ratios are medians across repetitions with a distribution-free interval; `~` marks a difference that is not significant (Mann-Whitney U, α = %.2f).\n\n", Alpha)
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
		p.f("> Weak verdict: %s ran fewer than %d repetitions per arm; intervals are wide and `~` is likely.\n\n", strings.Join(weak, ", "), WeakBelowReps)
	}
	p.correction(units(r))
	p.recommendation(r)
	p.thresholdSummary(r)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func weakScenarios(r *Results) []string {
	var out []string
	seen := map[string]bool{}
	r.EachRun(func(name, _ string, s Scenario) {
		if s.Stats != nil && s.Stats.Weak && !seen[name] {
			seen[name] = true
			out = append(out, "`"+name+"`")
		}
	})
	return out
}

// correction explains, with measured counts, that MaxIdleConnsPerHost=2 does
// not limit active connections.
func (p *printer) correction(us []unitResult) {
	u, ok := correctionUnit(us)
	if !ok {
		return
	}
	b, t := u.base.Total, u.tuned.Total
	p.f("### MaxIdleConnsPerHost=2 does not queue requests\n\n")
	p.f("The seed says the default transport allows 2 connections per host, so that \"every 3rd concurrent request waits\". Measured in `%s` (%s): ", u.label, u.s.Conditions.Short())
	perReq := 0.0
	if b.Requests > 0 {
		perReq = float64(b.Client.Dials) / float64(b.Requests)
	}
	p.f("the `%s` transport (MaxIdleConnsPerHost 2) dialed **%s** connections", u.base.Name, Int(b.Client.Dials))
	if u.s.Conditions.TLS {
		p.f(" and made **%s** TLS handshakes", Int(b.Client.TLSHandshakes))
	}
	p.f(" for %s requests (%.2f per request)", Int(b.Requests), perReq)
	if b.Server.Known {
		p.f("; the server accepted %s connections", Int(b.Server.Accepted))
	}
	p.f(". %s requests used a connection they dialed themselves; the other dials lost a race: net/http dials as soon as no idle connection is free, and when another request returns one first, the new connection goes to the pool, which already holds its 2 idle ones and closes it (%s refused). ",
		Int(b.Client.New), Int(b.Client.IdleRejected))
	p.f("`%s` dialed %s connections for %s requests after its warm-up. ", u.tuned.Name, Int(t.Client.Dials), Int(t.Requests))
	p.f("So the limit is on *idle* connections: with %d requests in flight the default transport does not queue the 3rd, it dials a new connection (and a new handshake) and closes it afterwards%s. What pooling buys is fewer dials and handshakes, not more parallelism.\n\n", u.s.Conditions.Concurrency, closeFate(b))
}

// closeFate says where the closed connections went, from the TIME_WAIT count.
func closeFate(b Summary) string {
	tw := b.Client.TimeWait
	switch {
	case tw == nil || b.Client.Dials == 0:
		return ""
	case *tw == 0:
		return " (none of its sockets entered TIME_WAIT: over TLS on loopback its closes ended in resets)"
	default:
		return fmt.Sprintf(" (%s of its sockets entered TIME_WAIT, each holding an ephemeral port for a minute)", Int(*tw))
	}
}

// thresholdSummary lists failed required thresholds at the top of the report.
func (p *printer) thresholdSummary(r *Results) {
	total, failed := 0, FailedRequired(r)
	for _, s := range r.Scenarios {
		for _, t := range s.Thresholds {
			if t.Required {
				total++
			}
		}
	}
	if total == 0 {
		return
	}
	p.f("## Thresholds\n\n")
	if len(failed) == 0 {
		p.f("All %d required thresholds hold.\n\n", total)
		return
	}
	p.f("**%d of %d required thresholds failed** (exit code 1):\n\n", len(failed), total)
	for _, f := range failed {
		p.f("- %s\n", f.String())
	}
	p.f("\n")
}

// sweepVerdictLine summarizes a sweep in one sentence.
func sweepVerdictLine(s Scenario) string {
	us := units(&Results{Scenarios: []Scenario{s}})
	if len(us) == 0 {
		return fmt.Sprintf("**%s**: sweep of %d points over %s.", s.Name, len(s.Sweep.Points), strings.Join(s.Sweep.Params, " × "))
	}
	n4, n10 := 0, 0
	lo, hi := 0.0, 0.0
	for i, u := range us {
		if u.metric == "" {
			continue
		}
		if u.reached(4) {
			n4++
		}
		if u.reached(10) {
			n10++
		}
		if i == 0 || u.ratio < lo {
			lo = u.ratio
		}
		if u.ratio > hi {
			hi = u.ratio
		}
	}
	line := fmt.Sprintf("**%s** (sweep over %s): tuned/default from %s to %s; ≥ 4x at %d of %d points, ≥ 10x at %d",
		s.Name, strings.Join(s.Sweep.Params, " × "), Times(lo), Times(hi), n4, len(us), n10)
	return line + otherArmsRange(s) + "."
}

// otherArmsRange gives, for each arm of a sweep beyond default and tuned, the
// range of its req/s ratio to the first arm across the points, e.g.
// "; tuned-capped/default from 1.00x to 10.91x".
func otherArmsRange(s Scenario) string {
	if len(s.Sweep.Points) == 0 {
		return ""
	}
	first := s.Sweep.Points[0].Result.Arms
	if len(first) < 2 {
		return ""
	}
	var out string
	for _, a := range first[1:] {
		if a.Profile == tunedProfile {
			continue
		}
		lo, hi, n := 0.0, 0.0, 0
		for _, pt := range s.Sweep.Points {
			c, ok := pt.Result.Stats.Comparison(a.Name, first[0].Name, MetricReqPerSec)
			if !ok {
				continue
			}
			if n == 0 || c.Ratio < lo {
				lo = c.Ratio
			}
			hi = max(hi, c.Ratio)
			n++
		}
		if n > 0 {
			out += fmt.Sprintf("; %s/%s from %s to %s", a.Name, first[0].Name, Times(lo), Times(hi))
		}
	}
	return out
}

// sweep renders a sweep scenario: the ratio matrix, then one row per point.
func (p *printer) sweep(s Scenario) {
	p.f("## Scenario `%s`\n\n%s\n\n", s.Name, s.Description)
	sw := s.Sweep
	if len(sw.Points) == 0 {
		p.f("No sweep point completed.\n\n")
		return
	}
	first := sw.Points[0].Result
	c := first.Conditions
	p.f("Each point is a full interleaved run on its own backend: %s × %d repetitions (warm-up %s), order %s; routes %s. Swept: %s.\n\n",
		c.Duration, c.Repetitions, c.Warmup, strings.Join(c.Order, " "), strings.Join(c.Routes, ", "), strings.Join(sw.Params, " × "))
	if len(first.Arms) >= 2 {
		for ai := 1; ai < len(first.Arms); ai++ {
			p.matrix(sw, ai)
		}
	}
	p.f("### Points\n\n")
	var rows [][]string
	for _, pt := range sw.Points {
		r := pt.Result
		for ai, a := range r.Arms {
			label := ""
			if ai == 0 {
				label = sw.Label(pt)
			}
			ratio := "–"
			if ai > 0 {
				if cmp, ok := r.Stats.Comparison(a.Name, r.Arms[0].Name, MetricReqPerSec); ok {
					ratio = FormatComparison(cmp)
				}
			}
			rows = append(rows, []string{label, "`" + a.Name + "`", Num(a.Total.SuccessPerSec), Dur(a.Total.Latency.P50), Dur(a.Total.Latency.P99),
				Pct(a.Total.SuccessPct), Int(a.Total.Client.Dials), Int(a.Total.Client.TLSHandshakes), connWait(a.Total.Client),
				orDash(a.Total.Client.Protocol()), timeWait(a.Total.Client), ratio})
		}
	}
	p.table([]string{"point", "arm", "req/s", "p50", "p99", "success", "dials", "TLS handshakes", "conn wait mean / p99", "protocol", "TIME_WAIT", "req/s vs first arm"}, rows)
	p.thresholds(s)
	for _, n := range s.Notes {
		p.f("> %s\n\n", n)
	}
}

// matrix renders the req/s ratio of arm ai over arm 0 across the first two
// swept parameters, one table per combination of the others.
func (p *printer) matrix(sw *Sweep, ai int) {
	if len(sw.Params) == 0 {
		return
	}
	arm, base := sw.Points[0].Result.Arms[ai].Name, sw.Points[0].Result.Arms[0].Name
	values := make([][]string, len(sw.Params))
	for _, pt := range sw.Points {
		for i, v := range pt.Values {
			if i < len(values) && !slices.Contains(values[i], v) {
				values[i] = append(values[i], v)
			}
		}
	}
	cell := map[string]string{}
	for _, pt := range sw.Points {
		r := pt.Result
		txt := "–"
		if cmp, ok := r.Stats.Comparison(arm, base, MetricReqPerSec); ok {
			txt = Times(cmp.Ratio)
			switch {
			case !cmp.Significant:
				txt += " ~"
			case cmp.Ratio >= 10:
				txt = "**" + txt + "** ≥10x"
			case cmp.Ratio >= 4:
				txt = "**" + txt + "** ≥4x"
			}
		}
		cell[strings.Join(pt.Values, "\x00")] = txt
	}
	rowParam, colParam := 0, -1
	if len(sw.Params) > 1 {
		colParam = 1
	}
	var rest [][]string // combinations of the remaining parameters
	rest = [][]string{nil}
	for i := 2; i < len(sw.Params); i++ {
		var next [][]string
		for _, prefix := range rest {
			for _, v := range values[i] {
				next = append(next, append(append([]string(nil), prefix...), v))
			}
		}
		rest = next
	}
	p.f("### Ratio matrix: `%s` / `%s` req/s\n\n**bold** marks where 4x and 10x are reached; `~` is not significant.\n\n", arm, base)
	for _, combo := range rest {
		if len(combo) > 0 {
			var parts []string
			for i, v := range combo {
				parts = append(parts, sw.Params[i+2]+"="+v)
			}
			p.f("%s:\n\n", strings.Join(parts, ", "))
		}
		header := []string{sw.Params[rowParam]}
		cols := []string{""}
		if colParam >= 0 {
			header = []string{sw.Params[rowParam] + " \\ " + sw.Params[colParam]}
			cols = values[colParam]
			for _, v := range cols {
				header = append(header, v)
			}
		} else {
			header = append(header, "ratio")
		}
		var rows [][]string
		for _, rv := range values[rowParam] {
			row := []string{rv}
			for _, cv := range cols {
				key := []string{rv}
				if colParam >= 0 {
					key = append(key, cv)
				}
				key = append(key, combo...)
				txt, ok := cell[strings.Join(key, "\x00")]
				if !ok {
					txt = "not run"
				}
				row = append(row, txt)
			}
			rows = append(rows, row)
		}
		p.table(header, rows)
	}
}

// loadShape describes a non-closed load for the conditions table.
func loadShape(c Conditions) string {
	if c.Shape != "" {
		return c.Shape
	}
	return fmt.Sprintf("%.0f req/s", c.RatePerSec)
}

// scenarioVerdict says in one sentence what a scenario found: throughput for
// closed, search and storm runs, latency at the same offered load for open
// ones, with significance when statistics exist.
func scenarioVerdict(s Scenario) string {
	if s.Sweep != nil {
		return sweepVerdictLine(s)
	}
	if len(s.Arms) < 2 {
		return fmt.Sprintf("**%s**: one arm only; no comparison", s.Name)
	}
	base := s.Arms[0].Name
	cmp := func(arm, metric string, fallback float64) string {
		if c, ok := s.Stats.Comparison(arm, base, metric); ok {
			if !c.Significant {
				return Times(c.Ratio) + " ~"
			}
			return Times(c.Ratio)
		}
		return Times(fallback)
	}
	var parts []string
	for i, a := range s.Arms[1:] {
		q := Ratio{}
		if i < len(s.Ratios) {
			q = s.Ratios[i]
		}
		switch s.Conditions.Model {
		case "open":
			parts = append(parts, fmt.Sprintf("at the same offered load `%s` took **%s** the p50 of `%s` (p99 %s)",
				a.Name, cmp(a.Name, MetricP50, q.P50), base, cmp(a.Name, MetricP99, q.P99)))
		case "search":
			var xs, ys []float64
			xs, ys = Samples(a, MetricMaxRate), Samples(s.Arms[0], MetricMaxRate)
			r := 0.0
			if m := Median(ys); m > 0 {
				r = Median(xs) / m
			}
			parts = append(parts, fmt.Sprintf("`%s` sustained **%s** the rate of `%s` (%s vs %s req/s)",
				a.Name, cmp(a.Name, MetricMaxRate, r), base, Num(Median(xs)), Num(Median(ys))))
		default:
			parts = append(parts, fmt.Sprintf("`%s` served **%s** the req/s of `%s` (p50 %s, p99 %s)",
				a.Name, cmp(a.Name, MetricReqPerSec, q.ReqPerSec), base, cmp(a.Name, MetricP50, q.P50), cmp(a.Name, MetricP99, q.P99)))
		}
	}
	return fmt.Sprintf("**%s** (%s): %s.", s.Name, s.Conditions.Short(), strings.Join(parts, "; "))
}
