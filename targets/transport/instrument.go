package transport

import (
	"crypto/tls"
	"net/http"
)

// Instrumented bundles a fresh transport, a client over it and the Tracer that counts
// its connection events: what one measurement (one arm-repetition) needs. Keep it to
// close the transport's idle connections afterwards; vegeta never does.
type Instrumented struct {
	// Transport is the profile's RoundTripper: an *http.Transport for the built-in
	// profiles but "client-go" (client-go's wrappers around one, see Base),
	// anything for a FromFunc profile.
	Transport http.RoundTripper
	// Client sends through Tracer.Wrap(Transport) with the profile's client timeout.
	Client *http.Client
	Tracer *Tracer
}

// Instrument builds a fresh transport for p (tlsConf is cloned) wrapped by a new
// Tracer, and a client with p.ClientTimeout(). It panics where NewTransport
// does; TryInstrument returns an error instead.
func (p Profile) Instrument(tlsConf *tls.Config, opts ...BuildOption) *Instrumented {
	return p.instrument(p.NewTransport(tlsConf, opts...))
}

// TryInstrument is Instrument with a builder's error, panic or nil result
// returned as an error that names the profile.
func (p Profile) TryInstrument(tlsConf *tls.Config, opts ...BuildOption) (*Instrumented, error) {
	rt, err := p.Build(tlsConf, opts...)
	if err != nil {
		return nil, err
	}
	return p.instrument(rt), nil
}

func (p Profile) instrument(rt http.RoundTripper) *Instrumented {
	tracer := NewTracer()
	return &Instrumented{
		Transport: rt,
		Client:    &http.Client{Transport: tracer.Wrap(rt), Timeout: p.ClientTimeout()},
		Tracer:    tracer,
	}
}

// Close closes the transport's idle connections when it can (see CloseIdle). It is
// idempotent and does not block. Call it after the load has stopped: a connection
// still in use goes back to the pool when its response body is closed and stays
// open until the next Close.
func (i *Instrumented) Close() {
	if i == nil || i.Transport == nil {
		return
	}
	CloseIdle(i.Transport)
}

// maxUnwrap bounds the walk through wrappers, so a wrapper that (wrongly) wraps
// itself cannot loop.
const maxUnwrap = 32

// wrapper is a RoundTripper that names the one it wraps, as client-go's wrappers
// (bearer token, user agent, impersonation, the transport cache's) do through
// k8s.io/apimachinery/pkg/util/net.RoundTripperWrapper. They have no
// CloseIdleConnections of their own.
type wrapper interface {
	WrappedRoundTripper() http.RoundTripper
}

// CloseIdle closes rt's idle connections: through rt's own CloseIdleConnections
// when it has one (as httptest does, through an interface check), else through
// the first RoundTripper it wraps (WrappedRoundTripper, followed down) that has
// one. A RoundTripper with neither is left alone.
func CloseIdle(rt http.RoundTripper) {
	for range maxUnwrap {
		if rt == nil {
			return
		}
		if c, ok := rt.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
			return
		}
		w, ok := rt.(wrapper)
		if !ok {
			return
		}
		rt = w.WrappedRoundTripper()
	}
}

// Base returns the RoundTripper at the bottom of rt's wrappers (followed through
// WrappedRoundTripper): the *http.Transport inside the "client-go" profile's
// bearer-token wrapper, or rt itself when it wraps nothing.
func Base(rt http.RoundTripper) http.RoundTripper {
	for range maxUnwrap {
		w, ok := rt.(wrapper)
		if !ok {
			return rt
		}
		next := w.WrappedRoundTripper()
		if next == nil {
			return rt
		}
		rt = next
	}
	return rt
}
