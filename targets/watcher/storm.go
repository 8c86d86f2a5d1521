package watcher

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Storm defaults.
const (
	DefaultStormIntents = 2000
	DefaultStormTimeout = 2 * time.Minute
	// stormMaxLatency is the histogram's upper bound; longer values are
	// clamped to it (a storm is bounded by its timeout anyway).
	stormMaxLatency = 10 * time.Minute
)

// StormConfig configures RunStorm: the end-to-end intent pipeline
// file → watcher → Porch over Watcher.Client.
type StormConfig struct {
	// Watcher configures the watcher under test. Client and PorchURL are
	// required. An empty Dir gets a fresh temporary directory, removed
	// afterwards. OnOutcome, if set, is still called.
	Watcher Config
	// Intents is how many intent files to write (default 2000).
	Intents int
	// IntentsPerSec paces the writes; 0 writes them all at once.
	IntentsPerSec float64
	// Timeout bounds the whole storm, writes and outcomes (default 2 min).
	Timeout time.Duration
}

// StormResult is what RunStorm measured. Latency is from just before an
// intent file is written to just after its status file is recorded, so it
// includes the watcher's Debounce and StableFor windows.
type StormResult struct {
	Intents   int `json:"intents"`
	Processed int `json:"processed"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
	// Elapsed runs from the first write to the last outcome.
	Elapsed time.Duration `json:"elapsed_ns"`
	// IntentsPerSec is outcomes / Elapsed.
	IntentsPerSec float64       `json:"intents_per_sec"`
	P50           time.Duration `json:"p50_ns"`
	P95           time.Duration `json:"p95_ns"`
	P99           time.Duration `json:"p99_ns"`
	Max           time.Duration `json:"max_ns"`
	// Latency holds every latency in microseconds.
	Latency *hdrhistogram.Histogram `json:"-"`
	// Watcher is the watcher's counters at the end of the storm.
	Watcher Stats `json:"watcher"`
}

// RunStorm writes cfg.Intents valid intent files (each atomically: temp file,
// then rename) into the watched directory, waits until every one has an
// outcome or the timeout expires, closes the watcher and reports throughput
// and latency. On timeout it returns the partial result and an error.
func RunStorm(ctx context.Context, cfg StormConfig) (res StormResult, err error) {
	if cfg.Intents == 0 {
		cfg.Intents = DefaultStormIntents
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultStormTimeout
	}
	if cfg.Intents < 0 {
		return res, fmt.Errorf("storm: Intents = %d: must be positive", cfg.Intents)
	}
	if cfg.IntentsPerSec < 0 {
		return res, fmt.Errorf("storm: IntentsPerSec = %v: must be ≥ 0 (0 writes all at once)", cfg.IntentsPerSec)
	}
	if cfg.Timeout < 0 {
		return res, fmt.Errorf("storm: Timeout = %v: must be positive", cfg.Timeout)
	}
	wcfg := cfg.Watcher
	if wcfg.Dir == "" {
		dir, err := os.MkdirTemp("", "oranbench-storm-")
		if err != nil {
			return res, fmt.Errorf("storm: %w", err)
		}
		defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
		wcfg.Dir = dir
	}

	rec := newStormRecorder(cfg.Intents)
	userHook := wcfg.OnOutcome
	wcfg.OnOutcome = func(o Outcome) {
		rec.observe(o, time.Now())
		if userHook != nil {
			userHook(o)
		}
	}
	w, err := New(wcfg)
	if err != nil {
		return res, fmt.Errorf("storm: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	if err := w.Start(ctx); err != nil {
		return res, fmt.Errorf("storm: %w", err)
	}
	defer func() {
		err = errors.Join(err, w.Close())
		res.Watcher = w.Stats()
	}()

	nonce := make([]byte, 6)
	_, _ = rand.Read(nonce) // unique content per storm, so no arm hits Porch conflicts
	start := time.Now()
	werr := writeStorm(ctx, wcfg.Dir, hex.EncodeToString(nonce), cfg, start, rec)

	var waitErr error
	if werr == nil {
		select {
		case <-rec.done:
		case <-ctx.Done():
			waitErr = fmt.Errorf("storm: %d of %d intents had an outcome: %w", rec.count(), cfg.Intents, ctx.Err())
		}
	}
	res = rec.result(cfg.Intents, start)
	return res, errors.Join(werr, waitErr)
}

func writeStorm(ctx context.Context, dir, nonce string, cfg StormConfig, start time.Time, rec *stormRecorder) error {
	var pace *time.Timer
	for i := range cfg.Intents {
		if cfg.IntentsPerSec > 0 {
			due := start.Add(time.Duration(float64(i) / cfg.IntentsPerSec * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				if pace == nil {
					pace = time.NewTimer(d)
					defer pace.Stop()
				} else {
					pace.Reset(d)
				}
				select {
				case <-ctx.Done():
					return fmt.Errorf("storm: wrote %d of %d intents: %w", i, cfg.Intents, ctx.Err())
				case <-pace.C:
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("storm: wrote %d of %d intents: %w", i, cfg.Intents, err)
		}
		name := fmt.Sprintf("intent-storm-%06d.json", i)
		body := fmt.Sprintf(`{"intent_type":"scaling","target":"storm-nf","namespace":"ran-sim","replicas":%d,"source":"oranbench-storm","correlation_id":"%s-%d"}`,
			i%10+1, nonce, i)
		rec.created(name, time.Now())
		tmp := filepath.Join(dir, ".storm-"+name+".tmp")
		if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
			return fmt.Errorf("storm: write %s: %w", tmp, err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("storm: rename %s: %w", tmp, err)
		}
	}
	return nil
}

// stormRecorder matches outcomes to creation times; workers call observe
// concurrently.
type stormRecorder struct {
	mu        sync.Mutex
	want      int
	createdAt map[string]time.Time
	hist      *hdrhistogram.Histogram
	counts    map[Status]int
	last      time.Time
	done      chan struct{}
}

func newStormRecorder(want int) *stormRecorder {
	return &stormRecorder{
		want:      want,
		createdAt: make(map[string]time.Time, want),
		hist:      hdrhistogram.New(1, stormMaxLatency.Microseconds(), 3),
		counts:    make(map[Status]int),
		done:      make(chan struct{}),
	}
}

func (r *stormRecorder) created(name string, at time.Time) {
	r.mu.Lock()
	r.createdAt[name] = at
	r.mu.Unlock()
}

func (r *stormRecorder) observe(o Outcome, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.createdAt[o.IntentFile]
	if !ok {
		return // not one of ours
	}
	delete(r.createdAt, o.IntentFile)
	us := min(max(now.Sub(at).Microseconds(), 1), stormMaxLatency.Microseconds())
	_ = r.hist.RecordValue(us) // in range by construction
	r.counts[o.Status]++
	r.last = now
	if r.total() == r.want {
		close(r.done)
	}
}

func (r *stormRecorder) total() int {
	return r.counts[StatusProcessed] + r.counts[StatusSkipped] + r.counts[StatusFailed]
}

func (r *stormRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total()
}

func (r *stormRecorder) result(intents int, start time.Time) StormResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := StormResult{
		Intents:   intents,
		Processed: r.counts[StatusProcessed],
		Skipped:   r.counts[StatusSkipped],
		Failed:    r.counts[StatusFailed],
		Latency:   hdrhistogram.Import(r.hist.Export()),
	}
	if r.total() > 0 {
		res.Elapsed = r.last.Sub(start)
		if res.Elapsed > 0 {
			res.IntentsPerSec = float64(r.total()) / res.Elapsed.Seconds()
		}
		us := func(q float64) time.Duration { return time.Duration(r.hist.ValueAtQuantile(q)) * time.Microsecond }
		res.P50, res.P95, res.P99 = us(50), us(95), us(99)
		res.Max = time.Duration(r.hist.Max()) * time.Microsecond
	}
	return res
}
