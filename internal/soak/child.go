package soak

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A soak subject runs in a child process of its own, so that its series
// are its own: the parent starts the same binary as `oranbench soak-child`,
// writes one JSON line to its stdin (the sampling interval and the
// subject's configuration), and reads JSON lines back from its stdout: one
// sample per interval taken inside the child through runtime/metrics, and
// at the end the subject's outcome. On each sample the parent reads the
// child from outside too (/proc/PID: resident set, fds, threads). The child
// stops when its stdin closes (the parent closes it, or died); on Linux the
// kernel also kills it when the parent thread that started it exits.

// ChildCommand is the hidden subcommand that runs one soak subject.
const ChildCommand = "soak-child"

// Timeouts of a child's life cycle.
const (
	// ChildGrace is how long Close waits for a child to stop by itself
	// before killing it.
	ChildGrace = 15 * time.Second
)

// Series names a child adds to the five of ProcessSources.
const (
	Threads = "threads" // OS threads, from /proc/PID/stat
)

// ChildNames are the series of a child, in order.
func ChildNames() []string { return []string{RSS, Heap, Goroutines, FDs, Threads} }

// inside is one sample a child takes of itself.
type inside struct {
	// T is the time since the child began sampling.
	T time.Duration `json:"t"`
	// LiveHeap is the heap marked live by the collection the child forced
	// just before (/gc/heap/live:bytes).
	LiveHeap float64 `json:"liveHeap"`
	// Goroutines is the fewest goroutines seen over the interval (read 20
	// times per interval from a goroutine profile), less those running an
	// open client connection's loops (net/http's two per HTTP/1.1
	// connection, one per HTTP/2 connection): the count in its quietest
	// moment, without the requests in flight and without the pool, whose
	// size the transport bounds and whose connections FDs counts. A leaked
	// connection shows there, as an fd; any other goroutine shows here.
	Goroutines float64 `json:"goroutines"`
	// ConnGoroutines is the goroutines left out of Goroutines at that
	// moment.
	ConnGoroutines float64 `json:"connGoroutines"`
	// GCCycles counts completed collections (/gc/cycles/total:gc-cycles).
	GCCycles uint64 `json:"gcCycles"`
	// FDs is the fewest open fds seen over the interval (read from
	// /proc/self/fd 20 times per interval, as Goroutines): without the
	// connections opened and closed within it. -1 where unavailable.
	FDs float64 `json:"fds"`
}

