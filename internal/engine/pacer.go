package engine

import (
	"fmt"
	"math"
	"strconv"
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

// ConstantRate paces hits at PerSec requests per second, in floating point:
// hit n (counting from 0) is due at (n+1)/PerSec seconds, as with
// vegeta.ConstantPacer. vegeta.Rate{Freq, Per} cannot hold every rate: a
// Freq rounded to 0 means "as fast as possible", and Per/Freq under 1 ns
// divides by zero. Here every positive finite rate is paced as asked,
// however small; a hit due beyond time.Duration's range is never sent, and
// a rate that is not positive and finite stops the attack at once.
type ConstantRate struct {
	PerSec float64
}

var _ vegeta.Pacer = ConstantRate{}

// Pace returns how long until hit number hits is due (negative when it is
// late) or stop when it never will be.
func (c ConstantRate) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if !(c.PerSec > 0) || math.IsInf(c.PerSec, 1) {
		return 0, true
	}
	due := float64(hits+1) / c.PerSec * float64(time.Second)
	if due >= math.MaxInt64 {
		return 0, true
	}
	return time.Duration(due) - elapsed, false
}

// Rate is PerSec, whatever the elapsed time.
func (c ConstantRate) Rate(time.Duration) float64 { return c.PerSec }

// String describes the pacer: ConstantRate{PerSec: 0.5} is "constant 0.5/s".
func (c ConstantRate) String() string {
	return "constant " + strconv.FormatFloat(c.PerSec, 'g', -1, 64) + "/s"
}

// checkPacer refuses a ConstantRate that is not positive and finite, and
// the vegeta constant pacers that do not pace: Freq or
// Per of 0 means an unlimited rate to vegeta, and Per/Freq under 1 ns
// divides by zero in its Pace.
func checkPacer(p vegeta.Pacer) error {
	if cr, ok := p.(ConstantRate); ok && (!(cr.PerSec > 0) || math.IsInf(cr.PerSec, 1)) {
		return fmt.Errorf("attack: open model: rate %v/s: want a rate > 0 and finite", cr.PerSec)
	}
	cp, ok := p.(vegeta.ConstantPacer)
	if !ok {
		return nil
	}
	if cp.Freq <= 0 || cp.Per <= 0 {
		return fmt.Errorf("attack: open model: pacer %v: Freq and Per must be > 0 (vegeta reads 0 as an unlimited rate)", cp)
	}
	if cp.Per.Nanoseconds() < int64(cp.Freq) {
		return fmt.Errorf("attack: open model: pacer %v: more than one hit per nanosecond cannot be paced", cp)
	}
	return nil
}
