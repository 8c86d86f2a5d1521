package analysis

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// Profile names of the fix arms, beside BaselineProfile and TunedProfile.
const (
	tunedH2Profile     = "tuned-h2"
	tunedCappedProfile = "tuned-capped"
	tunedResumeProfile = "tuned-resume"
)

// seedPoolSize is the tuned factory's MaxIdleConnsPerHost: the seed's "50
// connections per host".
const seedPoolSize = 50

// pooledDialShare is the most dials per request an arm may make after its
// warm-up and still count as holding every connection in its pool.
const pooledDialShare = 0.01

// run is one scenario or sweep point, as Results.EachRun yields it.
type run struct {
	label string
	s     results.Scenario
}

func (r run) where() string { return fmt.Sprintf("%s (%s)", r.label, r.s.Conditions.Short()) }

// arm returns the run's first arm built from profile, nil when none. Where
// the scenario names its claim arms, "default" and "tuned" mean its
// baseline and candidate arms.
func (r run) arm(profile string) *results.Arm {
	byName := ""
	if c := r.s.ClaimArms; c != nil {
		switch profile {
		case BaselineProfile:
			byName = c.Baseline
		case TunedProfile:
			byName = c.Candidate
		}
	}
	for i := range r.s.Arms {
		a := &r.s.Arms[i]
		if len(a.Reps) == 0 {
			continue
		}
		if (byName != "" && a.Name == byName) || (byName == "" && a.Profile == profile) {
			return a
		}
	}
	return nil
}

func runs(r *results.Results) []run {
	var out []run
	r.EachRun(func(scenario, point string, s results.Scenario) {
		out = append(out, run{label: results.RunLabel(scenario, point), s: s})
	})
	return out
}

