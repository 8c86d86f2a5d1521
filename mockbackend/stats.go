package mockbackend

import (
	"net/http"
	"sync"
	"sync/atomic"
)

// Stats is a snapshot of the server's own accounting: the ground truth a
// client-side view (httptrace) is compared against. Counters only grow;
// ConnsActive, InFlight and Queued are gauges; ConnsPeak is a running maximum.
type Stats struct {
	ConnsAccepted int64 // new server-side connections (http.ConnState StateNew)
	ConnsActive   int64 // accepted connections not yet closed or hijacked
	ConnsPeak     int64 // highest ConnsActive since Start or the last Server.ResetConnsPeak
	TLSHandshakes int64 // completed server-side TLS handshakes, full plus resumed
	TLSResumed    int64 // the subset of TLSHandshakes that resumed a session
	Requests      int64 // requests received, on any route (including unknown ones)
	InFlight      int64 // requests being handled now, queued ones included
	Queued        int64 // requests waiting for a capacity slot now

	// InflightRejectedReadOnly and InflightRejectedMutating count the
	// requests answered 429 by flow control (MaxRequestsInflight and
	// MaxMutatingRequestsInflight), as kube-apiserver's
	// apiserver_dropped_requests_total by request_kind.
	InflightRejectedReadOnly int64
	InflightRejectedMutating int64

	// Routes holds per-route counts keyed by route name (see Server.Routes);
	// requests that matched no route are under RouteUnmatched.
	Routes map[string]RouteStats

	// Protocols counts the same requests as Requests by protocol, keyed by
	// http.Request.Proto exactly as net/http reports it: "HTTP/1.1",
	// "HTTP/2.0" (h2 and h2c alike), "HTTP/1.0". It holds only non-zero
	// counts and is nil when there are none, in Server.Stats and Sub alike.
	Protocols map[string]int64
}

// RouteStats is the accounting of one route.
type RouteStats struct {
	Requests int64         // requests that reached the route
	Codes    map[int]int64 // responses by status code; StatusClientClosed when the client left first
	InFlight int64         // gauge: being handled now (queued included)
	Queued   int64         // gauge: waiting for a capacity slot
}

// StatusClientClosed is the code recorded when a client gave up (or the server
// shut down) before the handler wrote a response, after nginx's 499.
const StatusClientClosed = 499

// RouteUnmatched is the route name under which requests matching no route
// (404, 405) are counted.
const RouteUnmatched = "unmatched"

// InflightRejected is the number of requests flow control answered 429,
// both kinds.
func (s Stats) InflightRejected() int64 {
	return s.InflightRejectedReadOnly + s.InflightRejectedMutating
}

// TLSFull returns the number of full (not resumed) TLS handshakes.
func (s Stats) TLSFull() int64 { return s.TLSHandshakes - s.TLSResumed }

// Sub returns the counts accumulated since prev: counters are subtracted
// (Protocols per key, dropping keys whose difference is zero), gauges
// (ConnsActive, InFlight, Queued) keep the value of s, and so does ConnsPeak:
// a maximum cannot be subtracted, so it stays the peak since Start or the last
// Server.ResetConnsPeak — call that when taking prev to get the peak of the
// interval.
func (s Stats) Sub(prev Stats) Stats {
	d := s
	d.Protocols = subCounts(s.Protocols, prev.Protocols)
	d.ConnsAccepted -= prev.ConnsAccepted
	d.TLSHandshakes -= prev.TLSHandshakes
	d.TLSResumed -= prev.TLSResumed
	d.Requests -= prev.Requests
	d.InflightRejectedReadOnly -= prev.InflightRejectedReadOnly
	d.InflightRejectedMutating -= prev.InflightRejectedMutating
	d.Routes = make(map[string]RouteStats, len(s.Routes))
	for name, rs := range s.Routes {
		p := prev.Routes[name]
		out := RouteStats{Requests: rs.Requests - p.Requests, InFlight: rs.InFlight, Queued: rs.Queued}
		for code, n := range rs.Codes {
			if n -= p.Codes[code]; n != 0 {
				if out.Codes == nil {
					out.Codes = make(map[int]int64)
				}
				out.Codes[code] = n
			}
		}
		d.Routes[name] = out
	}
	return d
}

// subCounts returns a - b per key, over the keys of both, without the zero
// differences; nil when none is left.
func subCounts(a, b map[string]int64) map[string]int64 {
	var d map[string]int64
	put := func(k string, n int64) {
		if n != 0 {
			if d == nil {
				d = make(map[string]int64)
			}
			d[k] = n
		}
	}
	for k, n := range a {
		put(k, n-b[k])
	}
	for k, n := range b {
		if _, ok := a[k]; !ok {
			put(k, -n)
		}
	}
	return d
}

// counters are the server-wide atomics behind Stats.
type counters struct {
	connsAccepted atomic.Int64
	connsActive   atomic.Int64 // accepted minus closed or hijacked; one atomic, so the peak sees exact values
	connsPeak     atomic.Int64
	tlsHandshakes atomic.Int64
	tlsResumed    atomic.Int64
	requests      atomic.Int64
	inFlight      atomic.Int64
	queued        atomic.Int64

	protos protoCounters
}

