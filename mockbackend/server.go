// Package mockbackend is an embeddable mock of the backends an O-RAN / Nephio
// intent operator calls — A1-P v2, E2, Porch (REST and Kubernetes-style),
// RAG and an OpenAI-compatible LLM — with generated TLS, server-side
// connection and request accounting, seeded latency and fault models,
// capacity limits, and network emulation through an in-process Toxiproxy.
//
// It also holds the route catalog (Catalog, LookupRoute): every route of
// the mocked APIs by its dotted name ("a1.policy.put"), with its method and
// path pattern — the mock serves exactly these — and, for the routes a load
// generator exercises, request n of a run, the fixtures that must exist
// before load (Fixtures) and the multi-step flows (Flows). Load against the
// mock or a real backend is generated from the same entries the mock serves.
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
	"maps"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a running mock backend. It serves in goroutines it owns until
// Close.
type Server struct {
	cfg Config
	tls *tlsMaterial

	ln      net.Listener // the HTTP server's own listener
	netem   *netem       // Toxiproxy in front, or nil
	httpSrv *http.Server
	mux     *http.ServeMux
	url     string

	a1             *a1State
	e2             *e2State
	porch          *porchState
	llm            llmTokens
	seq            atomic.Int64 // ids for responses that create nothing
	metricsHandler http.Handler

	routes    []*route
	unmatched *route
	auth      *authenticator // nil: no credentials required
	flow      *flowControl
	ctr       counters

	// timerLate learns how late this machine's timers fire (PreciseLatency).
	timerLate lateness

	// closing is closed when shutdown gives up waiting; every wait in a
	// handler (latency, hang, queue, token stream) selects on it so Close
	// stays bounded.
	closing   chan struct{}
	serveDone chan struct{}
	// watchStop is closed when shutdown begins: watches are long-running
	// and would otherwise hold Shutdown for its whole grace period.
	watchStop     chan struct{}
	watchStopOnce sync.Once
	closeOnce     sync.Once
	closeErr      error
}

// Start validates cfg, listens and serves until Close. A listen failure
// (such as the port being in use) is returned with the address in the
// message. With network emulation the proxy takes cfg.Listen and the HTTP
// server an ephemeral port on the same loopback host.
func Start(cfg Config) (*Server, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	cfg = s.cfg
	if cfg.TLS {
		m, err := newTLSMaterial(time.Now())
		if err != nil {
			return nil, fmt.Errorf("mockbackend: %w", err)
		}
		s.tls = m
	}

	backendAddr := cfg.Listen
	if cfg.needsProxy() {
		host, _, err := net.SplitHostPort(cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("mockbackend: listen address %q: %w", cfg.Listen, err)
		}
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			host = "127.0.0.1"
		}
		backendAddr = net.JoinHostPort(host, "0")
	}
	ln, err := net.Listen("tcp", backendAddr)
	if err != nil {
		return nil, fmt.Errorf("mockbackend: listen on %s: %w", backendAddr, err)
	}
	s.ln = ln
	publicAddr := ln.Addr()
	if cfg.needsProxy() {
		n, err := startNetem(cfg, cfg.Listen, ln.Addr().String())
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("mockbackend: network emulation: %w", err)
		}
		s.netem = n
		publicAddr, _ = net.ResolveTCPAddr("tcp", n.addr)
	}
	s.url = baseURL(cfg.TLS, publicAddr)

	var protos http.Protocols
	protos.SetHTTP1(true)
	if cfg.HTTP2 {
		if cfg.TLS {
			protos.SetHTTP2(true)
		} else {
			protos.SetUnencryptedHTTP2(true) // h2c with prior knowledge
		}
	}
	s.httpSrv = &http.Server{
		Handler:           s,
		Protocols:         &protos,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ConnState:         s.connState,
		HTTP2:             &http.HTTP2Config{MaxConcurrentStreams: cfg.H2MaxStreams},
		// Handshake errors from clients that give up are expected under
		// load; they must not flood the harness's output.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	s.httpSrv.RegisterOnShutdown(s.stopWatches)
	var serveLn net.Listener = &trackingListener{Listener: ln, setupDelay: cfg.ConnSetupDelay, closing: s.closing}
	if cfg.TLS {
		tc := s.serverTLSConfig()
		s.httpSrv.TLSConfig = tc
		serveLn = tls.NewListener(serveLn, tc)
	}
	go func() {
		defer close(s.serveDone)
		// Serve returns ErrServerClosed after Shutdown/Close; any other
		// error means the listener died, and Close reports via Shutdown.
		_ = s.httpSrv.Serve(serveLn)
	}()
	return s, nil
}

