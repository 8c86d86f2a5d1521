// Package transport builds the HTTP transports oranbench measures and ships: the
// operator's tuned transport factory (fixed so it never writes into the caller's
// config or TLS config), named profiles ("default", "tuned", "tuned-resume",
// "tuned-h2", "tuned-capped", and "client-go", the transport every Kubernetes
// client builds with k8s.io/client-go/rest.TransportFor) kept in a Registry that
// also accepts user-defined profiles, and httptrace instrumentation that counts
// dials, reused connections, TLS handshakes and resumptions with atomics.
//
// A profile is turned into a fresh transport per measurement:
//
//	p, err := transport.NewRegistry().Lookup("tuned")
//	inst := p.Instrument(tlsConf) // transport + client + tracer
//	defer inst.Close()
//	resp, err := inst.Client.Get(url)
//	stats := inst.Tracer.Stats()
//
// A builder that takes the CA as PEM rather than as a pool ("client-go": rest.Config
// has CAData, not RootCAs) gets it with WithCAPEM beside the TLS configuration:
//
//	inst, err := p.TryInstrument(tlsConf, transport.WithCAPEM(caPEM))
//
// The package never imports the harness; it can be embedded alone.
package transport
