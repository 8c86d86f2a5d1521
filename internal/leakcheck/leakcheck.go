// Package leakcheck proves, outside the test binary, that the shipped targets
// leave no goroutine behind: it runs N create/use/close cycles of the intent
// watcher (metrics on) and of each transport profile's client under a short
// bounded load against a loopback TLS server, then asks goleak for any
// goroutine that was not there before. `oranbench leakcheck` runs it and
// exits 1 when Report.Leaked() is true.
package leakcheck

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"go.uber.org/goleak"

	"github.com/oranbench/oranbench/targets/transport"
)

// Defaults applied by Run to zero Options fields.
const (
	DefaultCycles         = 50
	DefaultFilesPerCycle  = 5
	DefaultRequests       = 40
	DefaultConcurrency    = 8
	DefaultRequestTimeout = 5 * time.Second
	DefaultCycleTimeout   = 10 * time.Second
)

// Options configure Run.
type Options struct {
	// Cycles is how many create/use/close cycles each subject runs.
	Cycles int
	// FilesPerCycle is how many intent files each watcher cycle processes
	// (one of them malformed) before it is closed.
	FilesPerCycle int
	// Requests is how many requests each transport cycle sends, by
	// Concurrency workers, each bounded by RequestTimeout.
	Requests       int
	Concurrency    int
	RequestTimeout time.Duration
	// CycleTimeout bounds how long a watcher cycle waits for its outcomes.
	CycleTimeout time.Duration
	// Profiles are the transport profiles to cycle; nil means every profile
	// of transport.NewRegistry().
	Profiles []transport.Profile
	// SkipWatcher and SkipTransports leave a subject out.
	SkipWatcher    bool
	SkipTransports bool

	// afterCycle lets tests leak a goroutine on purpose (negative control).
	afterCycle func(phase string, cycle int)
}

func (o Options) withDefaults() (Options, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Cycles, DefaultCycles)
	def(&o.FilesPerCycle, DefaultFilesPerCycle)
	def(&o.Requests, DefaultRequests)
	def(&o.Concurrency, DefaultConcurrency)
	if o.RequestTimeout == 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.CycleTimeout == 0 {
		o.CycleTimeout = DefaultCycleTimeout
	}
	if o.Profiles == nil {
		o.Profiles = transport.NewRegistry().Profiles()
	}
	var errs []error
	for _, c := range []struct {
		name string
		v    int
	}{{"Cycles", o.Cycles}, {"FilesPerCycle", o.FilesPerCycle}, {"Requests", o.Requests}, {"Concurrency", o.Concurrency}} {
		if c.v < 1 {
			errs = append(errs, fmt.Errorf("leakcheck: %s = %d: must be at least 1", c.name, c.v))
		}
	}
	if o.RequestTimeout < 0 || o.CycleTimeout < 0 {
		errs = append(errs, fmt.Errorf("leakcheck: RequestTimeout = %v, CycleTimeout = %v: must be positive", o.RequestTimeout, o.CycleTimeout))
	}
	return o, errors.Join(errs...)
}

