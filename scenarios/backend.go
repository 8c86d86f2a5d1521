package scenarios

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
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
	"github.com/oranbench/oranbench/scenarios/scenario"
)

// CheckBackend refuses p's external backend URL outside loopback unless
// allowRemote is set; the in-process mock always listens on loopback.
func CheckBackend(p *Plan, allowRemote bool) error {
	if p.Resolved().Backend.Kubeconfig != "" {
		return checkKubeconfig(p, allowRemote)
	}
	if p.Resolved().Backend.URL == "" {
		return nil
	}
	if err := loopback.CheckURL(p.Resolved().Backend.URL, allowRemote); err != nil {
		return p.FieldErr("backend.target", p.Resolved().Backend.URL, "want a loopback URL (127.0.0.0/8, ::1, localhost), or pass --allow-remote")
	}
	return nil
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
	// backendAuth is what every request carries (auth.go).
	backendAuth
	// runID labels what the run creates on an external backend (RunLabel);
	// "" on the mock, whose objects go with it.
	runID string
}

// Isolation of the backend from the generator.
const isolationExternal = "external" // backend.target: not started by the run

// isolationFor decides where p's mock runs and on which CPUs; an explicit
// process isolation that cannot be had is an error, never a silent fallback.
func isolationFor(p *Plan, opt Options) (mode, genCPUs, backendCPUs string, err error) {
	b := p.Resolved().Backend
	if b.External() {
		return isolationExternal, "", "", nil
	}
	mode = b.Isolation
	if mode == "" {
		mode = scenario.IsolationAuto
	}
	if mode == scenario.IsolationInProcess {
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
		if mode == scenario.IsolationAuto {
			return scenario.IsolationInProcess, "", "", nil
		}
		return "", "", "", p.FieldErr("backend.isolation", mode, why+`; use "in-process"`)
	}
	genCPUs, backendCPUs = cpuset.Split(allowed, 1)
	if c := b.CPUs; c != nil {
		genCPUs, backendCPUs = c.Generator, c.Backend
		for _, f := range []struct{ field, list string }{{"backend.cpus.generator", c.Generator}, {"backend.cpus.backend", c.Backend}} {
			cpus, _ := cpuset.Parse(f.list, cpuset.MaxCPUs)
			for _, cpu := range cpus {
				if !slices.Contains(allowed, cpu) {
					return "", "", "", p.FieldErr(f.field, f.list, fmt.Sprintf("CPU %d is not one this process may use (%s)", cpu, cpuset.Format(allowed)))
				}
			}
		}
	}
	return scenario.IsolationProcess, genCPUs, backendCPUs, nil
}

func startBackend(p *Plan, opt Options) (*backend, error) {
	b, err := startServer(p, opt)
	if err != nil {
		return nil, err
	}
	b.headers = p.Headers()
	return b, nil
}

func startServer(p *Plan, opt Options) (*backend, error) {
	if p.Resolved().Backend.Kubeconfig != "" {
		b, err := kubeBackend(p)
		if err != nil {
			return nil, err
		}
		if err := probeTarget("backend.kubeconfig: server", b.url); err != nil {
			return nil, err
		}
		return b, nil
	}
	if p.Resolved().Backend.URL != "" {
		b := &backend{url: strings.TrimSuffix(p.Resolved().Backend.URL, "/"), isolation: isolationExternal}
		if strings.HasPrefix(b.url, "https://") {
			b.tls = &tls.Config{MinVersion: tls.VersionTLS12}
			if p.Resolved().Backend.CACert != "" {
				pem, err := os.ReadFile(p.Resolved().Backend.CACert)
				if err != nil {
					return nil, fmt.Errorf("backend.caCert: %w", err)
				}
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM(pem) {
					return nil, fmt.Errorf("backend.caCert %s: no PEM certificate in it", p.Resolved().Backend.CACert)
				}
				b.tls.RootCAs = pool
				b.caPEM = pem
			}
		}
		if err := probeTarget("backend.target", b.url); err != nil {
			return nil, err
		}
		return b, nil
	}
	cfg, err := p.MockConfig()
	if err != nil {
		return nil, err
	}
	mode, genCPUs, backendCPUs, err := isolationFor(p, opt)
	if err != nil {
		return nil, err
	}
	if mode == scenario.IsolationInProcess {
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

// targetProbeTimeout bounds the connection attempt that tells an
// unreachable target from a slow one before any load is sent.
const targetProbeTimeout = 5 * time.Second

// probeTarget opens and closes one TCP connection to an external target, so
// a target nothing listens on fails the scenario (exit 2) before the load
// instead of producing a run in which every request failed, which latency
// thresholds alone would not catch.
func probeTarget(field, target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("%s %q: %w", field, target, err)
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(u.Hostname(), port), targetProbeTimeout)
	if err != nil {
		return fmt.Errorf("%s %s: unreachable: %w", field, target, err)
	}
	return conn.Close()
}
