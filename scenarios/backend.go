package scenarios

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/oranbench/oranbench/internal/cpuset"
	"github.com/oranbench/oranbench/internal/loopback"
	"github.com/oranbench/oranbench/internal/mockproc"
	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports/results"
)

// CheckBackend refuses an external backend URL outside loopback unless
// allowRemote is set; the in-process mock always listens on loopback.
func (p *Plan) CheckBackend(allowRemote bool) error {
	if p.spec.Backend.URL == "" {
		return nil
	}
	if err := loopback.CheckURL(p.spec.Backend.URL, allowRemote); err != nil {
		return p.fieldErr("backend.target", p.spec.Backend.URL, "want a loopback URL (127.0.0.0/8, ::1, localhost), or pass --allow-remote")
	}
	return nil
}

func (l LatencySpec) dist() mockbackend.Distribution {
	return mockbackend.Distribution{Kind: l.Kind, Value: l.Value.Duration, Min: l.Min.Duration, Max: l.Max.Duration,
		Mean: l.Mean.Duration, StdDev: l.StdDev.Duration, P50: l.P50.Duration, P99: l.P99.Duration, Cap: l.Cap.Duration}
}

// orZero is *v, or T's zero value when v is nil (not set).
func orZero[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

func (b RouteBehavior) behavior() mockbackend.Behavior {
	out := mockbackend.Behavior{Faults: orZero(b.Faults), Capacity: orZero(b.Capacity)}
	if b.Latency.IsSet() {
		out.Latency = b.Latency.dist()
	}
	return out
}

// mockConfig maps the backend section onto the mock's Config: the named
// profile first, then every field the scenario sets. A TCP handshake costs
// one round trip, so with an RTT the connection set-up delay defaults to it.
func (p *Plan) mockConfig() (mockbackend.Config, error) {
	b := p.spec.Backend
	var c mockbackend.Config
	if b.Preset != "" {
		var err error
		if c, err = mockbackend.Preset(b.Preset); err != nil {
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
		c.Default.Faults = *b.Faults
	}
	if b.Capacity != nil {
		c.Default.Capacity = *b.Capacity
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
	if b.NetFaults != nil {
		c.NetFaults = *b.NetFaults
	}
	set(&c.EnforceDelay, b.EnforceDelay)
	set(&c.TokenDelay, b.TokenDelay)
	if b.LLMTokens > 0 {
		c.LLMTokens = b.LLMTokens
	}
	if b.MaxObjects > 0 {
		c.MaxObjects = b.MaxObjects
	}
	if b.H2MaxStreams > 0 {
		c.H2MaxStreams = b.H2MaxStreams
	}
	if b.MaxStoreBytes > 0 {
		c.MaxStoreBytes = b.MaxStoreBytes
	}
	if b.MaxWatches > 0 {
		c.MaxWatches = b.MaxWatches
	}
	if p.spec.Seed != 0 {
		c.Seed = uint64(p.spec.Seed)
	}
	return c, c.Validate()
}

// backend is where one run sends load: the in-process mock (srv), the mock
// in a child process on CPUs of its own (proc), or an external target
// (neither: no server-side counts).
type backend struct {
	url  string
	tls  *tls.Config
	srv  *mockbackend.Server
	proc *mockproc.Proc
	// isolation and cpus are what the run's conditions report.
	isolation string
	cpus      *results.CPUs
	// unpin restores the generator's CPUs when the run ends (nil: not
	// pinned).
	unpin func() error
	// caPEM is what tls trusts, PEM-encoded, for profiles that take the CA as
	// PEM ("client-go"); nil when tls trusts the system's roots.
	caPEM []byte
}

// Isolation of the backend from the generator.
const (
	IsolationAuto      = "auto"       // process where supported, else in-process
	IsolationProcess   = "process"    // a child process on CPUs of its own
	IsolationInProcess = "in-process" // sharing the generator's process and CPUs
	isolationExternal  = "external"   // backend.target: not started by the run
)

// isolation decides where the mock runs and on which CPUs; an explicit
// process isolation that cannot be had is an error, never a silent fallback.
func (p *Plan) isolation(opt Options) (mode, genCPUs, backendCPUs string, err error) {
	b := p.spec.Backend
	if b.URL != "" {
		return isolationExternal, "", "", nil
	}
	mode = b.Isolation
	if mode == "" {
		mode = IsolationAuto
	}
	if mode == IsolationInProcess {
		return mode, "", "", nil
	}
	why := ""
	allowed, _ := cpuset.Allowed()
	switch {
	case !cpuset.Supported:
		why = "CPU pinning needs Linux sched_setaffinity; this is " + runtime.GOOS
	case len(allowed) < 2:
		why = "this process may use 1 CPU: nothing to split"
	case opt.BackendBinary == "":
		why = "no oranbench binary to start the backend from (Options.BackendBinary)"
	}
	if why != "" {
		if mode == IsolationAuto {
			return IsolationInProcess, "", "", nil
		}
		return "", "", "", p.fieldErr("backend.isolation", mode, why+`; use "in-process"`)
	}
	genCPUs, backendCPUs = cpuset.Split(allowed, 1)
	if c := b.CPUs; c != nil {
		genCPUs, backendCPUs = c.Generator, c.Backend
		for _, f := range []struct{ field, list string }{{"backend.cpus.generator", c.Generator}, {"backend.cpus.backend", c.Backend}} {
			cpus, _ := cpuset.Parse(f.list, cpuset.MaxCPUs)
			for _, cpu := range cpus {
				if !slices.Contains(allowed, cpu) {
					return "", "", "", p.fieldErr(f.field, f.list, fmt.Sprintf("CPU %d is not one this process may use (%s)", cpu, cpuset.Format(allowed)))
				}
			}
		}
	}
	return IsolationProcess, genCPUs, backendCPUs, nil
}

func (p *Plan) startBackend(opt Options) (*backend, error) {
	if p.spec.Backend.URL != "" {
		b := &backend{url: strings.TrimSuffix(p.spec.Backend.URL, "/"), isolation: isolationExternal}
		if strings.HasPrefix(b.url, "https://") {
			b.tls = &tls.Config{MinVersion: tls.VersionTLS12}
			if p.spec.Backend.CACert != "" {
				pem, err := os.ReadFile(p.spec.Backend.CACert)
				if err != nil {
					return nil, fmt.Errorf("backend.caCert: %w", err)
				}
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM(pem) {
					return nil, fmt.Errorf("backend.caCert %s: no PEM certificate in it", p.spec.Backend.CACert)
				}
				b.tls.RootCAs = pool
				b.caPEM = pem
			}
		}
		return b, nil
	}
	cfg, err := p.mockConfig()
	if err != nil {
		return nil, err
	}
	mode, genCPUs, backendCPUs, err := p.isolation(opt)
	if err != nil {
		return nil, err
	}
	if mode == IsolationInProcess {
		srv, err := mockbackend.Start(cfg)
		if err != nil {
			return nil, err
		}
		return &backend{url: srv.URL(), tls: srv.ClientTLSConfig(), caPEM: srv.CACertPEM(), srv: srv, isolation: mode}, nil
	}
	cfg.Listen = "127.0.0.1:0"
	proc, err := mockproc.Start(mockproc.Options{Binary: opt.BackendBinary, CPUs: backendCPUs, Config: cfg, Stderr: opt.Log})
	if err != nil {
		return nil, &isolationError{err}
	}
	unpin, err := cpuset.Pin(genCPUs)
	if err != nil {
		_ = proc.Close()
		return nil, &isolationError{fmt.Errorf("generator: %w", err)}
	}
	return &backend{url: proc.URL(), tls: proc.ClientTLSConfig(), caPEM: proc.CACertPEM(), proc: proc, isolation: mode, unpin: unpin,
		cpus: &results.CPUs{Generator: genCPUs, Backend: proc.CPUs()}}, nil
}

// isolationError is a process-isolated backend that could not start.
type isolationError struct{ err error }

func (e *isolationError) Error() string {
	return "backend.isolation: process: " + e.err.Error()
}

func (e *isolationError) Unwrap() error { return e.err }

// generatorCPUs is how many CPUs the generator runs on: its share with
// process isolation, else every CPU of the process.
func (b *backend) generatorCPUs() int {
	if b.cpus != nil {
		if cpus, err := cpuset.Parse(b.cpus.Generator, cpuset.MaxCPUs); err == nil {
			return len(cpus)
		}
	}
	return numCPU()
}

// counted reports whether the backend's own counts are known.
func (b *backend) counted() bool { return b.srv != nil || b.proc != nil }

func (b *backend) stats() mockbackend.Stats {
	switch {
	case b.srv != nil:
		return b.srv.Stats()
	case b.proc != nil:
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, _ := b.proc.Stats(ctx) // a dead child answers nothing; died says so
		return st
	}
	return mockbackend.Stats{}
}

// resetPeak starts a new window for the server's peak of open connections.
func (b *backend) resetPeak() {
	switch {
	case b.srv != nil:
		b.srv.ResetConnsPeak()
	case b.proc != nil:
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.proc.ResetConnsPeak(ctx)
	}
}

// died reports whether a process-isolated backend exited during the run,
// and when.
func (b *backend) died() (time.Time, bool) {
	if b.proc == nil {
		return time.Time{}, false
	}
	return b.proc.Died()
}

func (b *backend) Close() {
	if b.srv != nil {
		_ = b.srv.Close()
	}
	if b.proc != nil {
		_ = b.proc.Close()
	}
	if b.unpin != nil {
		_ = b.unpin()
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

func (p *Plan) conditions(duration, warmup time.Duration, reps int) results.Conditions {
	b := p.spec.Backend
	c := results.Conditions{
		TLS:         b.TLS || strings.HasPrefix(b.URL, "https://"),
		TLSVersion:  b.TLSVersion,
		HTTP2:       b.HTTP2,
		RTT:         b.RTT.Duration,
		Model:       p.spec.Load.Model,
		Duration:    duration,
		Warmup:      warmup,
		Repetitions: reps,
		Target:      b.URL,
		MockProfile: b.Preset,
		Faults:      b.Faults != nil || b.NetFaults != nil,
	}
	if b.URL == "" {
		// A mock profile sets network conditions of its own.
		if mc, err := p.mockConfig(); err == nil {
			c.RTT = mc.RTT
			if mc.Bandwidth > 0 {
				c.Bandwidth = mc.Bandwidth.String()
			}
			c.Faults = c.Faults || mc.Default.Faults.ErrorRates != nil || mc.Default.Faults.RateLimit > 0 || mc.NetFaults.ResetPeer.Rate > 0
			if mc.HTTP2 {
				c.H2MaxStreams = cmp.Or(mc.H2MaxStreams, mockbackend.DefaultH2MaxStreams)
			}
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
	if b.Preset != "" {
		c.Latency = strings.TrimSuffix("mock preset "+b.Preset+"; "+c.Latency, "; ")
	}
	for _, m := range p.spec.Mix {
		name := m.Route
		switch {
		case m.Flow != "":
			name = "flow " + m.Flow
		case m.Request != nil:
			name = m.Request.Method + " " + m.Request.Path
		}
		c.Routes = append(c.Routes, fmt.Sprintf("%s ×%d", name, m.Weight))
	}
	p.model().describe(p, &c, duration)
	letters := "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for rep := 0; rep < min(reps, 2); rep++ {
		for i := range p.arms {
			c.Order = append(c.Order, string(letters[i%len(letters)]))
		}
	}
	if reps > 2 {
		c.Order = append(c.Order, "…")
	}
	for i, a := range p.arms {
		c.Order = append(c.Order, fmt.Sprintf("(%c=%s)", letters[i%len(letters)], a))
	}
	return c
}
