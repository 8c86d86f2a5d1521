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
	// profiles, anything for a FromFunc profile.
	Transport http.RoundTripper
	// Client sends through Tracer.Wrap(Transport) with the profile's client timeout.
	Client *http.Client
	Tracer *Tracer
}

// Instrument builds a fresh transport for p (tlsConf is cloned) wrapped by a new
// Tracer, and a client with p.ClientTimeout(). It panics where a FromFunc builder
// panics or returns nil; TryInstrument returns an error instead.
func (p Profile) Instrument(tlsConf *tls.Config) *Instrumented {
	return p.instrument(p.NewTransport(tlsConf))
}

// TryInstrument is Instrument with a builder's panic or nil result returned as
// an error that names the profile.
func (p Profile) TryInstrument(tlsConf *tls.Config) (*Instrumented, error) {
	rt, err := p.Build(tlsConf)
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

// Close closes the transport's idle connections when it can (as httptest does,
// through an interface check). It is idempotent and does not block. Call it after
// the load has stopped: a connection still in use goes back to the pool when its
// response body is closed and stays open until the next Close.
func (i *Instrumented) Close() {
	if i == nil || i.Transport == nil {
		return
	}
	CloseIdle(i.Transport)
}

// CloseIdle closes rt's idle connections when rt supports it.
func CloseIdle(rt http.RoundTripper) {
	if c, ok := rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
