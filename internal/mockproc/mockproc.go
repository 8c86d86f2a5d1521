// Package mockproc runs the mock backend in a child process on CPUs of its
// own, so that the server's accept, handshake and close work is not charged
// to the CPUs of the client under test (as it is with the mock in-process).
//
// The parent starts the same binary as `oranbench mock --child`, writes the
// mockbackend.Config to its stdin as one JSON line and reads one JSON line
// back when the child serves: the backend's URL, its CA certificate and the
// address of a control server (GET /stats, POST /reset-peak) that listens
// on a port of its own, so polling it never shows in the backend's counts.
// The child exits when its stdin closes, so it cannot outlive its parent:
// Close closes stdin and waits (then kills after a grace period), a parent
// that dies closes it too, and on Linux the kernel also kills the child
// when the parent thread that started it exits.
package mockproc

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/oranbench/oranbench/mockbackend"
)

// ChildFlag is the flag of `oranbench mock` that makes it serve as a child.
const ChildFlag = "--child"

// Timeouts of the child's life cycle.
const (
	StartTimeout = 15 * time.Second
	CloseTimeout = 10 * time.Second
)

// Options start a child.
type Options struct {
	// Binary is the oranbench executable; empty means this process's own.
	Binary string
	// Args come before ChildFlag (default: "mock").
	Args []string
	// CPUs the child pins itself to ("1", "2-3"); empty leaves it unpinned.
	CPUs string
	// Config is the mock's configuration.
	Config mockbackend.Config
	// Stderr receives the child's diagnostics (nil discards).
	Stderr io.Writer
	// Env, when set, is the child's environment (default: this process's).
	Env []string
}

// ready is the line the child prints once it serves.
type ready struct {
	URL     string `json:"url"`
	Control string `json:"control"`
	CA      []byte `json:"ca,omitempty"`
	CPUs    string `json:"cpus,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Proc is a running child backend.
type Proc struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	ready   ready
	tls     *tls.Config
	control *http.Client
	done    chan struct{} // closed when the child has been reaped
	stderr  *tailBuffer

	mu      sync.Mutex
	exitErr error
	exitAt  time.Time
	closing bool
}

// Start starts the child and returns once it serves, or with an error that
// names the cause (binary not found, config refused, port in use, pinning
// refused); a child that failed to start has been reaped.
func Start(opt Options) (*Proc, error) {
	bin := opt.Binary
	if bin == "" {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("backend child: find this executable: %w", err)
		}
		bin = self
	}
	args := opt.Args
	if len(args) == 0 {
		args = []string{"mock"}
	}
	args = append(append([]string(nil), args...), ChildFlag)
	if opt.CPUs != "" {
		args = append(args, "--cpus", opt.CPUs)
	}
	cfg, err := json.Marshal(opt.Config)
	if err != nil {
		return nil, fmt.Errorf("backend child: encode config: %w", err)
	}
	p := &Proc{done: make(chan struct{}), stderr: &tailBuffer{max: 4 << 10, w: opt.Stderr}}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = opt.Env
	setDeathSignal(p.cmd)
	p.cmd.Stderr = p.stderr
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("backend child: start %s: %w", bin, err)
	}
	go p.reap()
	lines := make(chan ready, 1)
	go func() {
		var r ready
		line, err := bufio.NewReader(stdout).ReadBytes('\n')
		if err == nil {
			err = json.Unmarshal(line, &r)
		}
		if err != nil && r.Error == "" {
			r.Error = "no ready line: " + err.Error()
		}
		lines <- r
		_, _ = io.Copy(io.Discard, stdout) // until the child exits
	}()
	if _, err := p.stdin.Write(append(cfg, '\n')); err != nil {
		p.kill()
		return nil, fmt.Errorf("backend child: send config: %w%s", err, p.stderrText())
	}
	select {
	case r := <-lines:
		if r.Error != "" {
			p.kill()
			return nil, fmt.Errorf("backend child: %s%s", r.Error, p.stderrText())
		}
		p.ready = r
	case <-time.After(StartTimeout):
		p.kill()
		return nil, fmt.Errorf("backend child: not serving after %s%s", StartTimeout, p.stderrText())
	}
	if len(p.ready.CA) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(p.ready.CA) {
			p.kill()
			return nil, errors.New("backend child: its CA certificate is not PEM")
		}
		p.tls = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	p.control = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	return p, nil
}

func (p *Proc) reap() {
	err := p.cmd.Wait()
	p.mu.Lock()
	p.exitErr, p.exitAt = err, time.Now()
	p.mu.Unlock()
	close(p.done)
}

// kill ends a child that failed to start and waits for it.
func (p *Proc) kill() {
	_ = p.cmd.Process.Kill()
	_ = p.stdin.Close()
	<-p.done
}

func (p *Proc) stderrText() string {
	if s := strings.TrimSpace(p.stderr.String()); s != "" {
		return " (child said: " + s + ")"
	}
	return ""
}

// URL is the backend's base URL.
func (p *Proc) URL() string { return p.ready.URL }

// CPUs is the set the child runs on, as it reported it ("" when unpinned).
func (p *Proc) CPUs() string { return p.ready.CPUs }

// ClientTLSConfig trusts the child's CA (nil without TLS).
func (p *Proc) ClientTLSConfig() *tls.Config {
	if p.tls == nil {
		return nil
	}
	return p.tls.Clone()
}

// CACertPEM is the child's CA certificate, PEM-encoded (nil without TLS): what
// ClientTLSConfig trusts, for clients that take the CA as PEM.
func (p *Proc) CACertPEM() []byte { return append([]byte(nil), p.ready.CA...) }

// Died reports whether the child has exited while it was not being closed,
// and when.
func (p *Proc) Died() (time.Time, bool) {
	select {
	case <-p.done:
	default:
		return time.Time{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exitAt, !p.closing
}

// Stats returns the backend's counters.
func (p *Proc) Stats(ctx context.Context) (mockbackend.Stats, error) {
	var st mockbackend.Stats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.ready.Control+"/stats", nil)
	if err != nil {
		return st, err
	}
	resp, err := p.control.Do(req)
	if err != nil {
		return st, fmt.Errorf("backend child: stats: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("backend child: stats: %s", resp.Status)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// ResetConnsPeak starts a new window for the backend's peak of open
// connections.
func (p *Proc) ResetConnsPeak(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.ready.Control+"/reset-peak", nil)
	if err != nil {
		return err
	}
	resp, err := p.control.Do(req)
	if err != nil {
		return fmt.Errorf("backend child: reset peak: %w", err)
	}
	resp.Body.Close()
	return nil
}

// Close stops the child: it closes its stdin (the child shuts its server
// down gracefully and exits), kills it after CloseTimeout, and returns once
// it has been reaped.
func (p *Proc) Close() error {
	p.mu.Lock()
	p.closing = true
	p.mu.Unlock()
	p.control.CloseIdleConnections()
	_ = p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(CloseTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var exit *exec.ExitError
	if p.exitErr != nil && !errors.As(p.exitErr, &exit) {
		return p.exitErr
	}
	return nil
}

// Pid is the child's process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// tailBuffer keeps the last max bytes written to it and copies everything
// to w.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
	w   io.Writer
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(b)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	if t.w != nil {
		_, _ = t.w.Write(b)
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
