package analysis

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// pooledDialShare is the most dials per request an arm may make after its
// warm-up and still count as holding every connection in its pool.
const pooledDialShare = 0.01

// closedH1 reports whether a run is a closed loop against a backend that
// speaks HTTP/1.1 only (no arm negotiated HTTP/2), where in-flight requests
// equal connections wanted.
func closedH1(s results.Scenario) bool {
	c := ObservedConditions(s)
	return c.Model == results.ModelClosed && !c.HTTP2 && c.Concurrency > 0
}

// concurrencySweep returns the closed HTTP/1.1 runs that ran tuned, of the
// scenario that covers the most distinct concurrencies, sorted by
// concurrency: the pool's cliff as one series.
func concurrencySweep(rs Runs) []Run {
	by := map[string][]Run{}
	var order []string
	for _, u := range rs.All() {
		if !closedH1(u.Scenario) || u.Candidate() == nil {
			continue
		}
		name := u.Scenario.Name
		if _, ok := by[name]; !ok {
			order = append(order, name)
		}
		by[name] = append(by[name], u)
	}
	distinct := func(us []Run) int {
		seen := map[int]bool{}
		for _, u := range us {
			seen[u.Scenario.Conditions.Concurrency] = true
		}
		return len(seen)
	}
	var best []Run
	for _, name := range order {
		if us := by[name]; distinct(us) > distinct(best) {
			best = us
		}
	}
	sort.SliceStable(best, func(i, j int) bool {
		return best[i].Scenario.Conditions.Concurrency < best[j].Scenario.Conditions.Concurrency
	})
	return best
}

// churnText describes what an arm's connections did: "0 dials for 2,745
// requests" or "4,826 dials (1.3 per request), 4,826 TLS handshakes".
func churnText(a *results.Arm) string {
	t := a.Total
	if t.Client.Dials == 0 {
		return fmt.Sprintf("0 dials for %s requests", results.Int(t.Requests))
	}
	s := fmt.Sprintf("%s dials (%.2f per request)", results.Int(t.Client.Dials), DialShare(a))
	if t.Client.TLSHandshakes > 0 {
		s += fmt.Sprintf(", %s TLS handshakes", results.Int(t.Client.TLSHandshakes))
	}
	return s
}

// poolClaim checks "Up to 50 concurrent requests with no queuing" and says
// what happens above 50.
func poolClaim(rs Runs) results.Claim {
	var c results.Claim
	us := concurrencySweep(rs)
	if len(us) == 0 {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model scenario against an HTTP/1.1 backend ran tuned"
		return c
	}
	var pooled, churned []Run
	for _, u := range us {
		if pooledRun(u) {
			pooled = append(pooled, u)
		} else {
			churned = append(churned, u)
		}
	}
	var parts []string
	for _, u := range us {
		t := u.Candidate()
		p := fmt.Sprintf("%d in flight: %s, conn wait p99 %s", u.Scenario.Conditions.Concurrency, churnText(t), results.Dur(t.Total.Client.ConnWaitP99))
		if ratio := ArmRatio(t, u.Baseline(), results.MetricReqPerSec); ratio != "" {
			p += ", " + ratio + " default's req/s"
		}
		parts = append(parts, p)
	}
	c.Measured = "tuned at " + strings.Join(parts, "; ")
	c.Conditions = fmt.Sprintf("%s (%s; %s)", us[0].Scenario.Name, conditionsWithout(us[0].Scenario.Conditions), ProtocolOf(us[0].Candidate()))
	switch {
	case len(churned) == 0:
		c.Verdict = VerdictHolds
		c.Reason = fmt.Sprintf("tuned kept its connections pooled up to %d in flight: %s", us[len(us)-1].Scenario.Conditions.Concurrency, pooledText(us))
	case len(pooled) == 0:
		c.Verdict = VerdictDoesNotHold
		c.Reason = "tuned dialed new connections at every measured concurrency"
	default:
		hi, lo := pooled[len(pooled)-1], churned[0]
		c.Verdict = VerdictHoldsOnlyWhen
		c.Reason = fmt.Sprintf("at most %d requests are in flight per host (%d measured): %s. Above %d (%d measured) it does not queue either: MaxIdleConnsPerHost caps only idle connections, so it dials a connection per extra request and closes it on return, like the default transport above 2",
			hi.Scenario.Conditions.Concurrency, hi.Scenario.Conditions.Concurrency, pooledText(pooled), seedFactory.PoolSize, lo.Scenario.Conditions.Concurrency)
		if capped := lo.Arm(seedFactory.Capped); capped != nil {
			c.Reason += fmt.Sprintf("; with MaxConnsPerHost %d (tuned-capped) the extra requests queue instead: %s, conn wait mean %s / p99 %s, %s tuned's req/s",
				seedFactory.PoolSize, churnText(capped), results.Dur(capped.Total.Client.ConnWaitMean), results.Dur(capped.Total.Client.ConnWaitP99), ArmRatio(capped, lo.Candidate(), results.MetricReqPerSec))
		}
	}
	return c
}

