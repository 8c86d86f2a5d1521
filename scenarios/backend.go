package scenarios

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports/results"
)

// CheckTarget refuses an external target outside loopback unless
// allowRemote is set; the in-process mock always listens on loopback.
func (s *Scenario) CheckTarget(allowRemote bool) error {
	if s.Backend.Target == "" {
		return nil
	}
	if err := CheckTarget(s.Backend.Target, allowRemote); err != nil {
		return s.fieldErr("backend.target", s.Backend.Target, "want a loopback URL (127.0.0.0/8, ::1, localhost), or pass --allow-remote")
	}
	return nil
}

func (l LatencySpec) dist() mockbackend.Distribution {
	return mockbackend.Distribution{Kind: l.Kind, Value: l.Value.Duration, Min: l.Min.Duration, Max: l.Max.Duration,
		Mean: l.Mean.Duration, StdDev: l.StdDev.Duration, P50: l.P50.Duration, P99: l.P99.Duration, Cap: l.Cap.Duration}
}

func (f *FaultSpec) faults() mockbackend.Faults {
	if f == nil {
		return mockbackend.Faults{}
	}
	return mockbackend.Faults{ErrorRates: f.ErrorRates, RateLimit: f.RateLimit, RetryAfter: f.RetryAfter.Duration,
		Hang: f.Hang, CloseMidResponse: f.CloseMidResponse}
}

func (c *CapacitySpec) capacity() mockbackend.Capacity {
	if c == nil {
		return mockbackend.Capacity{}
	}
	return mockbackend.Capacity{MaxInFlight: c.MaxInFlight, QueueDepth: c.QueueDepth, QueueTimeout: c.QueueTimeout.Duration}
}

func (b RouteBehavior) behavior() mockbackend.Behavior {
	out := mockbackend.Behavior{Faults: b.Faults.faults(), Capacity: b.Capacity.capacity()}
	if b.Latency.IsSet() {
		out.Latency = b.Latency.dist()
	}
	return out
}

// mockConfig maps the backend section onto the mock's Config: the named
// profile first, then every field the scenario sets. A TCP handshake costs
// one round trip, so with an RTT the connection set-up delay defaults to it.
func (s *Scenario) mockConfig() (mockbackend.Config, error) {
	b := s.Backend
	var c mockbackend.Config
	if b.Profile != "" {
		var err error
		if c, err = mockbackend.Profile(b.Profile); err != nil {
			return c, err
		}
	}
	c.TLS, c.TLSVersion, c.HTTP2 = b.TLS, b.TLSVersion, b.HTTP2
	if b.Latency.IsSet() {
		if d, ok := b.Latency.Fixed(); ok && b.Latency.scalar {
			c.Latency = d
		} else {
			c.Default.Latency = b.Latency.dist()
		}
	}
	if b.Faults != nil {
		c.Default.Faults = b.Faults.faults()
	}
	if b.Capacity != nil {
		c.Default.Capacity = b.Capacity.capacity()
	}
	if len(b.Routes) > 0 {
		routes := make(map[string]mockbackend.Behavior, len(c.Routes)+len(b.Routes))
		for k, v := range c.Routes {
			routes[k] = v
		}
		for k, v := range b.Routes {
			routes[k] = v.behavior()
		}
		c.Routes = routes
	}
	set := func(dst *time.Duration, v Duration) {
		if v.Duration > 0 {
			*dst = v.Duration
		}
	}
	set(&c.RTT, b.RTT)
	set(&c.Jitter, b.Jitter)
	set(&c.ConnSetupDelay, b.ConnSetupDelay)
	if b.ConnSetupDelay.Duration == 0 && b.RTT.Duration > 0 {
		c.ConnSetupDelay = b.RTT.Duration
	}
	if b.Bandwidth > 0 {
		c.Bandwidth = b.Bandwidth
	}
	if nf := b.NetFaults; nf != nil {
		c.NetFaults = mockbackend.NetFaults{
			ResetPeer: mockbackend.NetFault{Rate: nf.ResetPeer.Rate, After: nf.ResetPeer.After.Duration},
			Timeout:   mockbackend.NetFault{Rate: nf.Timeout.Rate, After: nf.Timeout.After.Duration},
			SlowClose: mockbackend.NetFault{Rate: nf.SlowClose.Rate, After: nf.SlowClose.After.Duration},
		}
	}
	set(&c.EnforceDelay, b.EnforceDelay)
	set(&c.TokenDelay, b.TokenDelay)
	if b.LLMTokens > 0 {
		c.LLMTokens = b.LLMTokens
	}
	if b.MaxObjects > 0 {
		c.MaxObjects = b.MaxObjects
	}
	if s.Seed != 0 {
		c.Seed = uint64(s.Seed)
	}
	return c, c.Validate()
}

// backend is where one run sends load: the in-process mock or an external
// target (srv nil: no server-side counts).
type backend struct {
	url string
	tls *tls.Config
	srv *mockbackend.Server
}

