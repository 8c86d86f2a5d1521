package scenarios

import (
	"fmt"
	"strings"

	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/targets/transport"
)

// A limiter bounded a run when the requests sent reach
// limiterBoundPct of what its bucket lets through in the run (qps × wall +
// burst), or when the requests spent limiterWaitPct of their time waiting
// for a token.
const (
	limiterBoundPct = 95
	limiterWaitPct  = 50
)

// limiterLoad is an arm-repetition's limiter in results, judged against
// its summary s.
func limiterLoad(w transport.LimiterWaits, s results.Summary) *results.Limiter {
	l := &results.Limiter{QPS: w.QPS, Burst: w.Burst, Waited: w.Count, WaitTotal: w.Total,
		WaitP50: w.P50, WaitP99: w.P99, WaitMax: w.Max}
	if busy := s.Latency.Mean.Seconds() * float64(s.Requests); busy > 0 {
		l.WaitPct = min(100, 100*w.Total.Seconds()/busy)
	}
	allowed := w.QPS*s.Wall.Seconds() + float64(w.Burst)
	var why []string
	if allowed > 0 && float64(s.Requests) >= limiterBoundPct/100.0*allowed {
		why = append(why, fmt.Sprintf("sent %d requests of the %.0f its bucket allows in %s (qps %s × %s + burst %d)",
			s.Requests, allowed, results.Dur(s.Wall), ftoa(w.QPS), results.Dur(s.Wall), w.Burst))
	}
	if l.WaitPct >= limiterWaitPct {
		why = append(why, fmt.Sprintf("requests spent %s of their time waiting for a token", results.Pct(l.WaitPct)))
	}
	if len(why) > 0 {
		l.Bounded, l.Reason = true, strings.Join(why, "; ")
	}
	return l
}

// totalLimiter folds an arm's repetitions' limiters: waits summed, the
// worst repetition's percentiles, bounded when any repetition was.
func totalLimiter(reps []results.Rep) *results.Limiter {
	var t *results.Limiter
	var busy float64
	for _, r := range reps {
		l := r.Limiter
		if l == nil {
			continue
		}
		if t == nil {
			t = &results.Limiter{QPS: l.QPS, Burst: l.Burst}
		}
		t.Waited += l.Waited
		t.WaitTotal += l.WaitTotal
		t.WaitP50, t.WaitP99, t.WaitMax = max(t.WaitP50, l.WaitP50), max(t.WaitP99, l.WaitP99), max(t.WaitMax, l.WaitMax)
		busy += r.Latency.Mean.Seconds() * float64(r.Requests)
		if l.Bounded && !t.Bounded {
			t.Bounded, t.Reason = true, fmt.Sprintf("repetition %d: %s", r.Index+1, l.Reason)
		}
	}
	if t != nil && busy > 0 {
		t.WaitPct = min(100, 100*t.WaitTotal.Seconds()/busy)
	}
	return t
}

// limiterNotes say which arms their client-side limiter bounded, and that
// its wait counts in their latency.
func limiterNotes(arms []results.Arm) []string {
	var notes []string
	for _, a := range arms {
		l := a.Total.Limiter
		if l == nil || !l.Bounded {
			continue
		}
		notes = append(notes, fmt.Sprintf("Limited: arm `%s` was bounded by the client-side limiter (client-go token bucket, qps %s, burst %d), not by its transport: %s. "+
			"Its latency includes the wait for a token (p50 %s, p99 %s), as a client-go caller's does.",
			a.Name, ftoa(l.QPS), l.Burst, l.Reason, results.Dur(l.WaitP50), results.Dur(l.WaitP99)))
	}
	return notes
}
