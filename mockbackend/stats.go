package mockbackend

import (
	"net/http"
	"sync/atomic"
)

// Stats is a snapshot of the server's own accounting: the ground truth a
// client-side view (httptrace) is compared against. Counters only grow;
// ConnsActive, InFlight and Queued are gauges.
type Stats struct {
	ConnsAccepted int64 // new server-side connections (http.ConnState StateNew)
	ConnsActive   int64 // accepted connections not yet closed or hijacked
	TLSHandshakes int64 // completed server-side TLS handshakes, full plus resumed
	TLSResumed    int64 // the subset of TLSHandshakes that resumed a session
	Requests      int64 // requests received, on any route (including unknown ones)
	InFlight      int64 // requests being handled now, queued ones included
	Queued        int64 // requests waiting for a capacity slot now

	// Routes holds per-route counts keyed by route name (see Server.Routes);
	// requests that matched no route are under RouteUnmatched.
	Routes map[string]RouteStats
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

// TLSFull returns the number of full (not resumed) TLS handshakes.
func (s Stats) TLSFull() int64 { return s.TLSHandshakes - s.TLSResumed }

// Sub returns the counts accumulated since prev: counters are subtracted,
// gauges (ConnsActive, InFlight, Queued) keep the value of s.
func (s Stats) Sub(prev Stats) Stats {
	d := s
	d.ConnsAccepted -= prev.ConnsAccepted
	d.TLSHandshakes -= prev.TLSHandshakes
	d.TLSResumed -= prev.TLSResumed
	d.Requests -= prev.Requests
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

// counters are the server-wide atomics behind Stats.
type counters struct {
	connsAccepted atomic.Int64
	connsClosed   atomic.Int64
	tlsHandshakes atomic.Int64
	tlsResumed    atomic.Int64
	requests      atomic.Int64
	inFlight      atomic.Int64
	queued        atomic.Int64
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
		Requests:      s.ctr.requests.Load(),
		InFlight:      s.ctr.inFlight.Load(),
		Queued:        s.ctr.queued.Load(),
		Routes:        make(map[string]RouteStats, len(s.routes)+1),
	}
	st.ConnsActive = st.ConnsAccepted - s.ctr.connsClosed.Load()
	for _, rt := range s.routes {
		st.Routes[rt.name] = rt.ctr.snapshot()
	}
	st.Routes[RouteUnmatched] = s.unmatched.ctr.snapshot()
	return st
}