// Report is the evidence behind the "goroutine leaks: 0" claim. It is
// JSON-serializable; durations are in nanoseconds.
type Report struct {
	Cycles int `json:"cycles"`
	// Goroutines and heap (HeapAlloc after a GC) around the whole run.
	GoroutinesBefore int    `json:"goroutines_before"`
	GoroutinesAfter  int    `json:"goroutines_after"`
	HeapBefore       uint64 `json:"heap_before_bytes"`
	HeapAfter        uint64 `json:"heap_after_bytes"`
	// Phases holds one entry per subject: "watcher", "transport/<profile>".
	Phases []Phase `json:"phases"`
	// LeakedStacks are the goroutines found after the run that were not there
	// before it, one goleak stack each.
	LeakedStacks []string      `json:"leaked_stacks"`
	Duration     time.Duration `json:"duration_ns"`
	// Interrupted is set when a cancelled context stopped the cycles
	// early: the phases hold the cycles that ran.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Phase is one subject's cycles.
type Phase struct {
	Name             string `json:"name"`
	Cycles           int    `json:"cycles"`
	GoroutinesBefore int    `json:"goroutines_before"`
	GoroutinesAfter  int    `json:"goroutines_after"`
	// Close latencies: Watcher.Close for the watcher, Instrumented.Close
	// (closing idle connections) for a transport.
	CloseP50 time.Duration `json:"close_p50_ns"`
	CloseP99 time.Duration `json:"close_p99_ns"`
	CloseMax time.Duration `json:"close_max_ns"`
	// Work done: intent outcomes (watcher) or completed requests (transport).
	Work int64 `json:"work"`
	// Dials counts connections dialed (transports only).
	Dials int64 `json:"dials,omitempty"`
	// Errors counts failed requests or cycles whose work did not complete;
	// the first one is in FirstError.
	Errors       int64    `json:"errors"`
	FirstError   string   `json:"first_error,omitempty"`
	LeakedStacks []string `json:"leaked_stacks"`
}

// Leaked reports whether any goroutine outlived the run or a phase.
func (r Report) Leaked() bool {
	if len(r.LeakedStacks) > 0 {
		return true
	}
	for _, p := range r.Phases {
		if len(p.LeakedStacks) > 0 {
			return true
		}
	}
	return false
}

// Errors sums the phases' errors: work that failed, which makes the run
// inconclusive even when nothing leaked.
func (r Report) Errors() int64 {
	var n int64
	for _, p := range r.Phases {
		n += p.Errors
	}
	return n
}

// Run runs the cycles and reports. Anything else running in the process
// while Run runs can show up as a leak, so run it alone. A cancelled ctx
// stops the cycles early; the report so far is returned with the error.
func Run(ctx context.Context, opts Options) (Report, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Report{}, err
	}
	start := time.Now()
	rep := Report{Cycles: opts.Cycles}
	rep.GoroutinesBefore, rep.HeapBefore = snapshot()
	baseline := goleak.IgnoreCurrent()

	var runErr error
	if !opts.SkipWatcher {
		ph, err := runWatcherPhase(ctx, opts)
		ph.LeakedStacks = findLeaks(baseline)
		ph.GoroutinesAfter = runtime.NumGoroutine()
		rep.Phases = append(rep.Phases, ph)
		runErr = errors.Join(runErr, err)
	}
	if !opts.SkipTransports {
		for _, p := range opts.Profiles {
			if ctx.Err() != nil {
				break
			}
			ph, err := runTransportPhase(ctx, opts, p)
			ph.LeakedStacks = findLeaks(baseline)
			ph.GoroutinesAfter = runtime.NumGoroutine()
			rep.Phases = append(rep.Phases, ph)
			runErr = errors.Join(runErr, err)
		}
	}
	rep.LeakedStacks = findLeaks(baseline)
	rep.GoroutinesAfter, rep.HeapAfter = snapshot()
	rep.Duration = time.Since(start)
	rep.Interrupted = ctx.Err() != nil
	return rep, runErr
}

func snapshot() (int, uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}

var goroutineHeader = regexp.MustCompile(`Goroutine \d+ in state `)

// findLeaks returns one stack per goroutine not in the baseline. goleak
// retries for a while, so goroutines that are merely finishing are not
// reported.
func findLeaks(baseline goleak.Option) []string {
	err := goleak.Find(baseline)
	if err == nil {
		return []string{}
	}
	msg := strings.TrimPrefix(err.Error(), "found unexpected goroutines:\n")
	msg = strings.TrimSuffix(strings.TrimPrefix(msg, "["), "]")
	idx := goroutineHeader.FindAllStringIndex(msg, -1)
	if len(idx) == 0 {
		return []string{msg}
	}
	stacks := make([]string, 0, len(idx))
	for i, loc := range idx {
		end := len(msg)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		stacks = append(stacks, strings.TrimSpace(msg[loc[0]:end]))
	}
	return stacks
}

// quantiles returns nearest-rank p50, p99 and max of d.
func quantiles(d []time.Duration) (p50, p99, maxD time.Duration) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	rank := func(q float64) time.Duration {
		i := int(q*float64(len(s))+0.999999) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return rank(0.50), rank(0.99), s[len(s)-1]
}

func (p *Phase) fail(err error) {
	p.Errors++
	if p.FirstError == "" {
		p.FirstError = err.Error()
	}
}
