// Package mockbackend is an embeddable mock of the backends an O-RAN / Nephio
// intent operator calls (A1-P, E2, Porch, RAG, LLM), with generated TLS,
// server-side connection accounting, configurable latency and faults.
//
//	srv, err := mockbackend.Start(mockbackend.Config{TLS: true, Latency: 20 * time.Millisecond})
//	if err != nil { ... }
//	defer srv.Close()
//	tr := &http.Transport{TLSClientConfig: srv.ClientTLSConfig()}
//	resp, err := (&http.Client{Transport: tr}).Get(srv.URL() + "/healthz")
package mockbackend

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Defaults filled in by Start for zero Config fields.
const (
	DefaultListen            = "127.0.0.1:0"
	DefaultMaxBodyBytes      = 1 << 20 // 1 MiB
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultShutdownTimeout   = 3 * time.Second
)

// TLS versions accepted in Config.TLSVersion.
const (
	TLS12 = "1.2"
	TLS13 = "1.3"
)

// Server is a running mock backend. It serves in a goroutine it owns until
// Close.
type Server struct {
	cfg Config
	tls *tlsMaterial

	ln      net.Listener
	httpSrv *http.Server
	mux     *http.ServeMux
	url     string

	a1    *a1State
	porch *porchState

	routes    []*route
	unmatched *route
	ctr       counters

	// closing is closed when shutdown gives up waiting; every wait in a
	// handler (latency, hang, queue) selects on it so Close stays bounded.
	closing   chan struct{}
	serveDone chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// Start listens on cfg.Listen and serves until Close. A listen failure (such
// as the port being in use) is returned with the address in the message.
func Start(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("mockbackend: %w", err)
	}
	s := &Server{
		cfg:       cfg,
		mux:       http.NewServeMux(),
		closing:   make(chan struct{}),
		serveDone: make(chan struct{}),
		unmatched: &route{name: RouteUnmatched},
	}
	if cfg.TLS {
		m, err := newTLSMaterial(time.Now())
		if err != nil {
			return nil, fmt.Errorf("mockbackend: %w", err)
		}
		s.tls = m
	}
	s.registerRoutes()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("mockbackend: listen on %s: %w", cfg.Listen, err)
	}
	s.ln = ln
	s.url = baseURL(cfg.TLS, ln.Addr())

	s.httpSrv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ConnState:         s.connState,
		// Handshake errors from clients that give up are expected under
		// load; they must not flood the harness's output.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	var serveLn net.Listener = &trackingListener{Listener: ln}
	if cfg.TLS {
		tc := s.serverTLSConfig()
		s.httpSrv.TLSConfig = tc
		if !cfg.HTTP2 {
			// A non-nil empty map is net/http's documented way to disable h2.
			s.httpSrv.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
		}
		serveLn = tls.NewListener(serveLn, tc)
	}
	go func() {
		defer close(s.serveDone)
		// Serve returns ErrServerClosed after Shutdown/Close; any other error
		// means the listener died, which Close reports via Shutdown anyway.
		_ = s.httpSrv.Serve(serveLn)
	}()
	return s, nil
}

// baseURL turns the listener address into the URL clients use; an unspecified
// host (":0", "0.0.0.0:0") is reached through loopback.
func baseURL(useTLS bool, addr net.Addr) string {
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return scheme + "://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return (&url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port)}).String()
}

// URL returns the base URL clients should use, e.g. https://127.0.0.1:43567.
func (s *Server) URL() string { return s.url }

// Addr returns the address the HTTP server itself listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Config returns the effective configuration, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Close shuts the server down: it stops accepting, lets in-flight requests
// finish for up to Config.ShutdownTimeout, then aborts whatever is left
// (latency waits, hung requests, queues) and closes all connections. It is
// idempotent and bounded; later calls return the first call's result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		err := s.httpSrv.Shutdown(ctx)
		cancel()
		close(s.closing)
		if errors.Is(err, context.DeadlineExceeded) {
			err = s.httpSrv.Close()
		}
		<-s.serveDone
		s.waitHandlers(time.Second)
		if err != nil {
			s.closeErr = fmt.Errorf("mockbackend: close %s: %w", s.url, err)
		}
	})
	return s.closeErr
}

// waitHandlers waits, bounded, for handlers still running after a forced
// close: http.Server.Close does not wait for them, and every wait inside a
// handler returns promptly once s.closing is closed.
func (s *Server) waitHandlers(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for s.ctr.inFlight.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}

// ServeHTTP counts the request, dispatches it through the route table and
// records the response code. Requests that match no route get a JSON 404 or
// 405 (with Allow).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.ctr.requests.Add(1)
	s.ctr.inFlight.Add(1)
	rec := getRecorder(w)
	defer func() {
		// Runs on panic too (http.ErrAbortHandler for the mid-response
		// close fault) so the accounting never misses a request.
		rt := rec.route
		if rt == nil {
			rt = s.unmatched
			rt.ctr.requests.Add(1)
		}
		code := rec.status
		if code == 0 {
			if r.Context().Err() != nil {
				code = StatusClientClosed
			} else {
				code = http.StatusOK // a handler that wrote nothing sent an implicit 200
			}
		}
		rt.ctr.record(code)
		s.ctr.inFlight.Add(-1)
		putRecorder(rec)
	}()
	s.mux.ServeHTTP(rec, r)
}

// itoa is strconv.Itoa; named for brevity in hot handlers.
func itoa(n int) string { return strconv.Itoa(n) }