// newServer validates cfg and builds the routes and their state, without
// listening.
func newServer(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("mockbackend: config: %w", err)
	}
	s := &Server{
		cfg:       cfg,
		mux:       http.NewServeMux(),
		closing:   make(chan struct{}),
		serveDone: make(chan struct{}),
		watchStop: make(chan struct{}),
		unmatched: &route{name: RouteUnmatched},
	}
	auth, err := newAuthenticator(cfg)
	if err != nil {
		return nil, fmt.Errorf("mockbackend: %w", err)
	}
	s.auth = auth
	s.flow = newFlowControl(cfg)
	s.a1 = s.newA1State()
	s.e2 = s.newE2State()
	s.porch = s.newPorchState()
	s.llm = newLLMTokens(cfg.LLMTokens)
	s.metricsHandler = newMetricsHandler(s)
	s.registerRoutes()
	return s, nil
}

// Handler is the mock as an http.Handler for a server the caller runs, such
// as an httptest.Server: every route with its state, latency, faults,
// capacity and request accounting, but no listener, TLS or network
// emulation of its own.
type Handler struct {
	s         *Server
	closeOnce sync.Once
}

// NewHandler validates cfg and builds a Handler. Settings of the listener
// (Listen, TLS, TLSVersion, HTTP2, H2MaxStreams, RTT, Jitter, Bandwidth,
// ConnSetupDelay, NetFaults, ClientCAFile) are refused: they belong to the server that
// serves the Handler. ReadHeaderTimeout, IdleTimeout and ShutdownTimeout do
// not apply.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.Listen != "" || cfg.TLS || cfg.TLSVersion != "" || cfg.HTTP2 || cfg.H2MaxStreams != 0 || cfg.ConnSetupDelay != 0 || cfg.Jitter != 0 || cfg.ClientCAFile != "" || cfg.needsProxy() {
		return nil, errors.New("mockbackend: a Handler has no listener: leave listen, tls, tlsVersion, http2, h2MaxStreams, rtt, jitter, bandwidth, connSetupDelay, netFaults and clientCAFile to the server that serves it")
	}
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	return &Handler{s: s}, nil
}

// ServeHTTP serves one request as the mock does.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.s.ServeHTTP(w, r) }

// Stats returns the request accounting; the connection and TLS counts stay
// zero, since the Handler sees no connections.
func (h *Handler) Stats() Stats { return h.s.Stats() }

// Close ends the waits of the requests being served (latency, hang, capacity
// queue, token stream): they return without an answer, and Close waits a
// moment for them. Call it when the server serving h shuts down: after the
// server's own wait for its requests, or before it if they may hang. It is
// idempotent.
func (h *Handler) Close() {
	h.closeOnce.Do(func() {
		close(h.s.closing)
		h.s.waitHandlers(time.Second)
	})
}

// baseURL turns an address into the URL clients use; an unspecified host
// (":0", "0.0.0.0:0") is reached through loopback.
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

// URL returns the base URL clients should use, e.g. https://127.0.0.1:43567
// (the Toxiproxy listener when network emulation is on).
func (s *Server) URL() string { return s.url }

// BackendURL returns the URL of the HTTP server itself, bypassing network
// emulation; equal to URL when there is none.
func (s *Server) BackendURL() string { return baseURL(s.cfg.TLS, s.ln.Addr()) }

// Addr returns the address the HTTP server itself listens on (behind the
// Toxiproxy when network emulation is on; see BackendURL).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Config returns a copy of the effective configuration, defaults filled in.
func (s *Server) Config() Config {
	c := s.cfg
	c.Routes = maps.Clone(c.Routes)
	return c
}

// Close shuts the server down: it stops accepting, lets in-flight requests
// finish for up to Config.ShutdownTimeout, then aborts whatever is left
// (latency waits, hung requests, queues, streams), closes all connections
// and the Toxiproxy in front. It is idempotent and bounded; later calls
// return the first call's result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.stopWatches()
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		err := s.httpSrv.Shutdown(ctx)
		cancel()
		close(s.closing)
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.Join(err, s.httpSrv.Close())
		}
		<-s.serveDone
		if s.netem != nil {
			s.netem.stop()
		}
		s.waitHandlers(time.Second)
		if err != nil {
			s.closeErr = fmt.Errorf("mockbackend: close %s: %w", s.url, err)
		}
	})
	return s.closeErr
}

// stopWatches ends every watch stream; it is idempotent.
func (s *Server) stopWatches() {
	s.watchStopOnce.Do(func() { close(s.watchStop) })
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
	s.ctr.protos.record(r)
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
			if r.Context().Err() != nil || isClosed(s.closing) {
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

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// itoa is strconv.Itoa; named for brevity in hot handlers.
func itoa(n int) string { return strconv.Itoa(n) }
