package transport

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Protocol names as net/http's Response.Proto spells them, the keys of
// Tracer's protocol counts. reports/results keeps a copy for the results it
// records; names_test.go holds the two equal.
const (
	ProtoHTTP11 = "HTTP/1.1"
	ProtoHTTP2  = "HTTP/2.0"
)

// Range of the connection-wait histogram, in microseconds: 1 µs to 1 hour at 3
// significant figures.
const (
	connWaitMin     = 1
	connWaitMax     = int64(time.Hour / time.Microsecond)
	connWaitSigFigs = 3
)

// Tracer counts connection events of the requests that pass through Wrap, using
// net/http/httptrace. Its hooks may run concurrently and after a request has
// returned, so every counter is an atomic; a Tracer is safe for concurrent use.
type Tracer struct {
	// base anchors the monotonic clock; times are stored as nanoseconds since base,
	// plus one so that zero means "not set".
	base time.Time

	requests, connsReused, connsNew, connsWasIdle atomic.Int64
	dials, dialErrors                             atomic.Int64
	tlsHandshakes, tlsResumed, tlsErrors          atomic.Int64
	idleReturned, idleRejected                    atomic.Int64
	connWait, connWaitMax, ttfb, ttfbCount        atomic.Int64
	// Responses by negotiated protocol: HTTP/1.1 and HTTP/2.0 on atomics,
	// anything else (HTTP/1.0, HTTP/3 through another RoundTripper) in other.
	protoH1, protoH2 atomic.Int64
	protoMu          sync.Mutex
	protoOther       map[string]int64
	// tlsSeen is the last successful handshake's version and server name
	// (under protoMu).
	tlsSeen TLSSeen

	// waits is the distribution of GetConn→GotConn waits since the tracer was
	// made, in microseconds; waitBase is its copy at the last ResetConnWaits
	// (nil: none), so one histogram serves a window and the cumulative
	// Prometheus export alike.
	waitMu   sync.Mutex
	waits    *hdrhistogram.Histogram
	waitBase *hdrhistogram.Histogram

	// Hooks that need no per-request state are built once, so a request pays no
	// allocation for them.
	connectDone      func(network, addr string, err error)
	tlsHandshakeDone func(tls.ConnectionState, error)
	putIdleConn      func(err error)

	// states recycles per-request state, with its ClientTrace and the hooks bound
	// to it, across round trips that completed.
	states sync.Pool
}

// TraceStats is a snapshot of a Tracer's counters. Fields are read one by one while
// requests may run, so a snapshot taken under load is not one instant; take it after
// the load has stopped for exact totals.
type TraceStats struct {
	Requests     int64 // round trips started through the wrapper
	ConnsReused  int64 // GotConn with Reused: a pooled connection was used
	ConnsNew     int64 // GotConn without Reused: a connection was dialed for the request
	ConnsWasIdle int64 // GotConn with WasIdle: the connection came from the idle pool
	// Dials counts successful TCP connects (ConnectDone with a nil error). With Happy
	// Eyeballs one dial may start more than one connect attempt; failed attempts count
	// in DialErrors.
	Dials         int64
	DialErrors    int64
	TLSHandshakes int64 // TLSHandshakeDone with a nil error
	TLSResumed    int64 // of TLSHandshakes, those that resumed a session
	TLSErrors     int64 // TLSHandshakeDone with an error
	// IdleReturned counts connections put back in the idle pool (PutIdleConn with a
	// nil error); IdleRejected counts connections the pool refused and closed, e.g.
	// because MaxIdleConnsPerHost idle connections were already there. HTTP/1 only.
	IdleReturned int64
	IdleRejected int64
	// ConnWait sums, over requests, the time from GetConn to GotConn: time spent
	// dialing or waiting for a free connection. ConnWaitMax is the longest.
	ConnWait    time.Duration
	ConnWaitMax time.Duration
	// TTFB sums, over TTFBCount requests, the time from GetConn to the first byte of
	// the response.
	TTFB      time.Duration
	TTFBCount int64
	// Protocols counts responses by the protocol they arrived on, as
	// Response.Proto names it ("HTTP/1.1", "HTTP/2.0"); nil when none arrived.
	Protocols map[string]int64
	// TLS is what the last successful handshake since the tracer was made
	// negotiated (zero without one); Sub keeps the later snapshot's, so a
	// window that reused its connections still says what they speak.
	TLS TLSSeen
}

