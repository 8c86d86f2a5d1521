package engine

import (
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// dueRing is the number of due times remembered. It must exceed the number of
// hits in flight at once (bounded by MaxWorkers) so a result always finds its own.
const dueRing = 1 << 16

// duePacer wraps a vegeta.Pacer to bound the attack in hit count and to
// remember when each hit was due, so the open model can measure response time
// from the intended send time (as wrk2 does) instead of from vegeta's
// Result.Timestamp, which is when a worker picked the hit up.
type duePacer struct {
	inner   vegeta.Pacer
	maxHits uint64
	dues    []atomic.Int64 // offset from the attack start, by hit number mod dueRing
}

var _ vegeta.Pacer = (*duePacer)(nil)

func newDuePacer(inner vegeta.Pacer, maxHits uint64) *duePacer {
	return &duePacer{inner: inner, maxHits: maxHits, dues: make([]atomic.Int64, dueRing)}
}

// Pace is called by vegeta's single scheduling goroutine once per hit, with
// hits = the number already sent: the hit it paces is number hits, and it is
// due at elapsed+wait.
func (p *duePacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if hits >= p.maxHits {
		return 0, true
	}
	wait, stop := p.inner.Pace(elapsed, hits)
	if !stop {
		due := elapsed + wait
		if wait == 0 {
			// vegeta's pacers answer 0 when running behind without saying by
			// how much; find the due time itself.
			due = p.search(elapsed, hits)
		}
		p.dues[hits%dueRing].Store(int64(due))
	}
	return wait, stop
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

// Rate reports the inner pacer's rate.
func (p *duePacer) Rate(elapsed time.Duration) float64 { return p.inner.Rate(elapsed) }

// due returns when hit seq was due, as an offset from the attack start.
// vegeta numbers results in pick-up order, which equals pacing order except
// when two workers race for adjacent hits; the error is then one interval.
func (p *duePacer) due(seq uint64) time.Duration {
	return time.Duration(p.dues[seq%dueRing].Load())
}
