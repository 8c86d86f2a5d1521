// Package soak samples a process's resources at a fixed interval while load
// runs, so that a leak shows as a slope over time rather than as a
// difference between two snapshots.
//
// A Sampler reads each Source once per interval into a Series, a
// fixed-size buffer that averages neighbouring points when it fills up, so
// a two-hour soak holds no more than a ten-second one. The sources of this
// process (ProcessSources) are its resident set size, Go heap in use,
// goroutines, open file descriptors, and the sockets in TIME_WAIT towards
// one backend. A source that cannot be read on this system (no /proc) is
// reported as not measured and the others still run.
package soak

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultInterval = time.Second
	// DefaultCapacity is how many points each series keeps; see
	// analysis.MaxSlopePoints, which it must not exceed.
	DefaultCapacity = 512
)

// Source is one resource read at every sample.
type Source struct {
	// Name identifies the series ("rss", "heap", ...).
	Name string
	// Read returns the current value, in the unit of the series (bytes
	// for memory, a count otherwise).
	Read func() (float64, error)
}

// Options configure Start.
type Options struct {
	// Interval between samples (DefaultInterval when 0).
	Interval time.Duration
	// Capacity of each series in points (DefaultCapacity when 0).
	Capacity int
	Sources  []Source
}

// Sampler reads its sources once per interval until Stop.
type Sampler struct {
	opt    Options
	cancel context.CancelFunc
	done   chan struct{}
	stop   sync.Once

	mu     sync.Mutex
	series []*Series
	// unavailable holds, per source, why it could not be read at the first
	// sample (nil when it could); misses counts later failed reads.
	unavailable []error
	misses      []int
	began       time.Time
}

// Start takes a first sample now and then one every interval, on a
// goroutine that runs until Stop is called or ctx is done.
func Start(ctx context.Context, opt Options) *Sampler {
	if opt.Interval <= 0 {
		opt.Interval = DefaultInterval
	}
	if opt.Capacity <= 0 {
		opt.Capacity = DefaultCapacity
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Sampler{opt: opt, cancel: cancel, done: make(chan struct{}), began: time.Now(),
		unavailable: make([]error, len(opt.Sources)), misses: make([]int, len(opt.Sources))}
	for range opt.Sources {
		s.series = append(s.series, NewSeries(opt.Capacity))
	}
	s.sample(true)
	go s.loop(ctx)
	return s
}

func (s *Sampler) loop(ctx context.Context) {
	defer close(s.done)
	tick := time.NewTicker(s.opt.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.sample(false)
		}
	}
}

func (s *Sampler) sample(first bool) {
	for i, src := range s.opt.Sources {
		if !first && s.unavailable[i] != nil {
			continue
		}
		v, err := src.Read()
		t := time.Since(s.began)
		s.mu.Lock()
		switch {
		case err != nil && first:
			s.unavailable[i] = err
		case err != nil:
			s.misses[i]++
		default:
			s.series[i].Add(t, v)
		}
		s.mu.Unlock()
	}
}

// Stop ends sampling, waits for the sampling goroutine, and returns what
// was sampled. It may be called more than once.
func (s *Sampler) Stop() []Result {
	s.stop.Do(func() {
		s.cancel()
		<-s.done
	})
	return s.Results()
}

// Results returns what has been sampled so far, one Result per source in
// the order of Options.Sources.
func (s *Sampler) Results() []Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Result, len(s.opt.Sources))
	for i, src := range s.opt.Sources {
		out[i] = Result{Name: src.Name, Unavailable: s.unavailable[i], Misses: s.misses[i],
			Points: s.series[i].Points(), Samples: s.series[i].Samples(), PerPoint: s.series[i].PerPoint(), Interval: s.opt.Interval}
	}
	return out
}

// Result is one source's samples.
type Result struct {
	Name string
	// Unavailable is why the source could not be read at the first
	// sample (ErrUnavailable or sockstat.ErrNotSupported, wrapped, where
	// the system lacks it); nil when it was measured.
	Unavailable error
	// Misses counts reads that failed after the first succeeded.
	Misses int
	// Points are the stored points; PerPoint samples each (after
	// downsampling); Samples counts every sample taken.
	Points   []Point
	Samples  int
	PerPoint int
	Interval time.Duration
}

// ErrUnavailable is wrapped by a Source's Read when this system does not
// provide the value.
var ErrUnavailable = errors.New("not available on this system")