// TLSSeen is what a TLS handshake negotiated, as the client saw it.
type TLSSeen struct {
	// Version is e.g. "TLS 1.3" (tls.VersionName).
	Version string
	// ServerName is the name the client asked for (SNI; "" for an IP
	// address), and Certificate the server certificate's first DNS name,
	// else its subject's common name.
	ServerName, Certificate string
	// ALPN is the application protocol negotiated ("h2", "http/1.1", "").
	ALPN string
}

// NewTracer returns a Tracer with all counters at zero.
func NewTracer() *Tracer {
	t := &Tracer{base: time.Now(), waits: hdrhistogram.New(connWaitMin, connWaitMax, connWaitSigFigs)}
	t.connectDone = func(_, _ string, err error) {
		if err != nil {
			t.dialErrors.Add(1)
			return
		}
		t.dials.Add(1)
	}
	t.tlsHandshakeDone = func(cs tls.ConnectionState, err error) {
		if err != nil {
			t.tlsErrors.Add(1)
			return
		}
		t.tlsHandshakes.Add(1)
		if cs.DidResume {
			t.tlsResumed.Add(1)
		}
		seen := TLSSeen{Version: tls.VersionName(cs.Version), ServerName: cs.ServerName, ALPN: cs.NegotiatedProtocol}
		if len(cs.PeerCertificates) > 0 {
			leaf := cs.PeerCertificates[0]
			seen.Certificate = leaf.Subject.CommonName
			if len(leaf.DNSNames) > 0 {
				seen.Certificate = leaf.DNSNames[0]
			}
		}
		t.protoMu.Lock()
		t.tlsSeen = seen
		t.protoMu.Unlock()
	}
	t.putIdleConn = func(err error) {
		if err != nil {
			t.idleRejected.Add(1)
			return
		}
		t.idleReturned.Add(1)
	}
	return t
}

// Stats returns a snapshot of the counters.
func (t *Tracer) Stats() TraceStats {
	return TraceStats{
		Requests:      t.requests.Load(),
		ConnsReused:   t.connsReused.Load(),
		ConnsNew:      t.connsNew.Load(),
		ConnsWasIdle:  t.connsWasIdle.Load(),
		Dials:         t.dials.Load(),
		DialErrors:    t.dialErrors.Load(),
		TLSHandshakes: t.tlsHandshakes.Load(),
		TLSResumed:    t.tlsResumed.Load(),
		TLSErrors:     t.tlsErrors.Load(),
		IdleReturned:  t.idleReturned.Load(),
		IdleRejected:  t.idleRejected.Load(),
		ConnWait:      time.Duration(t.connWait.Load()),
		ConnWaitMax:   time.Duration(t.connWaitMax.Load()),
		TTFB:          time.Duration(t.ttfb.Load()),
		TTFBCount:     t.ttfbCount.Load(),
		Protocols:     t.protocols(),
		TLS:           t.lastTLS(),
	}
}

func (t *Tracer) lastTLS() TLSSeen {
	t.protoMu.Lock()
	defer t.protoMu.Unlock()
	return t.tlsSeen
}

func (t *Tracer) protocols() map[string]int64 {
	var m map[string]int64
	add := func(proto string, n int64) {
		if n == 0 {
			return
		}
		if m == nil {
			m = make(map[string]int64, 2)
		}
		m[proto] += n
	}
	add(ProtoHTTP11, t.protoH1.Load())
	add(ProtoHTTP2, t.protoH2.Load())
	t.protoMu.Lock()
	for p, n := range t.protoOther {
		add(p, n)
	}
	t.protoMu.Unlock()
	return m
}

// countProto counts one response by its protocol.
func (t *Tracer) countProto(resp *http.Response) {
	switch {
	case resp.ProtoMajor == 2 && resp.ProtoMinor == 0:
		t.protoH2.Add(1)
	case resp.ProtoMajor == 1 && resp.ProtoMinor == 1:
		t.protoH1.Add(1)
	default:
		t.protoMu.Lock()
		if t.protoOther == nil {
			t.protoOther = map[string]int64{}
		}
		t.protoOther[resp.Proto]++
		t.protoMu.Unlock()
	}
}

// ConnWaits returns a copy of the distribution of connection waits (GetConn to
// GotConn: dialing, or queueing for a connection under MaxConnsPerHost) since the
// tracer was made or last reset, in microseconds. Its p99 is what k6 reports as
// http_req_blocked.
func (t *Tracer) ConnWaits() *hdrhistogram.Histogram {
	t.waitMu.Lock()
	defer t.waitMu.Unlock()
	cur := t.waits.Export()
	if t.waitBase != nil {
		base := t.waitBase.Export()
		for i := range cur.Counts {
			cur.Counts[i] -= base.Counts[i]
		}
	}
	return hdrhistogram.Import(cur)
}

