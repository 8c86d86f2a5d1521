package engine

import (
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// duePacer wraps a vegeta.Pacer to bound the attack in hit count and to say
// when each hit is due, so the open model measures response time from the
// intended send time (as wrk2 does), not from when a worker picked the hit
// up.
type duePacer struct {
	inner   vegeta.Pacer
	maxHits uint64
}

func newDuePacer(inner vegeta.Pacer, maxHits uint64) *duePacer {
	return &duePacer{inner: inner, maxHits: maxHits}
}

// next paces hit number hits (the number already sent) at elapsed: how long
// to wait before sending it, when it is due as an offset from the attack
// start, and whether the attack is over.
func (p *duePacer) next(elapsed time.Duration, hits uint64) (wait, due time.Duration, stop bool) {
	if hits >= p.maxHits {
		return 0, 0, true
	}
	wait, stop = p.inner.Pace(elapsed, hits)
	if stop {
		return 0, 0, true
	}
	due = elapsed + wait
	if wait == 0 {
		// vegeta's pacers answer 0 when running behind without saying by
		// how much; find the due time itself.
		due = p.search(elapsed, hits)
	}
	return wait, due, false
}

// search finds, to the microsecond, the earliest elapsed time at which the
// inner pacer lets hit number hits go (wait <= 0). Pace is monotonic in
// elapsed for vegeta's pacers, so bisection applies.
func (p *duePacer) search(elapsed time.Duration, hits uint64) time.Duration {
	lo, hi := time.Duration(0), elapsed
	for hi-lo > time.Microsecond {
		mid := lo + (hi-lo)/2
		if wait, _ := p.inner.Pace(mid, hits); wait <= 0 {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}
