package transport

import (
	"net/http"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"k8s.io/client-go/util/flowcontrol"
)

// Limited is a RoundTripper behind client-go's client-side rate limiter:
// each request first waits in a token bucket
// (flowcontrol.NewTokenBucketRateLimiter), as client-go's Request.Do waits
// in its rest.Config's QPS/Burst limiter before it sends, then goes to the
// wrapped RoundTripper. The wait is part of the request's time, as it is of
// a client-go caller's. One Limited is one bucket: give each client (each
// arm-repetition) its own, as each Clientset has its own.
type Limited struct {
	next    http.RoundTripper
	limiter flowcontrol.RateLimiter
	qps     float64
	burst   int

	mu    sync.Mutex
	waits *hdrhistogram.Histogram // microseconds
	total time.Duration
}

var _ http.RoundTripper = (*Limited)(nil)

// NewLimited puts a token bucket of qps requests per second and burst
// requests (at least 1) in front of next.
func NewLimited(next http.RoundTripper, qps float64, burst int) *Limited {
	burst = max(burst, 1)
	return &Limited{
		next:    next,
		limiter: flowcontrol.NewTokenBucketRateLimiter(float32(qps), burst),
		qps:     qps,
		burst:   burst,
		waits:   hdrhistogram.New(connWaitMin, connWaitMax, connWaitSigFigs),
	}
}

// RoundTrip waits for a token, then sends req through the wrapped
// RoundTripper. A request whose context ends before it gets a token fails
// unsent with the context's error.
func (l *Limited) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	ctx := req.Context()
	if err := l.limiter.Wait(ctx); err != nil {
		// The bucket refuses at once a wait that would outlast ctx's
		// deadline; the request then ends when ctx does, with its error
		// (the end of a measured window, or a client timeout), as it would
		// have had it waited.
		if _, ok := ctx.Deadline(); ok {
			<-ctx.Done()
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	w := time.Since(start)
	l.mu.Lock()
	l.total += w
	_ = l.waits.RecordValue(max(int64(w/time.Microsecond), connWaitMin))
	l.mu.Unlock()
	return l.next.RoundTrip(req)
}

// WrappedRoundTripper is the RoundTripper behind the limiter, so CloseIdle
// and Base see through it.
func (l *Limited) WrappedRoundTripper() http.RoundTripper { return l.next }

// LimiterWaits is how long the requests that passed a limiter waited in it.
type LimiterWaits struct {
	QPS   float64
	Burst int
	// Count is the requests that got a token; Total is their summed wait.
	Count         int64
	Total         time.Duration
	P50, P99, Max time.Duration
}

// Waits reports the waits so far.
func (l *Limited) Waits() LimiterWaits {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := func(p float64) time.Duration { return time.Duration(l.waits.ValueAtQuantile(p)) * time.Microsecond }
	out := LimiterWaits{QPS: l.qps, Burst: l.burst, Count: l.waits.TotalCount(), Total: l.total}
	if out.Count > 0 {
		out.P50, out.P99, out.Max = q(50), q(99), time.Duration(l.waits.Max())*time.Microsecond
	}
	return out
}