// ResetConnWaits starts a new ConnWaits window, e.g. after a warm-up. The
// cumulative distribution that a Collector exports is not reset.
func (t *Tracer) ResetConnWaits() {
	t.waitMu.Lock()
	t.waitBase = hdrhistogram.Import(t.waits.Export())
	t.waitMu.Unlock()
}

// allConnWaits returns a copy of every wait since the tracer was made.
func (t *Tracer) allConnWaits() *hdrhistogram.Histogram {
	t.waitMu.Lock()
	defer t.waitMu.Unlock()
	return hdrhistogram.Import(t.waits.Export())
}

// Wrap returns a RoundTripper that adds t's ClientTrace to each request's context
// (after any trace already there) and then calls next; nil next means
// http.DefaultTransport. The wrapper forwards CloseIdleConnections to next, so
// http.Client.CloseIdleConnections keeps working.
func (t *Tracer) Wrap(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &tracedRoundTripper{tracer: t, next: next}
}

// now returns nanoseconds since t.base plus one, never zero.
func (t *Tracer) now() int64 { return int64(time.Since(t.base)) + 1 }

type tracedRoundTripper struct {
	tracer *Tracer
	next   http.RoundTripper
}

var _ http.RoundTripper = (*tracedRoundTripper)(nil)

// RoundTrip implements http.RoundTripper.
func (rt *tracedRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	t := rt.tracer
	t.requests.Add(1)
	parent := req.Context()
	if s, ok := parent.Value(boundKey{}).(*requestTrace); ok && s.tracer == t {
		// The caller bound t's trace to its context (Bind): nothing to
		// attach, so no request copy and no context values per request.
		s.getConnAt.Store(0)
		resp, err := rt.next.RoundTrip(req)
		if err == nil {
			t.countProto(resp)
		}
		return resp, err
	}
	if httptrace.ContextClientTrace(parent) != nil {
		// WithClientTrace composes our hooks with the caller's by rewriting
		// them, so this state cannot be recycled.
		s := t.newRequestTrace()
		resp, err := rt.next.RoundTrip(req.WithContext(httptrace.WithClientTrace(parent, &s.trace)))
		if err == nil {
			t.countProto(resp)
		}
		return resp, err
	}
	// Four allocations per request: two context values and a net trace in
	// WithClientTrace, and the request copy. The state with its ClientTrace and
	// hooks comes from a pool; it goes back only after a round trip without an
	// error, when every per-request hook has run (GetConn and GotConn before the
	// connection is used, GotFirstResponseByte before the response is handed
	// over). After an error a read loop may still call a hook, so the state is
	// left to the garbage collector.
	s, _ := t.states.Get().(*requestTrace)
	if s == nil {
		s = t.newRequestTrace()
	}
	s.getConnAt.Store(0)
	resp, err := rt.next.RoundTrip(req.WithContext(httptrace.WithClientTrace(parent, &s.trace)))
	if err == nil {
		t.countProto(resp)
		t.states.Put(s)
	}
	return resp, err
}

// boundKey is the context key under which Bind stores its per-caller state.
type boundKey struct{}

// Bind returns a context derived from ctx that carries t's trace with state of
// its own, for a caller that sends one request at a time through t's wrapper,
// such as a load generator's worker. Requests made with it (or with a context
// derived from it) are traced as Wrap traces any request, but the wrapper
// attaches nothing per request: it saves the request copy and the three
// allocations of httptrace.WithClientTrace on every round trip.
//
// The state is not for concurrent requests: two requests in flight with one
// bound context measure each other's connection waits. After a request that
// failed, call Bind again: a connection's read loop may still call a hook of
// the failed request, and it must not land in the next one's measurement.
func (t *Tracer) Bind(ctx context.Context) context.Context {
	s := t.newRequestTrace()
	return context.WithValue(httptrace.WithClientTrace(ctx, &s.trace), boundKey{}, s)
}

// newRequestTrace returns fresh per-request state with its hooks bound to it; the
// hooks that need no per-request state are shared by all requests of t.
func (t *Tracer) newRequestTrace() *requestTrace {
	s := &requestTrace{tracer: t}
	s.trace = httptrace.ClientTrace{
		GetConn:              s.getConn,
		GotConn:              s.gotConn,
		GotFirstResponseByte: s.gotFirstResponseByte,
		ConnectDone:          t.connectDone,
		TLSHandshakeDone:     t.tlsHandshakeDone,
		PutIdleConn:          t.putIdleConn,
	}
	return s
}