// compareArms compares two arms of one run on metric across repetitions,
// like the statistics table does for an arm against the baseline.
func compareArms(a, b results.Arm, metric string) (results.Comparison, bool) {
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

// armRatio is "a/b req/s 2.41x [...]" for two arms of a run, or "" when it
// cannot be computed.
func armRatio(a, b *results.Arm, metric string) string {
	if a == nil || b == nil {
		return ""
	}
	c, ok := compareArms(*a, *b, metric)
	if !ok {
		return ""
	}
	return results.FormatRatioCI(c)
}

// dialShare is the arm's dials per request after its warm-up.
func dialShare(a *results.Arm) float64 {
	if a == nil || a.Total.Requests == 0 {
		return 0
	}
	return float64(a.Total.Client.Dials) / float64(a.Total.Requests)
}

// protocolOf names the protocol an arm's responses came on, "–" when none
// was counted (results from before protocols were recorded).
func protocolOf(a *results.Arm) string {
	if a == nil {
		return "–"
	}
	if p := a.Total.Client.Protocol(); p != "" {
		return p
	}
	return "–"
}

// closedH1 reports whether a run is a closed loop against a backend that
// speaks HTTP/1.1 only (no HTTP/2 offered), where in-flight requests equal
// connections wanted.
func closedH1(s results.Scenario) bool {
	c := s.Conditions
	return c.Model == "closed" && !c.HTTP2 && c.Concurrency > 0
}

// concurrencySweep returns the closed HTTP/1.1 runs that ran tuned, of the
// scenario that covers the most distinct concurrencies, sorted by
// concurrency: the pool's cliff as one series.
func concurrencySweep(r *results.Results) []run {
	by := map[string][]run{}
	var order []string
	for _, u := range runs(r) {
		if !closedH1(u.s) || u.arm(TunedProfile) == nil {
			continue
		}
		name := u.s.Name
		if _, ok := by[name]; !ok {
			order = append(order, name)
		}
		by[name] = append(by[name], u)
	}
	distinct := func(us []run) int {
		seen := map[int]bool{}
		for _, u := range us {
			seen[u.s.Conditions.Concurrency] = true
		}
		return len(seen)
	}
	var best []run
	for _, name := range order {
		if us := by[name]; distinct(us) > distinct(best) {
			best = us
		}
	}
	sort.SliceStable(best, func(i, j int) bool { return best[i].s.Conditions.Concurrency < best[j].s.Conditions.Concurrency })
	return best
}

// churnText describes what an arm's connections did: "0 dials for 2,745
// requests" or "4,826 dials (1.3 per request), 4,826 TLS handshakes".
func churnText(a *results.Arm) string {
	t := a.Total
	if t.Client.Dials == 0 {
		return fmt.Sprintf("0 dials for %s requests", results.Int(t.Requests))
	}
	s := fmt.Sprintf("%s dials (%.2f per request)", results.Int(t.Client.Dials), dialShare(a))
	if t.Client.TLSHandshakes > 0 {
		s += fmt.Sprintf(", %s TLS handshakes", results.Int(t.Client.TLSHandshakes))
	}
	return s
}

// poolClaim checks "Up to 50 concurrent requests with no queuing" and says
// what happens above 50.
func poolClaim(r *results.Results) results.Claim {
	c := results.Claim{Claim: "Up to 50 concurrent requests with no queuing (and above 50?)"}
	us := concurrencySweep(r)
	if len(us) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model scenario against an HTTP/1.1 backend ran tuned"
		return c
	}
	var pooled, churned []run
	for _, u := range us {
		if dialShare(u.arm(TunedProfile)) <= pooledDialShare {
			pooled = append(pooled, u)
		} else {
			churned = append(churned, u)
		}
	}
	var parts []string
	for _, u := range us {
		t := u.arm(TunedProfile)
		p := fmt.Sprintf("%d in flight: %s, conn wait p99 %s", u.s.Conditions.Concurrency, churnText(t), results.Dur(t.Total.Client.ConnWaitP99))
		if ratio := armRatio(t, u.arm(BaselineProfile), results.MetricReqPerSec); ratio != "" {
			p += ", " + ratio + " default's req/s"
		}
		parts = append(parts, p)
	}
	c.Measured = "tuned at " + strings.Join(parts, "; ")
	c.Conditions = fmt.Sprintf("%s (%s; %s)", us[0].s.Name, conditionsWithout(us[0].s.Conditions), protocolOf(us[0].arm(TunedProfile)))
	switch {
	case len(churned) == 0:
		c.Verdict = VerdictHolds
		c.Reason = fmt.Sprintf("tuned kept every connection pooled up to %d in flight", us[len(us)-1].s.Conditions.Concurrency)
	case len(pooled) == 0:
		c.Verdict = VerdictDoesNotHold
		c.Reason = "tuned dialed new connections at every measured concurrency"
	default:
		hi, lo := pooled[len(pooled)-1], churned[0]
		c.Verdict = VerdictHoldsOnlyWhen
		c.Reason = fmt.Sprintf("at most %d requests are in flight per host (%d measured): tuned then dialed nothing after its warm-up. Above %d (%d measured) it does not queue either: MaxIdleConnsPerHost caps only idle connections, so it dials a connection per extra request and closes it on return, like the default transport above 2",
			hi.s.Conditions.Concurrency, hi.s.Conditions.Concurrency, seedPoolSize, lo.s.Conditions.Concurrency)
		if capped := lo.arm(tunedCappedProfile); capped != nil {
			c.Reason += fmt.Sprintf("; with MaxConnsPerHost %d (tuned-capped) the extra requests queue instead: %s, conn wait mean %s / p99 %s, %s tuned's req/s",
				seedPoolSize, churnText(capped), results.Dur(capped.Total.Client.ConnWaitMean), results.Dur(capped.Total.Client.ConnWaitP99), armRatio(capped, lo.arm(TunedProfile), results.MetricReqPerSec))
		}
	}
	return c
}

// conditionsWithout is Conditions.Short without the worker count, for a
// series that varies it.
func conditionsWithout(c results.Conditions) string {
	c.Model = "closed loop"
	c.Concurrency = 0
	return strings.TrimSuffix(c.Short(), ", closed loop")
}

// busiest returns, of the runs whose conditions match and that ran both
// default and tuned, the one with the most requests in flight.
func busiest(r *results.Results, match func(results.Conditions) bool) (run, bool) {
	var pick *run
	for _, u := range runs(r) {
		if !match(u.s.Conditions) || u.arm(TunedProfile) == nil || u.arm(BaselineProfile) == nil {
			continue
		}
		if pick == nil || u.s.Conditions.Concurrency > pick.s.Conditions.Concurrency {
			pick = &u
		}
	}
	if pick == nil {
		return run{}, false
	}
	return *pick, true
}