// line is one line of a child's stdout.
type line struct {
	Sample *inside         `json:"sample,omitempty"`
	Done   json.RawMessage `json:"done,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// envelope is the line a child reads from its stdin.
type envelope struct {
	Interval time.Duration   `json:"interval"`
	Config   json.RawMessage `json:"config"`
}

// RunFunc runs a subject in the child until ctx ends or it is done, and
// returns its outcome (encoded as JSON for the parent).
type RunFunc func(ctx context.Context, config []byte) (any, error)

// ServeChild is the child's side of a soak subject: it reads the envelope
// from stdin, samples itself every interval onto stdout while run runs,
// then writes run's outcome (or error) and returns. run's ctx ends when
// stdin closes.
func ServeChild(stdin io.Reader, stdout io.Writer, run RunFunc) error {
	in := bufio.NewReader(stdin)
	w := &lineWriter{enc: json.NewEncoder(stdout)}
	b, err := in.ReadBytes('\n')
	if err != nil {
		w.write(line{Error: "read config: " + err.Error()})
		return err
	}
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil || env.Interval <= 0 {
		err = fmt.Errorf("decode config %q: %v", b, err)
		w.write(line{Error: err.Error()})
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // ends when the parent closes stdin or dies
		_, _ = io.Copy(io.Discard, in)
		cancel()
	}()
	sctx, stop := context.WithCancel(ctx)
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		report(sctx, w, env.Interval)
	}()
	out, err := run(ctx, env.Config)
	stop()
	<-sampled
	if err != nil {
		w.write(line{Error: err.Error()})
		return err
	}
	done, err := json.Marshal(out)
	if err != nil {
		w.write(line{Error: err.Error()})
		return err
	}
	w.write(line{Done: done})
	return nil
}

type lineWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (w *lineWriter) write(l line) {
	w.mu.Lock()
	defer w.mu.Unlock()
	_ = w.enc.Encode(l)
}

// report writes a sample of this process every interval until ctx ends:
// the goroutines at their fewest over the interval, then a forced
// collection and the live heap it marked.
func report(ctx context.Context, w *lineWriter, interval time.Duration) {
	began := time.Now()
	ms := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	var gc goroutineCounter
	// own counts the goroutines outside the connections' loops, and those.
	own := func() (float64, float64) {
		total, conn, err := gc.count()
		if err != nil {
			return float64(runtime.NumGoroutine()), 0
		}
		return float64(total - conn), float64(conn)
	}
	sample := func(fewest, conns, fds float64) {
		runtime.GC()
		metrics.Read(ms)
		w.write(line{Sample: &inside{T: time.Since(began), LiveHeap: float64(ms[0].Value.Uint64()),
			Goroutines: fewest, ConnGoroutines: conns, GCCycles: ms[1].Value.Uint64(), FDs: fds}})
	}
	fdsNow := func() float64 {
		n, err := readFDs()
		if err != nil {
			return -1
		}
		return n
	}
	g0, c0 := own()
	sample(g0, c0, fdsNow())
	// At most every 25 ms: each reading takes a goroutine profile, which
	// stops the world for a moment.
	sub := max(interval/20, 25*time.Millisecond)
	tick := time.NewTicker(sub)
	defer tick.Stop()
	next := began.Add(interval)
	fewest, fewestConns, fewestFDs := -1.0, 0.0, -1.0
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if n, c := own(); fewest < 0 || n < fewest {
				fewest, fewestConns = n, c
			}
			if n := fdsNow(); n >= 0 && (fewestFDs < 0 || n < fewestFDs) {
				fewestFDs = n
			}
			if !now.Before(next) {
				sample(fewest, fewestConns, fewestFDs)
				fewest, fewestFDs = -1, -1
				next = next.Add(interval)
				if now.After(next) { // fell behind: skip, do not burst
					next = now.Add(interval)
				}
			}
		}
	}
}

// ChildOptions start a child.
type ChildOptions struct {
	// Name of the subject, for errors.
	Name string
	// Binary is the oranbench executable; empty means this process's own.
	Binary string
	// Config is the subject's configuration, handed to the child's RunFunc.
	Config any
	// Interval between samples (DefaultInterval when 0); Capacity of each
	// series (DefaultCapacity when 0).
	Interval time.Duration
	Capacity int
	// Stderr receives the child's diagnostics (nil discards).
	Stderr io.Writer
}

// Child is a running soak subject in a process of its own, sampled from
// inside (its lines) and outside (/proc/PID).
type Child struct {
	opt   ChildOptions
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{} // closed once its stdout is read and it is reaped

	mu          sync.Mutex
	series      []*Series
	unavailable []error
	misses      []int
	gcCycles    uint64
	outcome     json.RawMessage
	failure     string
	exitErr     error
}

// StartChild starts a child running the subject of opt.Config.
func StartChild(opt ChildOptions) (*Child, error) {
	if opt.Interval <= 0 {
		opt.Interval = DefaultInterval
	}
	if opt.Capacity <= 0 {
		opt.Capacity = DefaultCapacity
	}
	bin := opt.Binary
	if bin == "" {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("soak child %s: find this executable: %w", opt.Name, err)
		}
		bin = self
	}
	cfg, err := json.Marshal(opt.Config)
	if err != nil {
		return nil, fmt.Errorf("soak child %s: encode config: %w", opt.Name, err)
	}
	env, err := json.Marshal(envelope{Interval: opt.Interval, Config: cfg})
	if err != nil {
		return nil, err
	}
	c := &Child{opt: opt, done: make(chan struct{}), unavailable: make([]error, len(ChildNames())), misses: make([]int, len(ChildNames()))}
	for range ChildNames() {
		c.series = append(c.series, NewSeries(opt.Capacity))
	}
	c.cmd = exec.Command(bin, ChildCommand)
	setDeathSignal(c.cmd)
	c.cmd.Stderr = opt.Stderr
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("soak child %s: start %s: %w", opt.Name, bin, err)
	}
	go c.read(stdout)
	if _, err := c.stdin.Write(append(env, '\n')); err != nil {
		_ = c.cmd.Process.Kill()
		_ = c.stdin.Close()
		<-c.done
		return nil, fmt.Errorf("soak child %s: send config: %w", opt.Name, err)
	}
	return c, nil
}

// read takes the child's lines until it closes its stdout, then reaps it.
func (c *Child) read(stdout io.Reader) {
	defer close(c.done)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	dir := "/proc/" + strconv.Itoa(c.cmd.Process.Pid)
	first := true
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			continue // not ours (a stray print): skip it
		}
		switch {
		case l.Sample != nil:
			c.add(dir, *l.Sample, first)
			first = false
		case l.Done != nil:
			c.mu.Lock()
			c.outcome = l.Done
			c.mu.Unlock()
		case l.Error != "":
			c.mu.Lock()
			c.failure = l.Error
			c.mu.Unlock()
		}
	}
	_, _ = io.Copy(io.Discard, stdout)
	err := c.cmd.Wait()
	c.mu.Lock()
	c.exitErr = err
	c.mu.Unlock()
}

// add records one sample: the child's own figures and /proc/PID's.
func (c *Child) add(dir string, s inside, first bool) {
	outside := []func() (float64, error){
		func() (float64, error) { return readRSSIn(dir) },
		nil, nil,
		func() (float64, error) { return readFDsIn(dir, 0) },
		func() (float64, error) { return readThreadsIn(dir) },
	}
	vals := []float64{0, s.LiveHeap, s.Goroutines, s.FDs, 0}
	if s.FDs >= 0 {
		outside[3] = nil // the child's fewest over the interval
	}
	errs := make([]error, len(vals))
	for i, f := range outside {
		if f != nil {
			vals[i], errs[i] = f()
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gcCycles = s.GCCycles
	for i := range vals {
		switch {
		case errs[i] != nil && first:
			c.unavailable[i] = errs[i]
		case c.unavailable[i] != nil:
		case errs[i] != nil:
			c.misses[i]++
		default:
			c.series[i].Add(s.T, vals[i])
		}
	}
}

// Pid is the child's process id.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// Done is closed once the child has exited and its output is read.
func (c *Child) Done() <-chan struct{} { return c.done }

// Close asks the child to stop (closes its stdin), kills it after
// ChildGrace, and returns once it is reaped. It may be called more than
// once.
func (c *Child) Close() {
	_ = c.stdin.Close()
	t := time.NewTimer(ChildGrace)
	defer t.Stop()
	select {
	case <-c.done:
	case <-t.C:
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// Wait waits for the child to end by itself (its subject done) or ctx to
// end, then closes it.
func (c *Child) Wait(ctx context.Context) {
	select {
	case <-c.done:
	case <-ctx.Done():
	}
	c.Close()
}

// Outcome decodes the child's outcome into v; an error when the child
// failed or ended without one.
func (c *Child) Outcome(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.failure != "":
		return fmt.Errorf("soak child %s: %s", c.opt.Name, c.failure)
	case c.outcome == nil:
		msg := "ended without an outcome"
		if c.exitErr != nil {
			msg += ": " + c.exitErr.Error()
		}
		return fmt.Errorf("soak child %s: %s", c.opt.Name, msg)
	}
	return json.Unmarshal(c.outcome, v)
}

// GCCycles is how many collections the child had completed at its last
// sample.
func (c *Child) GCCycles() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gcCycles
}

// Results returns what has been sampled so far, one Result per series of
// ChildNames.
func (c *Child) Results() []Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Result
	for i, n := range ChildNames() {
		out = append(out, Result{Name: n, Unavailable: c.unavailable[i], Misses: c.misses[i], Points: c.series[i].Points(),
			Samples: c.series[i].Samples(), PerPoint: c.series[i].PerPoint(), Interval: c.opt.Interval})
	}
	return out
}

// readThreadsIn reads the number of threads from dir/stat (field 20).
func readThreadsIn(dir string) (float64, error) {
	b, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("%s/stat: no ')' in %q", dir, s)
	}
	f := strings.Fields(s[i+1:])
	// After the command: state is field 3, num_threads field 20.
	if len(f) < 18 {
		return 0, fmt.Errorf("%s/stat: %d fields after the command; want at least 18", dir, len(f))
	}
	n, err := strconv.ParseFloat(f[17], 64)
	if err != nil {
		return 0, fmt.Errorf("%s/stat: threads %q: %v", dir, f[17], err)
	}
	return n, nil
}
