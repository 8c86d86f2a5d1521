package mockbackend

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"
)

// Per-request latency override, as fortio's echo server allows: a Go
// duration in the header or the query parameter replaces the route's model.
const (
	LatencyHeader      = "X-Mock-Latency"
	LatencyQuery       = "latency"
	MaxLatencyOverride = 5 * time.Minute
)

// z99 is the standard normal quantile at 0.99: p99 = p50 · exp(σ·z99) for a
// lognormal, p99 = p50 + σ·z99 for a normal.
const z99 = 2.3263478740408408

// sampler draws latencies from a compiled Distribution.
type sampler struct {
	kind     string
	fixed    time.Duration
	a, b     float64 // uniform: min, max; normal: mean, sd (ns); lognormal: mu, sigma (ln ns)
	capLimit time.Duration
}

// newSampler compiles d, falling back to fixed fallback when d is unset.
func newSampler(d Distribution, fallback time.Duration) sampler {
	sp := sampler{kind: d.Kind, capLimit: d.Cap}
	switch d.Kind {
	case "", DistFixed:
		sp.kind = DistFixed
		sp.fixed = fallback
		if d.Kind == DistFixed {
			sp.fixed = d.Value
		}
	case DistUniform:
		sp.a, sp.b = float64(d.Min), float64(d.Max)
	case DistNormal:
		if d.P50 > 0 || d.P99 > 0 {
			sp.a, sp.b = float64(d.P50), float64(d.P99-d.P50)/z99
		} else {
			sp.a, sp.b = float64(d.Mean), float64(d.StdDev)
		}
	case DistLogNormal:
		sp.a = math.Log(float64(d.P50))
		sp.b = (math.Log(float64(d.P99)) - sp.a) / z99
	}
	return sp
}

// random reports whether sampling consumes random numbers.
func (sp sampler) random() bool { return sp.kind != DistFixed }

func (sp sampler) sample(rng *rand.Rand) time.Duration {
	var v float64
	switch sp.kind {
	case DistFixed:
		return sp.fixed
	case DistUniform:
		v = sp.a + rng.Float64()*(sp.b-sp.a)
	case DistNormal:
		v = sp.a + rng.NormFloat64()*sp.b
	case DistLogNormal:
		v = math.Exp(sp.a + rng.NormFloat64()*sp.b)
	}
	d := time.Duration(math.Max(v, 0))
	if sp.capLimit > 0 && d > sp.capLimit {
		d = sp.capLimit
	}
	return d
}

// latencyOverride reads the per-request override; ok is false when absent.
func latencyOverride(r *http.Request) (d time.Duration, ok bool, err *fieldError) {
	field, raw := LatencyHeader, r.Header.Get(LatencyHeader)
	if raw == "" && r.URL.RawQuery != "" {
		field, raw = LatencyQuery, r.URL.Query().Get(LatencyQuery)
	}
	if raw == "" {
		return 0, false, nil
	}
	d, perr := time.ParseDuration(raw)
	if perr != nil || d < 0 || d > MaxLatencyOverride {
		return 0, false, badField(field, "%q is invalid; valid: a Go duration from 0 to %v, e.g. 25ms", raw, MaxLatencyOverride)
	}
	return d, true, nil
}

// sleep waits d without blocking shutdown: it returns false early when the
// request's context ends (client gone) or the server is force-closing. A
// timer, not time.Sleep, so a cancelled request frees its goroutine at once.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	start := time.Now()
	deadline := start.Add(d)
	coarse := d
	if s.cfg.PreciseLatency {
		coarse -= s.timerLate.get()
	}
	if coarse > 0 {
		t := time.NewTimer(coarse)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return false
		case <-s.closing:
			return false
		}
		if s.cfg.PreciseLatency {
			s.timerLate.observe(time.Since(start) - coarse)
		}
	}
	// Go's timers fire a few hundred microseconds to a millisecond late (on
	// Linux the runtime's poller sleeps in whole milliseconds). PreciseLatency
	// starts the timer early by the median lateness learned so far and yields
	// through what is left, so the median wait lands on the deadline while
	// the yielding, which keeps a P busy, stays short.
	for s.cfg.PreciseLatency && time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return false
		}
		runtime.Gosched()
	}
	return true
}

// lateness tracks the median of how late timers fire, by stochastic
// approximation: each observation moves the estimate one small step towards
// it, so a rare long stall moves it no further than a small delay does.
type lateness struct{ v atomic.Int64 }

const (
	latenessStep = int64(10 * time.Microsecond)
	latenessMax  = int64(2 * time.Millisecond)
	// latenessStart is where the estimate begins: a typical lateness on an
	// idle Linux machine.
	latenessStart = int64(500 * time.Microsecond)
)

func (l *lateness) get() time.Duration { return time.Duration(l.v.Load() + latenessStart) }

// observe moves the estimate one step towards late: up when late is above
// it, down otherwise, which settles where half the observations lie below.
func (l *lateness) observe(late time.Duration) {
	for {
		cur := l.v.Load()
		next := cur + latenessStep
		if int64(late) < cur+latenessStart {
			next = cur - latenessStep
		}
		if next+latenessStart < 0 || next+latenessStart > latenessMax {
			return
		}
		if l.v.CompareAndSwap(cur, next) {
			return
		}
	}
}

// abortWait is called when a wait in a handler ended early, because the
// client gave up or the server is force-closing: the response is aborted
// (connection closed, or h2 stream reset) rather than let net/http send an
// implicit empty 200, which a client whose deadline just passed could still
// read as a success. ServeHTTP records the request as StatusClientClosed.
func abortWait() {
	panic(http.ErrAbortHandler)
}