// openingDials is how many of a run's candidate dials opened its pool:
// none after a warm-up (it opened it), one per worker and repetition
// without one.
func openingDials(u Run) int64 {
	if u.Scenario.Conditions.Warmup > 0 {
		return 0
	}
	return int64(len(u.Candidate().Reps) * u.Scenario.Conditions.Concurrency)
}

// pooledRun reports whether the candidate held its connections in its
// pool: the dials it recorded beyond opening the pool are at most
// pooledDialShare of its requests.
func pooledRun(u Run) bool {
	a := u.Candidate()
	extra := max(0, a.Total.Client.Dials-openingDials(u))
	return float64(extra) <= pooledDialShare*float64(a.Total.Requests)
}

// pooledText says what the pooled runs' dials were, as recorded: "it
// dialed nothing after its warm-up", or the count, and how many of them
// opened the pool in runs without a warm-up.
func pooledText(us []Run) string {
	var dials, opening int64
	for _, u := range us {
		dials += u.Candidate().Total.Client.Dials
		opening += openingDials(u)
	}
	switch {
	case dials == 0:
		return "tuned dialed nothing after its warm-up"
	case opening > 0:
		return fmt.Sprintf("tuned dialed %s times, %s of them opening its pool (no warm-up: one per worker and repetition), %s more, at most %.0f%% of its requests",
			results.Int(dials), results.Int(min(dials, opening)), results.Int(max(0, dials-opening)), 100*pooledDialShare)
	}
	return fmt.Sprintf("tuned dialed %s times after its warm-up, at most %.0f%% of its requests", results.Int(dials), 100*pooledDialShare)
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
func busiest(rs Runs, match func(results.Conditions) bool) (Run, bool) {
	var pick *Run
	for _, u := range rs.All() {
		if !match(u.Scenario.Conditions) || u.Candidate() == nil || u.Baseline() == nil {
			continue
		}
		if pick == nil || u.Scenario.Conditions.Concurrency > pick.Scenario.Conditions.Concurrency {
			pick = &u
		}
	}
	if pick == nil {
		return Run{}, false
	}
	return *pick, true
}

// stressAtLeast checks the seed's planned "stress test with 1000+
// concurrent requests" against its 4x: whether the candidate still serves
// x times the baseline's req/s with inFlight or more requests in flight.
func stressAtLeast(inFlight int, x float64) RuleFunc {
	return func(rs Runs) results.Claim { return stressClaim(rs, inFlight, x) }
}

func stressClaim(rs Runs, inFlight int, x float64) results.Claim {
	var c results.Claim
	u, ok := busiest(rs, func(c results.Conditions) bool { return c.Model == results.ModelClosed && c.Concurrency >= inFlight })
	if !ok {
		c.Verdict, c.Reason = VerdictNotMeasurable, fmt.Sprintf("no closed-model scenario ran default and tuned at %d or more in flight", inFlight)
		return c
	}
	base, tuned := u.Baseline(), u.Candidate()
	cmp, ok := CompareArms(*tuned, *base, results.MetricReqPerSec)
	if !ok {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no req/s to compare in "+u.Label
		return c
	}
	c.Measured = fmt.Sprintf("tuned/default req/s %s at %d in flight (%s vs %s req/s); tuned made %s, default %s",
		results.FormatRatioCI(cmp), u.Scenario.Conditions.Concurrency, results.Num(tuned.Total.SuccessPerSec), results.Num(base.Total.SuccessPerSec), churnText(tuned), churnText(base))
	if tw := tuned.Total.Client.TimeWait; tw != nil {
		c.Measured += fmt.Sprintf("; tuned left %s sockets in TIME_WAIT", results.Int(*tw))
		if btw := base.Total.Client.TimeWait; btw != nil {
			c.Measured += fmt.Sprintf(" (default %s)", results.Int(*btw))
		}
		if *tw == 0 && tuned.Total.Client.Dials > 0 && u.Scenario.Conditions.TLS {
			c.Measured += " (over TLS these closes ended in resets, which hold no port, rather than TIME_WAIT)"
		}
	}
	c.Conditions = u.Where() + "; " + ProtocolOf(tuned)
	if cmp.Ratio >= x && cmp.Significant {
		c.Verdict = VerdictHolds
		return c
	}
	c.Verdict = VerdictDoesNotHold
	c.Reason = fmt.Sprintf("with %d requests in flight and a pool of %d, tuned dials and discards connections like default does", u.Scenario.Conditions.Concurrency, seedFactory.PoolSize)
	if capped := u.Arm(seedFactory.Capped); capped != nil {
		c.Reason += fmt.Sprintf("; MaxConnsPerHost %d (tuned-capped) turns that churn into a queue: %s default's req/s, conn wait p99 %s", seedFactory.PoolSize, ArmRatio(capped, base, results.MetricReqPerSec), results.Dur(capped.Total.Client.ConnWaitP99))
	}
	return c
}

// connWaitNear checks "Connection wait (queue) ~50 ms → ~0 ms": the
// baseline's mean wait for a connection within [lo, hi], the candidate's
// below zero.
func connWaitNear(lo, hi, zero time.Duration) RuleFunc {
	return func(rs Runs) results.Claim { return connWaitClaim(rs, lo, hi, zero) }
}

func connWaitClaim(rs Runs, lo, hi, zero time.Duration) results.Claim {
	var c results.Claim
	u, ok := CorrectionPair(rs.Pairs())
	if !ok {
		c.Verdict, c.Reason = VerdictNotMeasurable, "no closed-model scenario with concurrency > 2 ran default and tuned"
		return c
	}
	b, t := u.Base.Total.Client, u.Tuned.Total.Client
	c.Measured = fmt.Sprintf("conn wait mean / p99: default %s / %s, tuned %s / %s", results.Dur(b.ConnWaitMean), results.Dur(b.ConnWaitP99), results.Dur(t.ConnWaitMean), results.Dur(t.ConnWaitP99))
	c.Conditions = u.where()
	// Above the pool: the queue that MaxConnsPerHost creates, for contrast.
	var queued *Run
	for _, x := range concurrencySweep(rs) {
		if a := x.Arm(seedFactory.Capped); a != nil && x.Scenario.Conditions.Concurrency > seedFactory.PoolSize {
			queued = &x
		}
	}
	if queued != nil {
		a := queued.Arm(seedFactory.Capped)
		c.Measured += fmt.Sprintf("; above the pool (%d in flight) tuned %s / %s, tuned-capped %s / %s",
			queued.Scenario.Conditions.Concurrency, results.Dur(queued.Candidate().Total.Client.ConnWaitMean), results.Dur(queued.Candidate().Total.Client.ConnWaitP99),
			results.Dur(a.Total.Client.ConnWaitMean), results.Dur(a.Total.Client.ConnWaitP99))
	}
	tunedZero := t.ConnWaitMean < zero
	defaultNear := b.ConnWaitMean >= lo && b.ConnWaitMean <= hi
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
		c.Reason = strings.TrimPrefix(c.Reason+"; ", "; ") + fmt.Sprintf("a real queue appears only with MaxConnsPerHost, above the pool: that is tuned-capped's wait at %d in flight", queued.Scenario.Conditions.Concurrency)
	}
	return c
}