func (s *Scenario) startBackend() (*backend, error) {
	if s.Backend.Target != "" {
		b := &backend{url: strings.TrimSuffix(s.Backend.Target, "/")}
		if strings.HasPrefix(b.url, "https://") {
			b.tls = &tls.Config{MinVersion: tls.VersionTLS12}
			if s.Backend.CACert != "" {
				pem, err := os.ReadFile(s.Backend.CACert)
				if err != nil {
					return nil, fmt.Errorf("backend.caCert: %w", err)
				}
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM(pem) {
					return nil, fmt.Errorf("backend.caCert %s: no PEM certificate in it", s.Backend.CACert)
				}
				b.tls.RootCAs = pool
			}
		}
		return b, nil
	}
	cfg, err := s.mockConfig()
	if err != nil {
		return nil, err
	}
	srv, err := mockbackend.Start(cfg)
	if err != nil {
		return nil, err
	}
	return &backend{url: srv.URL(), tls: srv.ClientTLSConfig(), srv: srv}, nil
}

func (b *backend) stats() mockbackend.Stats {
	if b.srv == nil {
		return mockbackend.Stats{}
	}
	return b.srv.Stats()
}

// resetPeak starts a new window for the server's peak of open connections.
func (b *backend) resetPeak() {
	if b.srv != nil {
		b.srv.ResetConnsPeak()
	}
}

func (b *backend) Close() {
	if b.srv != nil {
		_ = b.srv.Close()
	}
}

// latencyText describes a non-fixed latency model, e.g. "lognormal p50 5ms p99 40ms".
func (l LatencySpec) latencyText() string {
	switch l.Kind {
	case mockbackend.DistUniform:
		return fmt.Sprintf("uniform %s–%s", l.Min, l.Max)
	case mockbackend.DistNormal:
		if l.Mean.Duration > 0 {
			return fmt.Sprintf("normal %s±%s", l.Mean, l.StdDev)
		}
		return fmt.Sprintf("normal p50 %s p99 %s", l.P50, l.P99)
	case mockbackend.DistLogNormal:
		return fmt.Sprintf("lognormal p50 %s p99 %s", l.P50, l.P99)
	}
	return ""
}

func (s *Scenario) conditions(duration, warmup time.Duration, reps int) results.Conditions {
	b := s.Backend
	c := results.Conditions{
		TLS:         b.TLS || strings.HasPrefix(b.Target, "https://"),
		TLSVersion:  b.TLSVersion,
		HTTP2:       b.HTTP2,
		RTT:         b.RTT.Duration,
		Model:       s.Load.Model,
		Duration:    duration,
		Warmup:      warmup,
		Repetitions: reps,
		Target:      b.Target,
		MockProfile: b.Profile,
		Faults:      b.Faults != nil || b.NetFaults != nil,
	}
	if b.Target == "" {
		// A mock profile sets network conditions of its own.
		if mc, err := s.mockConfig(); err == nil {
			c.RTT = mc.RTT
			if mc.Bandwidth > 0 {
				c.Bandwidth = mc.Bandwidth.String()
			}
			c.Faults = c.Faults || mc.Default.Faults.ErrorRates != nil || mc.Default.Faults.RateLimit > 0 || mc.NetFaults.ResetPeer.Rate > 0
		}
	}
	if d, ok := b.Latency.Fixed(); ok {
		c.HandlerLatency = d
	} else if b.Latency.IsSet() {
		c.Latency = b.Latency.latencyText()
	}
	if len(b.Routes) > 0 {
		var parts []string
		for _, k := range sortedKeys(b.Routes) {
			rb := b.Routes[k]
			desc := k
			if d, ok := rb.Latency.Fixed(); ok {
				desc += " " + d.String()
			} else if rb.Latency.IsSet() {
				desc += " " + rb.Latency.latencyText()
			}
			if rb.Faults != nil {
				c.Faults = true
			}
			parts = append(parts, desc)
		}
		if c.Latency != "" {
			c.Latency += "; "
		} else if c.HandlerLatency > 0 {
			c.Latency = c.HandlerLatency.String() + "; "
		}
		c.Latency += strings.Join(parts, ", ")
	}
	if b.Profile != "" {
		c.Latency = strings.TrimSuffix("mock profile "+b.Profile+"; "+c.Latency, "; ")
	}
	switch s.Load.Model {
	case ModelClosed:
		c.Concurrency = s.Load.Concurrency
	case ModelOpen:
		o := s.Load.offered(duration)
		c.RatePerSec, c.Shape = o.mean, o.shape
	case ModelSearch:
		sr := s.Load.Search
		c.Shape = fmt.Sprintf("search for the highest rate with p%s ≤ %s", ftoa(sr.Percentile), sr.SLO)
	case ModelStorm:
		st := s.Load.Storm
		c.Shape = fmt.Sprintf("storm of %d intent files", st.Intents)
		if st.IntentsPerSec > 0 {
			c.Shape += fmt.Sprintf(" at %s/s", ftoa(st.IntentsPerSec))
		}
	}
	for _, m := range s.Mix {
		name := m.Route
		switch {
		case m.Flow != "":
			name = "flow " + m.Flow
		case m.Request != nil:
			name = m.Request.Method + " " + m.Request.Path
		}
		c.Routes = append(c.Routes, fmt.Sprintf("%s ×%d", name, m.Weight))
	}
	if s.Load.Model == ModelStorm {
		c.Routes = []string{"Porch create + propose, sent by the watcher"}
	}
	letters := "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for rep := 0; rep < min(reps, 2); rep++ {
		for i := range s.Arms {
			c.Order = append(c.Order, string(letters[i%len(letters)]))
		}
	}
	if reps > 2 {
		c.Order = append(c.Order, "…")
	}
	for i, a := range s.Arms {
		c.Order = append(c.Order, fmt.Sprintf("(%c=%s)", letters[i%len(letters)], a))
	}
	return c
}
