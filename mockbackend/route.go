package mockbackend

import (
	"net/http"
	"time"
)

// route is one logical API operation (possibly served on several patterns,
// e.g. the A1 lower-case alias) with its behaviour and counters.
type route struct {
	name    string
	latency time.Duration
	ctr     routeCounters
}

// Routes returns the names of all routes in registration order; these are the
// keys of Stats.Routes.
func (s *Server) Routes() []string {
	names := make([]string, 0, len(s.routes))
	for _, rt := range s.routes {
		names = append(names, rt.name)
	}
	return names
}

// handle registers h under name on every pattern, wrapped with accounting,
// the route's latency and the body cap.
func (s *Server) handle(name string, h http.HandlerFunc, patterns ...string) {
	rt := &route{name: name, latency: s.cfg.Latency}
	s.routes = append(s.routes, rt)
	wrapped := s.wrap(rt, h)
	for _, p := range patterns {
		s.mux.HandleFunc(p, wrapped)
	}
}

// handlePlain registers an operational route (health, metrics) that gets
// accounting but no injected latency.
func (s *Server) handlePlain(name string, h http.HandlerFunc, patterns ...string) {
	rt := &route{name: name}
	s.routes = append(s.routes, rt)
	wrapped := s.wrap(rt, h)
	for _, p := range patterns {
		s.mux.HandleFunc(p, wrapped)
	}
}

func (s *Server) wrap(rt *route, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		under := w
		if rec, ok := w.(*recorder); ok {
			rec.route = rt
			under = rec.ResponseWriter
		}
		rt.ctr.requests.Add(1)
		rt.ctr.inFlight.Add(1)
		defer rt.ctr.inFlight.Add(-1)
		if !s.sleep(r.Context(), rt.latency) {
			return
		}
		// The underlying writer, not the recorder, so net/http learns the
		// body was too large and closes the connection after the 413.
		r.Body = http.MaxBytesReader(under, r.Body, s.cfg.MaxBodyBytes)
		h(w, r)
	}
}

// registerRoutes builds the route table.
func (s *Server) registerRoutes() {
	s.registerA1()
	s.registerPorch()
	s.handlePlain("healthz", s.healthz, "GET /healthz")
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeRawJSON(w, http.StatusOK, []byte(`{"status":"ok"}`+"\n"))
}