// CloseIdleConnections closes next's idle connections, through the RoundTripper
// next wraps when next has no CloseIdleConnections of its own (see CloseIdle).
func (rt *tracedRoundTripper) CloseIdleConnections() { CloseIdle(rt.next) }

// requestTrace is the state of one round trip. getConnAt is rewritten if the
// transport retries the request on another connection, so waits are measured from
// the last attempt.
type requestTrace struct {
	tracer    *Tracer
	getConnAt atomic.Int64
	trace     httptrace.ClientTrace
}

func (s *requestTrace) getConn(string) { s.getConnAt.Store(s.tracer.now()) }

func (s *requestTrace) gotConn(info httptrace.GotConnInfo) {
	t := s.tracer
	if info.Reused {
		t.connsReused.Add(1)
	} else {
		t.connsNew.Add(1)
	}
	if info.WasIdle {
		t.connsWasIdle.Add(1)
	}
	start := s.getConnAt.Load()
	if start == 0 {
		return
	}
	wait := t.now() - start
	t.connWait.Add(wait)
	t.waitMu.Lock()
	_ = t.waits.RecordValue(max(connWaitMin, min(connWaitMax, wait/int64(time.Microsecond))))
	t.waitMu.Unlock()
	for {
		cur := t.connWaitMax.Load()
		if wait <= cur || t.connWaitMax.CompareAndSwap(cur, wait) {
			break
		}
	}
}

func (s *requestTrace) gotFirstResponseByte() {
	start := s.getConnAt.Load()
	if start == 0 {
		return
	}
	t := s.tracer
	t.ttfb.Add(t.now() - start)
	t.ttfbCount.Add(1)
}

// MeanConnWait is ConnWait divided by the number of connections obtained, 0 when none.
func (s TraceStats) MeanConnWait() time.Duration {
	n := s.ConnsReused + s.ConnsNew
	if n == 0 {
		return 0
	}
	return s.ConnWait / time.Duration(n)
}

// MeanTTFB is TTFB divided by TTFBCount, 0 when none.
func (s TraceStats) MeanTTFB() time.Duration {
	if s.TTFBCount == 0 {
		return 0
	}
	return s.TTFB / time.Duration(s.TTFBCount)
}

// ReusePercent is 100*ConnsReused/(ConnsReused+ConnsNew), 0 when no connection was
// obtained.
func (s TraceStats) ReusePercent() float64 {
	n := s.ConnsReused + s.ConnsNew
	if n == 0 {
		return 0
	}
	return 100 * float64(s.ConnsReused) / float64(n)
}

// Sub returns the counters accumulated since prev, an earlier snapshot of the same
// Tracer. ConnWaitMax is s's: a maximum cannot be subtracted.
func (s TraceStats) Sub(prev TraceStats) TraceStats {
	return TraceStats{
		Requests:      s.Requests - prev.Requests,
		ConnsReused:   s.ConnsReused - prev.ConnsReused,
		ConnsNew:      s.ConnsNew - prev.ConnsNew,
		ConnsWasIdle:  s.ConnsWasIdle - prev.ConnsWasIdle,
		Dials:         s.Dials - prev.Dials,
		DialErrors:    s.DialErrors - prev.DialErrors,
		TLSHandshakes: s.TLSHandshakes - prev.TLSHandshakes,
		TLSResumed:    s.TLSResumed - prev.TLSResumed,
		TLSErrors:     s.TLSErrors - prev.TLSErrors,
		IdleReturned:  s.IdleReturned - prev.IdleReturned,
		IdleRejected:  s.IdleRejected - prev.IdleRejected,
		ConnWait:      s.ConnWait - prev.ConnWait,
		ConnWaitMax:   s.ConnWaitMax,
		TTFB:          s.TTFB - prev.TTFB,
		TTFBCount:     s.TTFBCount - prev.TTFBCount,
		Protocols:     SubCounts(s.Protocols, prev.Protocols),
		TLS:           s.TLS,
	}
}

// SubCounts returns cur minus prev per key, without the keys that end at zero;
// nil when nothing is left.
func SubCounts(cur, prev map[string]int64) map[string]int64 {
	var out map[string]int64
	for k, n := range cur {
		if d := n - prev[k]; d != 0 {
			if out == nil {
				out = make(map[string]int64, len(cur))
			}
			out[k] = d
		}
	}
	return out
}