// protoCounters count requests by protocol: atomics for the two protocols a
// benchmark uses, a locked map for the rest. net/http hands a handler only
// HTTP/1.x (x a single digit) and HTTP/2.0, so the map stays tiny.
type protoCounters struct {
	http11 atomic.Int64
	http20 atomic.Int64

	mu    sync.Mutex
	other map[string]int64
}

func (c *protoCounters) record(r *http.Request) {
	// The Proto checks only guard against hand-built requests (ServeHTTP
	// called directly) whose Proto disagrees with the version numbers: the
	// key is always r.Proto.
	switch {
	case r.ProtoMajor == 1 && r.ProtoMinor == 1 && r.Proto == "HTTP/1.1":
		c.http11.Add(1)
	case r.ProtoMajor == 2 && r.ProtoMinor == 0 && r.Proto == "HTTP/2.0":
		c.http20.Add(1)
	default:
		c.mu.Lock()
		if c.other == nil {
			c.other = make(map[string]int64)
		}
		c.other[r.Proto]++
		c.mu.Unlock()
	}
}

// snapshot returns the non-zero counts, nil when there are none.
func (c *protoCounters) snapshot() map[string]int64 {
	var m map[string]int64
	put := func(k string, n int64) {
		if n != 0 {
			if m == nil {
				m = make(map[string]int64)
			}
			m[k] = n
		}
	}
	put("HTTP/1.1", c.http11.Load())
	put("HTTP/2.0", c.http20.Load())
	c.mu.Lock()
	for k, n := range c.other {
		put(k, n)
	}
	c.mu.Unlock()
	return m
}

// connOpened counts a new connection and raises the peak to the active count
// it makes.
func (c *counters) connOpened() {
	c.connsAccepted.Add(1)
	c.raisePeak(c.connsActive.Add(1))
}

func (c *counters) connClosed() {
	c.connsActive.Add(-1)
}

// raisePeak sets the peak to n unless it is already at least n.
func (c *counters) raisePeak(n int64) {
	for {
		p := c.connsPeak.Load()
		if n <= p || c.connsPeak.CompareAndSwap(p, n) {
			return
		}
	}
}

// maxStatus bounds the per-code counter array; net/http rejects codes above 999.
const maxStatus = 1000

// routeCounters are the per-route atomics behind RouteStats. A fixed array of
// per-code counters keeps the hot path free of maps and locks.
type routeCounters struct {
	requests atomic.Int64
	inFlight atomic.Int64
	queued   atomic.Int64
	codes    [maxStatus]atomic.Int64
}

func (c *routeCounters) record(code int) {
	if code <= 0 || code >= maxStatus {
		code = http.StatusInternalServerError
	}
	c.codes[code].Add(1)
}

func (c *routeCounters) snapshot() RouteStats {
	rs := RouteStats{Requests: c.requests.Load(), InFlight: c.inFlight.Load(), Queued: c.queued.Load()}
	for code := range c.codes {
		if n := c.codes[code].Load(); n != 0 {
			if rs.Codes == nil {
				rs.Codes = make(map[int]int64)
			}
			rs.Codes[code] = n
		}
	}
	return rs
}

// Stats returns a snapshot of the server's counters. Counters are read one by
// one, so a snapshot taken under load is not atomic across fields.
func (s *Server) Stats() Stats {
	st := Stats{
		ConnsAccepted: s.ctr.connsAccepted.Load(),
		TLSHandshakes: s.ctr.tlsHandshakes.Load(),
		TLSResumed:    s.ctr.tlsResumed.Load(),
		ConnsActive:   s.ctr.connsActive.Load(),
		ConnsPeak:     s.ctr.connsPeak.Load(),
		Requests:      s.ctr.requests.Load(),
		InFlight:      s.ctr.inFlight.Load(),
		Queued:        s.ctr.queued.Load(),

		InflightRejectedReadOnly: s.flow.rejectedReadOnly.Load(),
		InflightRejectedMutating: s.flow.rejectedMutating.Load(),
		Routes:                   make(map[string]RouteStats, len(s.routes)+1),
		Protocols:                s.ctr.protos.snapshot(),
	}
	for _, rt := range s.routes {
		st.Routes[rt.name] = rt.ctr.snapshot()
	}
	st.Routes[RouteUnmatched] = s.unmatched.ctr.snapshot()
	return st
}

// ResetConnsPeak sets Stats.ConnsPeak to the number of connections open now,
// so the next peak read is the highest of the interval that starts here.
// Connections opened while it runs may or may not raise the new peak, but the
// peak never ends below the active count it saw last.
func (s *Server) ResetConnsPeak() {
	s.ctr.connsPeak.Store(s.ctr.connsActive.Load())
	// A connection opened between the load and the store raised the old
	// peak, which the store overwrote: take it into account again.
	s.ctr.raisePeak(s.ctr.connsActive.Load())
}
