package transport

import (
	"crypto/tls"
	"net/http"
)

// Instrumented bundles a fresh transport, a client over it and the Tracer that counts
// its connection events: what one measurement (one arm-repetition) needs. Keep it to
// close the transport's idle connections afterwards; vegeta never does.
type Instrumented struct {
	Transport *http.Transport
	// Client sends through Tracer.Wrap(Transport) with the profile's client timeout.
	Client *http.Client
	Tracer *Tracer
}

// Instrument builds a fresh transport for p (tlsConf is cloned) wrapped by a new
// Tracer, and a client with p.ClientTimeout().
func (p Profile) Instrument(tlsConf *tls.Config) *Instrumented {
	tr := p.NewTransport(tlsConf)
	tracer := NewTracer()
	return &Instrumented{
		Transport: tr,
		Client:    &http.Client{Transport: tracer.Wrap(tr), Timeout: p.ClientTimeout()},
		Tracer:    tracer,
	}
}

// Close closes the transport's idle connections. It is idempotent and does not block.
// Call it after the load has stopped: a connection still in use goes back to the pool
// when its response body is closed and stays open until the next Close.
func (i *Instrumented) Close() {
	if i == nil || i.Transport == nil {
		return
	}
	i.Transport.CloseIdleConnections()
}