// stressClaim checks the seed's planned "stress test with 1000+ concurrent
// requests" against its 4x.
func stressClaim(r *results.Results) results.Claim {
	c := results.Claim{Claim: "Stress test with 1000 concurrent requests (the seed's plan): still 4x"}
	u, ok := busiest(r, func(c results.Conditions) bool { return c.Model == "closed" && c.Concurrency >= 1000 })
	if !ok {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model scenario ran default and tuned at 1000 or more in flight"
		return c
	}
	base, tuned := u.arm(BaselineProfile), u.arm(TunedProfile)
	cmp, ok := compareArms(*tuned, *base, results.MetricReqPerSec)
	if !ok {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no req/s to compare in "+u.label
		return c
	}
	c.Measured = fmt.Sprintf("tuned/default req/s %s at %d in flight (%s vs %s req/s); tuned made %s, default %s",
		results.FormatRatioCI(cmp), u.s.Conditions.Concurrency, results.Num(tuned.Total.SuccessPerSec), results.Num(base.Total.SuccessPerSec), churnText(tuned), churnText(base))
	if tw := tuned.Total.Client.TimeWait; tw != nil {
		c.Measured += fmt.Sprintf("; tuned left %s sockets in TIME_WAIT", results.Int(*tw))
		if btw := base.Total.Client.TimeWait; btw != nil {
			c.Measured += fmt.Sprintf(" (default %s)", results.Int(*btw))
		}
		if *tw == 0 && tuned.Total.Client.Dials > 0 && u.s.Conditions.TLS {
			c.Measured += " (over TLS these closes ended in resets, which hold no port, rather than TIME_WAIT)"
		}
	}
	c.Conditions = u.where() + "; " + protocolOf(tuned)
	if cmp.Ratio >= 4 && cmp.Significant {
		c.Verdict = VerdictHolds
		return c
	}
	c.Verdict = VerdictDoesNotHold
	c.Reason = fmt.Sprintf("with %d requests in flight and a pool of %d, tuned dials and discards connections like default does", u.s.Conditions.Concurrency, seedPoolSize)
	if capped := u.arm(tunedCappedProfile); capped != nil {
		c.Reason += fmt.Sprintf("; MaxConnsPerHost %d (tuned-capped) turns that churn into a queue: %s default's req/s, conn wait p99 %s", seedPoolSize, armRatio(capped, base, results.MetricReqPerSec), results.Dur(capped.Total.Client.ConnWaitP99))
	}
	return c
}

// sessionClaim checks "TLS session reuse (handshake only once)": the tuned
// factory has no session cache, so every connection it dials pays a full
// handshake; the setup probe measures what resumption would save.
func sessionClaim(r *results.Results) results.Claim {
	c := results.Claim{Claim: "TLS session reuse (handshake only once)"}
	var pick *run
	for _, u := range runs(r) {
		t := u.arm(TunedProfile)
		if t == nil || !u.s.Conditions.TLS {
			continue
		}
		if pick == nil || t.Total.Client.TLSHandshakes > pick.arm(TunedProfile).Total.Client.TLSHandshakes {
			pick = &u
		}
	}
	if pick == nil {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no TLS scenario ran tuned"
		return c
	}
	u := *pick
	t := u.arm(TunedProfile).Total
	c.Measured = fmt.Sprintf("tuned made %s TLS handshakes (%s resumed) for %s requests after its warm-up", results.Int(t.Client.TLSHandshakes), results.Int(t.Client.TLSResumed), results.Int(t.Requests))
	c.Conditions = u.where()
	// What resumption buys, from the set-up probe with the largest saving.
	var best *results.SetupCost
	var bestWhere string
	for _, p := range setupPoints(r) {
		if p.cost.ResumedP50 > 0 && (best == nil || p.cost.FreshP50-p.cost.ResumedP50 > best.FreshP50-best.ResumedP50) {
			cost := p.cost
			best, bestWhere = &cost, p.label
		}
	}
	if best != nil {
		c.Measured += fmt.Sprintf("; a new connection with a full handshake %s vs %s when it resumes a session (p50, %s)", results.Dur(best.FreshP50), results.Dur(best.ResumedP50), bestWhere)
	}
	if res := resumeEvidence(r); res != "" {
		c.Measured += "; " + res
	}
	if t.Client.TLSHandshakes == 0 {
		c.Verdict = VerdictHolds
		c.Reason = "tuned kept its connections, so each handshake happened once, in the warm-up"
		return c
	}
	c.Verdict = VerdictHoldsOnlyWhen
	c.Reason = fmt.Sprintf("every connection stays in the pool (at most %d in flight per host, none idle for 90 s): the factory sets no ClientSessionCache, so each connection it dials again pays a full handshake; a session cache (tuned-resume) makes those resumptions", seedPoolSize)
	return c
}

