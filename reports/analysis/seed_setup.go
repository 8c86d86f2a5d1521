package analysis

import (
	"fmt"
	"sort"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// savingClaim covers "~X saved per request" for a new TLS (tls true) or
// plain TCP connection: the measured set-up cost against [lo, hi].
// savingWithin judges "~nominal saved per request" for a new TLS (tls
// true) or plain TCP connection: whether the measured set-up cost lies in
// [lo, hi].
func savingWithin(tls bool, nominal, lo, hi time.Duration) RuleFunc {
	return func(rs Runs) results.Claim { return savingClaim(rs, tls, nominal, lo, hi) }
}

func savingClaim(rs Runs, tls bool, nominal, lo, hi time.Duration) results.Claim {
	var c results.Claim
	var ps []setupPoint
	for _, p := range setupPoints(rs.Results) {
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
	if share, ok := best.dialShare(rs.Roles.Baseline); ok {
		c.Measured += fmt.Sprintf(", and the default transport dialed for %s of its requests there", results.Pct(100*share))
	}
	if len(ps) > 1 {
		c.Measured += fmt.Sprintf("; least %s in %s", results.Dur(least.cost.Cost()), least.Label)
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
		if rtt := best.Scenario.Conditions.RTT; rtt > 0 {
			// The cost is round trips: estimate how many, and the RTT the claim needs.
			trips := float64(best.cost.Cost()) / float64(rtt)
			need := time.Duration(float64(nominal) / trips)
			c.Reason = fmt.Sprintf("the cost is not a constant: %s at RTT %s, %s at RTT %s (≈ %.1f round trips); the claimed ~%s needs an RTT of about %s",
				results.Dur(least.cost.Cost()), least.Scenario.Conditions.RTT, results.Dur(best.cost.Cost()), rtt, trips, results.Dur(nominal), need.Round(time.Millisecond))
		} else {
			c.Reason += "; on loopback a connection costs CPU, not round trips, and each emulated RTT adds one (TCP) or two (TCP + TLS 1.3) round trips"
		}
	}
	return c
}

// reuseFasterAtLeast judges "a reused connection is x times faster": a
// request's p50 on a fresh connection over its p50 on a reused one.
func reuseFasterAtLeast(x float64) RuleFunc {
	return func(rs Runs) results.Claim { return reuseFasterClaim(setupPoints(rs.Results), x) }
}

func reuseFasterClaim(ps []setupPoint, x float64) results.Claim {
	var c results.Claim
	if len(ps) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no scenario measured fresh against reused connections"
		return c
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].cost.Speedup() > ps[j].cost.Speedup() })
	best := ps[0]
	c.Measured = fmt.Sprintf("%s on a fresh connection %s vs reused %s: %s", best.cost.Route, results.Dur(best.cost.FreshP50), results.Dur(best.cost.ReusedP50), results.Times(best.cost.Speedup()))
	if len(ps) > 1 {
		least := ps[len(ps)-1]
		c.Measured += fmt.Sprintf("; least %s in %s", results.Times(least.cost.Speedup()), least.Label)
	}
	c.Conditions = best.where()
	var hit []setupPoint
	for _, p := range ps {
		if p.cost.Speedup() >= x {
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

// newConnNear checks "New connection ~nominal": what one request on a fresh
// connection (dial and, with TLS, a full handshake) takes end to end, on the
// paths with the largest and the smallest set-up cost, against [minOK, maxOK].
func newConnNear(nominal, minOK, maxOK time.Duration) RuleFunc {
	return func(rs Runs) results.Claim { return newConnClaim(setupPoints(rs.Results), nominal, minOK, maxOK) }
}

func newConnClaim(ps []setupPoint, nominal, minOK, maxOK time.Duration) results.Claim {
	var c results.Claim
	if len(ps) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no scenario measured a fresh connection"
		return c
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].cost.Cost() > ps[j].cost.Cost() })
	hi, lo := ps[0], ps[len(ps)-1]
	fresh := func(p setupPoint) string {
		return fmt.Sprintf("%s at RTT %s (%s of it set-up, %s)", results.Dur(p.cost.FreshP50), p.Scenario.Conditions.RTT, results.Dur(p.cost.Cost()), p.Label)
	}
	c.Measured = "a request on a fresh connection, p50: " + fresh(hi)
	if len(ps) > 1 {
		c.Measured += "; " + fresh(lo)
	}
	c.Conditions = hi.where()
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
		if rtt := hi.Scenario.Conditions.RTT; rtt > 0 {
			trips := float64(hi.cost.Cost()) / float64(rtt)
			c.Reason += fmt.Sprintf(": its set-up takes ≈ %.1f round trips, so ~%s needs an RTT near %s", trips, results.Dur(nominal), time.Duration(float64(nominal)/(trips+1)).Round(time.Millisecond))
		}
	}
	return c
}

// sessionClaim checks "TLS session reuse (handshake only once)": the tuned
// factory has no session cache, so every connection it dials pays a full
// handshake; the setup probe measures what resumption would save.
func sessionClaim(rs Runs) results.Claim {
	var c results.Claim
	r := rs.Results
	var pick *Run
	for _, u := range rs.All() {
		t := u.Candidate()
		if t == nil || !u.Scenario.Conditions.TLS {
			continue
		}
		if pick == nil || t.Total.Client.TLSHandshakes > pick.Candidate().Total.Client.TLSHandshakes {
			pick = &u
		}
	}
	if pick == nil {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no TLS scenario ran tuned"
		return c
	}
	u := *pick
	t := u.Candidate().Total
	c.Measured = fmt.Sprintf("tuned made %s TLS handshakes (%s resumed) for %s requests after its warm-up", results.Int(t.Client.TLSHandshakes), results.Int(t.Client.TLSResumed), results.Int(t.Requests))
	c.Conditions = u.Where()
	// What resumption buys, from the set-up probe with the largest saving.
	var best *results.SetupCost
	var bestWhere string
	for _, p := range setupPoints(r) {
		if p.cost.ResumedP50 > 0 && (best == nil || p.cost.FreshP50-p.cost.ResumedP50 > best.FreshP50-best.ResumedP50) {
			cost := p.cost
			best, bestWhere = &cost, p.Label
		}
	}
	if best != nil {
		c.Measured += fmt.Sprintf("; a new connection with a full handshake %s vs %s when it resumes a session (p50, %s)", results.Dur(best.FreshP50), results.Dur(best.ResumedP50), bestWhere)
	}
	if res := resumeEvidence(rs); res != "" {
		c.Measured += "; " + res
	}
	if t.Client.TLSHandshakes == 0 {
		c.Verdict = VerdictHolds
		c.Reason = "tuned kept its connections, so each handshake happened once, in the warm-up"
		return c
	}
	c.Verdict = VerdictHoldsOnlyWhen
	c.Reason = fmt.Sprintf("every connection stays in the pool (at most %d in flight per host, none idle for 90 s): the factory sets no ClientSessionCache, so each connection it dials again pays a full handshake; a session cache (tuned-resume) makes those resumptions", seedFactory.PoolSize)
	return c
}

// resumeEvidence reports how many handshakes a session-caching arm resumed.
func resumeEvidence(rs Runs) string {
	var hs, resumed int64
	for _, u := range rs.All() {
		if a := u.Arm(seedFactory.Resume); a != nil {
			hs += a.Total.Client.TLSHandshakes
			resumed += a.Total.Client.TLSResumed
		}
	}
	if hs == 0 {
		return ""
	}
	return fmt.Sprintf("tuned-resume resumed %s of its %s handshakes", results.Int(resumed), results.Int(hs))
}
