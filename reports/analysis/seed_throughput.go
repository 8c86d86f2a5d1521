package analysis

import (
	"fmt"
	"sort"

	"github.com/oranbench/oranbench/reports/results"
)

// ratioAtLeast judges "Nx more req/s": whether the candidate's throughput
// over the baseline's reaches x under every condition measured, some, or
// none.
func ratioAtLeast(x float64) RuleFunc {
	return func(rs Runs) results.Claim { return ratioClaim(rs.Pairs(), x) }
}

func ratioClaim(us []Pair, x float64) results.Claim {
	var c results.Claim
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

// realistic reports whether a unit has network and backend latency, the
// seed's "real-world" case.
func realistic(u Pair) bool {
	c := u.Scenario.Conditions
	return c.RTT > 0 && (c.HandlerLatency > 0 || c.Latency != "")
}

// realWorldAtLeast judges "Nx real-world": ratioAtLeast on the runs with
// emulated RTT and backend latency only.
func realWorldAtLeast(x float64) RuleFunc {
	return func(rs Runs) results.Claim { return realWorldClaim(rs.Pairs(), x) }
}

func realWorldClaim(us []Pair, x float64) results.Claim {
	var c results.Claim
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
		if u.Reached(x) {
			in = append(in, u)
		}
	}
	switch {
	case len(in) == len(rw):
		c.Verdict, c.Reason = VerdictHolds, fmt.Sprintf("every realistic condition measured reaches %gx", x)+weakNote(in)
	case len(in) > 0:
		c.Verdict, c.Reason = VerdictHoldsOnlyWhen, listWhere(in, Pair.where)+weakNote(in)
	default:
		c.Verdict = VerdictDoesNotHold
		c.Reason = "with RTT and backend latency, time on the wire and in the handler dominates; a reused connection saves only the handshake share"
	}
	return c
}

// absoluteWithin judges "lo–hi req/s before → lo–hi req/s after" on the
// closed run named scenario, else the first closed run that ran both arms:
// the baseline's req/s must lie in [baseLo, baseHi] and the candidate's in
// [candLo, candHi].
func absoluteWithin(scenario string, baseLo, baseHi, candLo, candHi float64) RuleFunc {
	return func(rs Runs) results.Claim {
		return absoluteClaim(rs.Pairs(), scenario, [2]float64{baseLo, baseHi}, [2]float64{candLo, candHi})
	}
}

func absoluteClaim(us []Pair, scenario string, base, cand [2]float64) results.Claim {
	var c results.Claim
	var pick *Pair
	for i, u := range us {
		if u.Metric != results.MetricReqPerSec {
			continue
		}
		if pick == nil || u.Label == scenario {
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
	case b >= base[0] && b <= base[1] && t >= cand[0] && t <= cand[1]:
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

// idleCapNotActive checks the seed's "25x more connections per host (50
// vs 2)": whether the baseline's idle limit (idle connections per host)
// also limited its active connections.
func idleCapNotActive(idle int) RuleFunc {
	return func(rs Runs) results.Claim { return connsPerHostClaim(rs.Pairs(), idle) }
}

func connsPerHostClaim(us []Pair, idle int) results.Claim {
	var c results.Claim
	u, ok := CorrectionPair(us)
	if !ok {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model scenario with concurrency > 2 ran the default transport"
		return c
	}
	b := u.Base.Total
	c.Measured = fmt.Sprintf("default dialed %s connections for %s requests at concurrency %d; the pool refused %s idle ones",
		results.Int(b.Client.Dials), results.Int(b.Requests), u.Scenario.Conditions.Concurrency, results.Int(b.Client.IdleRejected))
	c.Conditions = u.where()
	if b.Client.Dials > int64(idle)*int64(len(u.Base.Reps)) {
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
		if u.Scenario.Conditions.Model != results.ModelClosed || u.Scenario.Conditions.Concurrency <= 2 {
			continue
		}
		switch {
		case pick == nil, u.Label == seedFactory.Scenario && pick.Label != seedFactory.Scenario:
			pick = &us[i]
		case pick.Label != seedFactory.Scenario && u.Base.Total.Client.Dials > pick.Base.Total.Client.Dials:
			pick = &us[i]
		}
	}
	if pick == nil {
		return Pair{}, false
	}
	return *pick, true
}