// resumeEvidence reports how many handshakes a session-caching arm resumed.
func resumeEvidence(r *results.Results) string {
	var hs, resumed int64
	for _, u := range runs(r) {
		if a := u.arm(tunedResumeProfile); a != nil {
			hs += a.Total.Client.TLSHandshakes
			resumed += a.Total.Client.TLSResumed
		}
	}
	if hs == 0 {
		return ""
	}
	return fmt.Sprintf("tuned-resume resumed %s of its %s handshakes", results.Int(resumed), results.Int(hs))
}

// connWaitClaim checks "Connection wait (queue) ~50 ms → ~0 ms".
func connWaitClaim(r *results.Results) results.Claim {
	c := results.Claim{Claim: "Connection wait (queue) ~50 ms → ~0 ms"}
	u, ok := CorrectionPair(Pairs(r))
	if !ok {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model scenario with concurrency > 2 ran default and tuned"
		return c
	}
	b, t := u.Base.Total.Client, u.Tuned.Total.Client
	c.Measured = fmt.Sprintf("conn wait mean / p99: default %s / %s, tuned %s / %s", results.Dur(b.ConnWaitMean), results.Dur(b.ConnWaitP99), results.Dur(t.ConnWaitMean), results.Dur(t.ConnWaitP99))
	c.Conditions = u.where()
	// Above the pool: the queue that MaxConnsPerHost creates, for contrast.
	var queued *run
	for _, x := range concurrencySweep(r) {
		if a := x.arm(tunedCappedProfile); a != nil && x.s.Conditions.Concurrency > seedPoolSize {
			queued = &x
		}
	}
	if queued != nil {
		a := queued.arm(tunedCappedProfile)
		c.Measured += fmt.Sprintf("; above the pool (%d in flight) tuned %s / %s, tuned-capped %s / %s",
			queued.s.Conditions.Concurrency, results.Dur(queued.arm(TunedProfile).Total.Client.ConnWaitMean), results.Dur(queued.arm(TunedProfile).Total.Client.ConnWaitP99),
			results.Dur(a.Total.Client.ConnWaitMean), results.Dur(a.Total.Client.ConnWaitP99))
	}
	tunedZero := t.ConnWaitMean < time.Millisecond
	defaultNear := b.ConnWaitMean >= 25*time.Millisecond && b.ConnWaitMean <= 100*time.Millisecond
	switch {
	case tunedZero && defaultNear:
		c.Verdict = VerdictHolds
	case tunedZero:
		c.Verdict = VerdictDoesNotHold
		c.Reason = fmt.Sprintf("tuned's wait is about 0, but default's is %s, not ~50 ms, and it is not a queue: default never waits for a busy connection, it dials (%s dials for %s requests), so its wait is the dial and the TLS handshake",
			results.Dur(b.ConnWaitMean), results.Int(u.Base.Total.Client.Dials), results.Int(u.Base.Total.Requests))
	default:
		c.Verdict = VerdictDoesNotHold
		c.Reason = fmt.Sprintf("tuned waited %s on average for a connection", results.Dur(t.ConnWaitMean))
	}
	if queued != nil {
		c.Reason = strings.TrimPrefix(c.Reason+"; ", "; ") + fmt.Sprintf("a real queue appears only with MaxConnsPerHost, above the pool: that is tuned-capped's wait at %d in flight", queued.s.Conditions.Concurrency)
	}
	return c
}

