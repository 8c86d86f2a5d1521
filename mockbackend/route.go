package mockbackend

import (
	"crypto/subtle"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// handlerFunc is a route handler; a method expression on *Server so the route
// table can be a package-level value.
type handlerFunc func(s *Server, w http.ResponseWriter, r *http.Request)

// routeSpec is one entry of the route table: a catalog route with the
// handler that serves it. Load variants have no handler of their own.
type routeSpec struct {
	Route
	tmpl    pathTemplate
	handler handlerFunc
	load    *loadShape // how a load generator exercises it; nil for none
	plain   bool       // operational route: accounting only, no behaviour or auth
	// long, when set, marks requests that stay open (a watch): like the
	// Kubernetes API server's max-in-flight limit, capacity ignores them.
	long func(*http.Request) bool
	// streams, when set, marks requests answered by a stream that lasts as
	// long as they run (a streamed LLM completion): long-running to flow
	// control, but they take a capacity slot. It may read the body (at
	// most maxBody+1 bytes), and must put it back.
	streams func(r *http.Request, maxBody int64) bool
}

// streaming marks the route's requests for which isStream is true as
// streamed (see routeSpec.streams).
func (rs routeSpec) streaming(isStream func(*http.Request, int64) bool) routeSpec {
	rs.streams = isStream
	return rs
}

// longRunning marks the route's requests for which isLong is true as
// long-running.
func (rs routeSpec) longRunning(isLong func(*http.Request) bool) routeSpec {
	rs.long = isLong
	return rs
}

// route is a routeSpec bound to a Server, with its compiled behaviour and
// counters.
type route struct {
	name    string
	plain   bool
	long    func(*http.Request) bool
	streams func(*http.Request, int64) bool
	// kube marks the Kubernetes API and its discovery: they authenticate
	// and answer errors as a Kubernetes API server does.
	kube    bool
	lat     sampler
	faults  *faultPlan
	limiter *limiter

	rngMu sync.Mutex
	rng   *rand.Rand // nil when nothing random is configured
	ctr   routeCounters
}

// routeTable lists every route the mock serves, grouped by API: the
// catalog's served routes, then the operational ones.
func routeTable() []routeSpec {
	var t []routeSpec
	for _, rs := range catalog().routes {
		if rs.handler != nil {
			t = append(t, rs)
		}
	}
	t = append(t,
		routeSpec{Route: Route{Name: "healthz", Method: http.MethodGet, Pattern: "/healthz"}, handler: (*Server).healthz, plain: true},
		routeSpec{Route: Route{Name: "metrics", Method: http.MethodGet, Pattern: "/metrics"}, handler: (*Server).metrics, plain: true},
	)
	return append(t, discoveryRoutes()...)
}

// RouteNames returns the names of the API routes the mock serves, usable as
// Config.Routes keys and found in Stats.Routes; group names (RouteGroups) are
// the part before the first dot. The catalog (Catalog) also holds load
// variants, which are served by one of these.
func RouteNames() []string {
	var names []string
	for _, rs := range routeTable() {
		if !rs.plain {
			names = append(names, rs.Name)
		}
	}
	return names
}

// servePatterns are the ServeMux patterns of a route: its own, and the same
// under an alias prefix (A1's lower-case spelling).
func servePatterns(rs routeSpec) []string {
	if rs.Method == "" {
		return []string{rs.Pattern} // every method
	}
	out := []string{rs.Method + " " + rs.Pattern}
	for _, a := range prefixAliases {
		if rest, ok := strings.CutPrefix(rs.Pattern, a.prefix); ok {
			out = append(out, rs.Method+" "+a.alias+rest)
		}
	}
	return out
}

// Routes returns the names of all routes of s (API and operational) in
// registration order; these are the keys of Stats.Routes besides
// RouteUnmatched.
func (s *Server) Routes() []string {
	names := make([]string, 0, len(s.routes))
	for _, rt := range s.routes {
		names = append(names, rt.name)
	}
	return names
}

// registerRoutes binds the route table to s with each route's behaviour.
func (s *Server) registerRoutes() {
	limiters := make(map[string]*limiter) // shared per config entry
	plain := make(map[string]*route)      // operational routes of one name share their counters
	for _, rs := range routeTable() {
		rt := &route{name: rs.Name, plain: rs.plain, long: rs.long, streams: rs.streams, kube: isKubeRoute(rs.Name)}
		if !rs.plain {
			s.configureRoute(rt, limiters)
			s.routes = append(s.routes, rt)
		} else if shared, ok := plain[rs.Name]; ok {
			rt = shared
		} else {
			plain[rs.Name] = rt
			s.routes = append(s.routes, rt)
		}
		h := s.wrap(rt, rs.handler)
		for _, p := range servePatterns(rs) {
			s.mux.HandleFunc(p, h)
		}
	}
}

// isKubeRoute reports the routes of the Kubernetes API: Porch's
// Kubernetes-style resource and the discovery documents.
func isKubeRoute(name string) bool {
	return name == "discovery" || strings.HasPrefix(name, "porch.k8s.")
}

// configureRoute resolves latency, faults and capacity from the most
// specific Config entry that sets each: route name, group, then Default.
func (s *Server) configureRoute(rt *route, limiters map[string]*limiter) {
	group, _, _ := strings.Cut(rt.name, ".")
	entries := []struct {
		key string
		b   Behavior
		ok  bool
	}{{key: "route:" + rt.name}, {key: "group:" + group}, {key: "default", b: s.cfg.Default, ok: true}}
	entries[0].b, entries[0].ok = s.cfg.Routes[rt.name]
	entries[1].b, entries[1].ok = s.cfg.Routes[group]

	var dist Distribution
	var faults Faults
	for _, e := range entries {
		if e.ok && e.b.Latency.Kind != "" {
			dist = e.b.Latency
			break
		}
	}
	for _, e := range entries {
		if e.ok && e.b.Faults.any() {
			faults = e.b.Faults
			break
		}
	}
	for _, e := range entries {
		if e.ok && e.b.Capacity.MaxInFlight > 0 {
			l, ok := limiters[e.key]
			if !ok {
				l = newLimiter(e.b.Capacity)
				limiters[e.key] = l
			}
			rt.limiter = l
			break
		}
	}
	rt.lat = newSampler(dist, s.cfg.Latency)
	rt.faults = newFaultPlan(faults)
	if rt.lat.random() || rt.faults != nil {
		// One stream per route, derived from the seed and the route name, so
		// adding a route or reordering the table does not shift the others.
		h := fnv.New64a()
		h.Write([]byte(rt.name))
		rt.rng = rand.New(rand.NewPCG(s.cfg.Seed, h.Sum64()))
	}
}

// draw samples this request's latency and fault. The sequence of draws per
// route is fixed by the seed; which request gets which draw follows arrival
// order.
func (rt *route) draw() (time.Duration, faultKind, int) {
	if rt.rng == nil {
		return rt.lat.fixed, faultNone, 0
	}
	rt.rngMu.Lock()
	lat := rt.lat.sample(rt.rng)
	kind, code := faultNone, 0
	switch {
	case rt.faults == nil:
	case rt.faults.failing():
		kind, code = faultStatus, http.StatusServiceUnavailable
	case len(rt.faults.steps) > 0:
		kind, code = rt.faults.pick(rt.rng.Float64())
	}
	rt.rngMu.Unlock()
	return lat, kind, code
}

// wrap builds the per-request pipeline: accounting → auth → flow control →
// draw (latency, fault) → capacity → latency → fault or handler. Operational
// routes (healthz, metrics) are counted only; discovery is authenticated and
// flow-controlled as by an API server, then served without behaviour.
func (s *Server) wrap(rt *route, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		under := w
		if rec, ok := w.(*recorder); ok {
			rec.route = rt
			under = rec.ResponseWriter
		}
		rt.ctr.requests.Add(1)
		rt.ctr.inFlight.Add(1)
		defer rt.ctr.inFlight.Add(-1)
		if rt.plain && !rt.kube {
			h(s, w, r)
			return
		}
		if s.auth != nil && !s.auth.authenticate(r) {
			writeUnauthorized(w, rt, s.auth)
			return
		}
		if release, ok := s.admitFlow(rt, r); !ok {
			s.writeTooManyRequests(w, rt, r)
			return
		} else if release != nil {
			defer release()
		}
		if rt.plain {
			h(s, w, r)
			return
		}
		lat, fault, code := rt.draw()
		if d, ok, ferr := latencyOverride(r); ferr != nil {
			writeError(w, http.StatusBadRequest, ferr.Field, ferr.Msg)
			return
		} else if ok {
			lat = d
		}
		if rt.limiter != nil && (rt.long == nil || !rt.long(r)) {
			switch rt.limiter.acquire(r.Context(), s.closing, func(d int64) { rt.ctr.queued.Add(d); s.ctr.queued.Add(d) }) {
			case admitted:
				defer rt.limiter.release()
			case queueFull, queueTimeout:
				w.Header().Set("Retry-After", rt.limiter.retryAfter)
				writeError(w, http.StatusServiceUnavailable, "", "route "+rt.name+" is at capacity")
				return
			case abandoned:
				abortWait()
				return
			}
		}
		if !s.sleep(r.Context(), lat) {
			abortWait()
			return
		}
		if fault != faultNone {
			s.injectFault(w, r, rt, fault, code)
			return
		}
		if r.Body != http.NoBody {
			// The underlying writer, not the recorder, so net/http learns
			// the body was too large and closes the connection after the 413.
			r.Body = http.MaxBytesReader(under, r.Body, s.cfg.MaxBodyBytes)
		}
		h(s, w, r)
	}
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeRawJSON(w, http.StatusOK, []byte(`{"status":"ok"}`+"\n"))
}

func subtleEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