// http2Claim is not a claim of the seed: it is what the seed's code does to
// HTTP/2, measured against a backend that offers it.
func http2Claim(r *results.Results) results.Claim {
	c := results.Claim{Claim: "HTTP/2 where the backend offers it (not a claim of the seed: a consequence of its factory's code)"}
	u, ok := busiest(r, func(c results.Conditions) bool { return c.HTTP2 && c.TLS })
	if !ok {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no scenario ran default and tuned against a TLS backend that offers HTTP/2"
		return c
	}
	base, tuned, h2 := u.arm(BaselineProfile), u.arm(TunedProfile), u.arm(tunedH2Profile)
	c.Measured = fmt.Sprintf("tuned spoke %s, default %s; tuned/default req/s %s", protocolOf(tuned), protocolOf(base), armRatio(tuned, base, results.MetricReqPerSec))
	if h2 != nil {
		c.Measured += fmt.Sprintf("; tuned-h2 (%s) %s tuned's req/s, %s default's", protocolOf(h2), armRatio(h2, tuned, results.MetricReqPerSec), armRatio(h2, base, results.MetricReqPerSec))
	}
	c.Conditions = u.where()
	if tuned.Total.Client.Protocols[results.ProtoHTTP2] > 0 {
		c.Verdict = VerdictHolds
		return c
	}
	c.Verdict = VerdictDoesNotHold
	c.Reason = "the factory sets its own DialContext and not ForceAttemptHTTP2, and net/http then switches HTTP/2 off: against an HTTP/2 backend (Porch, any Kubernetes API server) it opens an HTTP/1.1 connection per request in flight where default multiplexes streams over one"
	if h2 != nil {
		c.Reason += "; ForceAttemptHTTP2: true (tuned-h2) restores it"
	}
	return c
}

// newConnClaim checks "New connection ~110 ms": what one request on a fresh
// connection (dial and, with TLS, a full handshake) takes end to end, on the
// paths with the largest and the smallest set-up cost.
func newConnClaim(r *results.Results) results.Claim {
	c := results.Claim{Claim: "New connection ~110 ms (the same before and after)"}
	ps := setupPoints(r)
	if len(ps) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no scenario measured a fresh connection"
		return c
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].cost.Cost() > ps[j].cost.Cost() })
	hi, lo := ps[0], ps[len(ps)-1]
	fresh := func(p setupPoint) string {
		return fmt.Sprintf("%s at RTT %s (%s of it set-up, %s)", results.Dur(p.cost.FreshP50), p.s.Conditions.RTT, results.Dur(p.cost.Cost()), p.label)
	}
	c.Measured = "a request on a fresh connection, p50: " + fresh(hi)
	if len(ps) > 1 {
		c.Measured += "; " + fresh(lo)
	}
	c.Conditions = hi.where()
	const nominal, minOK, maxOK = 110 * time.Millisecond, 55 * time.Millisecond, 220 * time.Millisecond
	var in []setupPoint
	for _, p := range ps {
		if p.cost.FreshP50 >= minOK && p.cost.FreshP50 <= maxOK {
			in = append(in, p)
		}
	}
	switch {
	case len(in) == len(ps):
		c.Verdict = VerdictHolds
	case len(in) > 0:
		c.Verdict = VerdictHoldsOnlyWhen
		c.Reason = listPoints(in, func(p setupPoint) string { return results.Dur(p.cost.FreshP50) }) + "; it is round trips and handler time, not a constant"
	default:
		c.Verdict = VerdictDoesNotHold
		c.Reason = "a new connection costs round trips and CPU, not a constant"
		if rtt := hi.s.Conditions.RTT; rtt > 0 {
			trips := float64(hi.cost.Cost()) / float64(rtt)
			c.Reason += fmt.Sprintf(": its set-up takes ≈ %.1f round trips, so ~%s needs an RTT near %s", trips, results.Dur(nominal), time.Duration(float64(nominal)/(trips+1)).Round(time.Millisecond))
		}
	}
	return c
}

// productionClaims are the rows for the conditions production runs in:
// concurrency beyond the pool, TLS sessions, connection waits, HTTP/2, and
// client-go's transport as the baseline for Porch.
func productionClaims(r *results.Results) []results.Claim {
	return []results.Claim{poolClaim(r), stressClaim(r), sessionClaim(r), connWaitClaim(r), newConnClaim(r), http2Claim(r), clientGoClaim(r)}
}
