package watcher

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher watches one directory for intent files. Create it with New, run it
// with Start, stop it with Close.
type Watcher struct {
	cfg     Config
	porch   *porchClient
	metrics *metrics
	dedup   *dedupSet
	dur     durability

	mu    sync.Mutex // guards state and the fields Start sets
	state lifecycle

	fsw          *fsnotify.Watcher
	queue        chan string
	intakeCancel context.CancelFunc
	workCtx      context.Context
	workCancel   context.CancelFunc
	bgCancel     context.CancelFunc
	eventsDone   chan struct{} // closed when the event loop has exited
	workersLeft  atomic.Int32
	workersDone  chan struct{} // closed by the last worker to exit
	bg           sync.WaitGroup
	stopMonitor  chan struct{}
	monitorDone  chan struct{}
	srv          *http.Server
	metricsURL   string
	serveErr     error
	closing      atomic.Bool

	inflightMu sync.Mutex
	inflight   map[string]struct{} // names queued or being processed

	closeOnce sync.Once
	closeErr  error

	processed, failed, skipped, vanished, abandoned atomic.Int64
	porchRequests, porchRetries                     atomic.Int64
	overflows, rescans, errCount                    atomic.Int64
	pending                                         atomic.Int64
	recovered, tempsRemoved                         atomic.Int64
}

type lifecycle int

// emptyFileWait is how long a 0-byte intent file must stay empty before it is
// processed (and fails as empty).
const emptyFileWait = time.Second

const (
	stateNew lifecycle = iota
	stateRunning
	stateClosed
)

// Stats is a snapshot of a watcher's counters.
type Stats struct {
	Processed int64 `json:"processed"` // submitted and moved to processed/
	Skipped   int64 `json:"skipped"`   // duplicate content, moved to processed/
	Failed    int64 `json:"failed"`    // moved to failed/
	// Vanished counts files that disappeared before their outcome.
	Vanished int64 `json:"vanished"`
	// Abandoned counts files left in the directory because the grace period
	// ran out; the next Start processes them.
	Abandoned     int64 `json:"abandoned"`
	PorchRequests int64 `json:"porch_requests"`
	PorchRetries  int64 `json:"porch_retries"`
	// Overflows counts fsnotify queue overflows, each followed by a rescan.
	Overflows int64 `json:"overflows"`
	Rescans   int64 `json:"rescans"`
	// Errors counts files whose outcome could not be recorded (move or
	// status-file failure); they stay in the directory.
	Errors   int64 `json:"errors"`
	Queued   int   `json:"queued"`
	InFlight int   `json:"in_flight"`
	Pending  int64 `json:"pending"`
	// Recovered counts status files Start wrote for intents an earlier
	// watcher had moved to processed/ or failed/ but not recorded (it was
	// killed or lost power in between).
	Recovered int64 `json:"recovered"`
	// TempsRemoved counts torn status temp files Start removed: status
	// writes an earlier watcher did not finish, which are not outcomes.
	TempsRemoved int64 `json:"temps_removed"`
}

// New validates cfg, fills defaults and returns a watcher that has not
// started; it starts no goroutine and opens nothing.
func New(cfg Config) (*Watcher, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	w := &Watcher{
		cfg:      cfg,
		metrics:  newMetrics(),
		dedup:    newDedupSet(),
		dur:      durability{off: cfg.NoSync},
		inflight: make(map[string]struct{}),
	}
	w.porch = &porchClient{
		client:    cfg.Client,
		base:      strings.TrimRight(cfg.PorchURL, "/"),
		namespace: cfg.Namespace,
		repo:      cfg.Repository,
		attempts:  cfg.SubmitAttempts,
		observe: func(op string, code int) {
			w.porchRequests.Add(1)
			w.metrics.porch.WithLabelValues(op, codeLabel(code)).Inc()
		},
		retried: func() {
			w.porchRetries.Add(1)
			w.metrics.retries.Inc()
		},
	}
	return w, nil
}

// Config returns the effective configuration (defaults filled in).
func (w *Watcher) Config() Config { return w.cfg }

// MetricsURL is the base URL of the metrics server ("" when metrics are off
// or the watcher has not started), e.g. http://127.0.0.1:41234.
func (w *Watcher) MetricsURL() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.metricsURL
}

// Stats returns a snapshot of the counters; safe from any goroutine.
func (w *Watcher) Stats() Stats {
	w.inflightMu.Lock()
	inFlight := len(w.inflight)
	w.inflightMu.Unlock()
	w.mu.Lock()
	queued := 0
	if w.queue != nil {
		queued = len(w.queue)
	}
	w.mu.Unlock()
	return Stats{
		Processed: w.processed.Load(), Skipped: w.skipped.Load(), Failed: w.failed.Load(),
		Vanished: w.vanished.Load(), Abandoned: w.abandoned.Load(),
		PorchRequests: w.porchRequests.Load(), PorchRetries: w.porchRetries.Load(),
		Overflows: w.overflows.Load(), Rescans: w.rescans.Load(), Errors: w.errCount.Load(),
		Queued: queued, InFlight: inFlight, Pending: w.pending.Load(),
		Recovered: w.recovered.Load(), TempsRemoved: w.tempsRemoved.Load(),
	}
}

// Start creates processed/, failed/ and status/, repairs what a crashed
// watcher left there (see Stats.Recovered and Stats.TempsRemoved), seeds
// de-duplication from processed/, starts watching, queues the intent files
// already present and starts the workers (and, if MetricsAddr is set, the metrics loop and
// server). It returns once all of that is running. When ctx is cancelled the
// watcher closes itself as Close does; Close must still be called (it is
// idempotent) to wait for that to finish.
func (w *Watcher) Start(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch w.state {
	case stateRunning:
		return errors.New("watcher: Start called twice")
	case stateClosed:
		return errors.New("watcher: Start after Close")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("watcher: start: %w", err)
	}
	for _, sub := range []string{ProcessedDir, FailedDir, StatusDir} {
		if err := os.MkdirAll(filepath.Join(w.cfg.Dir, sub), 0o755); err != nil {
			return fmt.Errorf("watcher: start: %w", err)
		}
	}
	// The sub-directories must outlive a power loss before files move in.
	if err := w.dur.dir(w.cfg.Dir); err != nil {
		return fmt.Errorf("watcher: start: %w", err)
	}
	rec, err := recoverOutcomes(w.dur, w.cfg.Dir)
	w.recovered.Add(int64(rec.recovered))
	w.tempsRemoved.Add(int64(rec.tempsRemoved))
	if err != nil {
		return fmt.Errorf("watcher: start: %w", err)
	}
	if err := w.dedup.seed(filepath.Join(w.cfg.Dir, ProcessedDir), w.cfg.MaxFileBytes); err != nil {
		return fmt.Errorf("watcher: start: %w", err)
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watcher: start: fsnotify: %w", err)
	}
	if err := fsw.Add(w.cfg.Dir); err != nil {
		_ = fsw.Close()
		return fmt.Errorf("watcher: start: watch %s: %w", w.cfg.Dir, err)
	}
	w.fsw = fsw
	if w.cfg.MetricsAddr != "" {
		if err := w.startMetricsServer(); err != nil {
			_ = fsw.Close()
			return err
		}
	}

	w.queue = make(chan string, w.cfg.QueueDepth)
	var intakeCtx, bgCtx context.Context
	intakeCtx, w.intakeCancel = context.WithCancel(context.Background())
	w.workCtx, w.workCancel = context.WithCancel(context.Background())
	bgCtx, w.bgCancel = context.WithCancel(context.Background())
	w.eventsDone = make(chan struct{})
	w.workersDone = make(chan struct{})
	w.stopMonitor = make(chan struct{})
	w.monitorDone = make(chan struct{})

	go w.runEvents(intakeCtx)
	w.workersLeft.Store(int32(w.cfg.Workers))
	for range w.cfg.Workers {
		go w.runWorker()
	}
	if w.cfg.MetricsAddr != "" {
		w.bg.Add(1)
		go w.runCollector(bgCtx)
	}
	go w.monitor(ctx)
	w.state = stateRunning
	return nil
}

// monitor closes the watcher when Start's context is cancelled.
func (w *Watcher) monitor(ctx context.Context) {
	defer close(w.monitorDone)
	select {
	case <-ctx.Done():
		w.closeOnce.Do(w.shutdown)
	case <-w.stopMonitor:
	}
}

// Close stops intake, drains queued work for up to GracePeriod (what is not
// drained stays in the directory), shuts the metrics server down and waits
// for every goroutine the watcher started. It is idempotent and safe from any
// goroutine; every call returns the same error. Its duration is bounded by
// GracePeriod plus the time for in-flight Porch calls to observe
// cancellation, plus at most one second for in-flight metrics scrapes.
func (w *Watcher) Close() error {
	w.closeOnce.Do(w.shutdown)
	w.mu.Lock()
	monitorDone := w.monitorDone
	w.mu.Unlock()
	if monitorDone != nil {
		<-monitorDone
	}
	return w.closeErr
}

// shutdown runs once. Order: stop intake (event loop exits, closes fsnotify
// and the queue) → drain queue until the grace deadline, then cancel in-flight
// work → stop metrics loop and server → wait for them.
func (w *Watcher) shutdown() {
	w.mu.Lock()
	prev := w.state
	w.state = stateClosed
	w.mu.Unlock()
	if prev != stateRunning {
		return
	}
	w.closing.Store(true)
	close(w.stopMonitor)
	deadline := time.NewTimer(w.cfg.GracePeriod)
	defer deadline.Stop()

	w.intakeCancel()
	<-w.eventsDone
	select {
	case <-w.workersDone:
	case <-deadline.C:
		w.workCancel()
		<-w.workersDone
	}
	w.workCancel()

	w.bgCancel()
	errs := []error{w.stopMetricsServer()}
	w.bg.Wait()
	errs = append(errs, w.serveErr)
	w.closeErr = errors.Join(errs...)
}

// pendingFile is a file seen by the event loop but not yet queued.
type pendingFile struct {
	lastEvent time.Time // zero for files found by a scan
	size      int64
	modTime   time.Time
	statAt    time.Time
	statErr   bool
}

// runEvents is the event loop: it owns the pending set and is the only
// sender on the queue, which it closes on exit.
func (w *Watcher) runEvents(ctx context.Context) {
	// Exit order: close the queue first so workers start draining, then
	// fsnotify (closing an inotify instance can take milliseconds).
	defer close(w.eventsDone)
	defer func() { _ = w.fsw.Close() }()
	defer close(w.queue)

	pending := make(map[string]*pendingFile)
	var order []string // names in first-seen order, for fairness
	add := func(name string, evTime time.Time) {
		p, ok := pending[name]
		if !ok {
			p = &pendingFile{}
			pending[name] = p
			order = append(order, name)
		}
		p.lastEvent = evTime
		w.statInto(p, name, time.Now())
	}
	scan := func() {
		w.rescans.Add(1)
		entries, err := os.ReadDir(w.cfg.Dir)
		if err != nil {
			w.errCount.Add(1)
			return
		}
		for _, e := range entries {
			if e.Type().IsRegular() && isIntentName(e.Name()) {
				if _, ok := pending[e.Name()]; !ok {
					add(e.Name(), time.Time{})
				}
			}
		}
	}

	scan() // files present at start; the watch is already in place
	w.pending.Store(int64(len(pending)))
	tick := min(w.cfg.Debounce, max(w.cfg.StableFor, time.Millisecond)) / 2
	ticker := time.NewTicker(max(tick, 5*time.Millisecond))
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			name := filepath.Base(ev.Name)
			if filepath.Dir(ev.Name) == filepath.Clean(w.cfg.Dir) && isIntentName(name) &&
				ev.Has(fsnotify.Create|fsnotify.Write) {
				add(name, time.Now())
			}
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: the directory itself is the truth.
				w.overflows.Add(1)
				scan()
			} else {
				w.errCount.Add(1)
			}
		case now := <-ticker.C:
			order = w.promote(pending, order, now)
		}
		w.pending.Store(int64(len(pending)))
	}
}

func (w *Watcher) statInto(p *pendingFile, name string, now time.Time) (gone bool) {
	fi, err := os.Stat(filepath.Join(w.cfg.Dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if err != nil {
		p.statErr = true
		return false
	}
	if !p.statErr && fi.Size() == p.size && fi.ModTime().Equal(p.modTime) && !p.statAt.IsZero() {
		return false // unchanged: keep the time it was first seen like this
	}
	p.statErr = false
	p.size, p.modTime, p.statAt = fi.Size(), fi.ModTime(), now
	return false
}

// promote queues pending files that are debounced and stable, oldest first,
// until the queue is full; the rest wait for the next tick. A file that is
// still queued or being processed under the same name waits too.
func (w *Watcher) promote(pending map[string]*pendingFile, order []string, now time.Time) []string {
	kept := order[:0]
	full := false
	for i, name := range order {
		if full {
			kept = append(kept, order[i:]...)
			break
		}
		p := pending[name]
		if now.Sub(p.lastEvent) < w.cfg.Debounce || w.isInflight(name) {
			kept = append(kept, name)
			continue
		}
		prevSize, prevMod, prevAt := p.size, p.modTime, p.statAt
		if w.statInto(p, name, now) {
			delete(pending, name)
			continue
		}
		need := w.cfg.StableFor
		if p.size == 0 {
			// A writer that creates, then writes, leaves the file empty for a
			// moment; an empty file waits longer before it is judged.
			need = max(need, emptyFileWait)
		}
		stable := p.statErr || (p.size == prevSize && p.modTime.Equal(prevMod) && p.statAt.Equal(prevAt) && now.Sub(p.statAt) >= need)
		if !stable {
			kept = append(kept, name)
			continue
		}
		w.markInflight(name)
		select {
		case w.queue <- name:
			delete(pending, name)
		default:
			w.unmarkInflight(name)
			kept = append(kept, name)
			full = true
		}
	}
	return kept
}

func (w *Watcher) isInflight(name string) bool {
	w.inflightMu.Lock()
	defer w.inflightMu.Unlock()
	_, ok := w.inflight[name]
	return ok
}

func (w *Watcher) markInflight(name string) {
	w.inflightMu.Lock()
	w.inflight[name] = struct{}{}
	w.inflightMu.Unlock()
}

func (w *Watcher) unmarkInflight(name string) {
	w.inflightMu.Lock()
	delete(w.inflight, name)
	w.inflightMu.Unlock()
}

// runWorker processes queued files until the queue is closed and empty. Once
// the grace period has run out (workCtx cancelled) it leaves the remaining
// files in the directory untouched.
func (w *Watcher) runWorker() {
	defer func() {
		if w.workersLeft.Add(-1) == 0 {
			close(w.workersDone)
		}
	}()
	for name := range w.queue {
		if w.workCtx.Err() != nil {
			w.abandoned.Add(1)
		} else {
			w.process(w.workCtx, name)
		}
		w.unmarkInflight(name)
	}
}

// process takes one file to its outcome, or leaves it untouched if the grace
// period runs out while its Porch submission is in flight.
func (w *Watcher) process(ctx context.Context, name string) {
	start := time.Now()
	path := filepath.Join(w.cfg.Dir, name)
	data, err := readCapped(path, w.cfg.MaxFileBytes)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		w.vanished.Add(1)
		return
	case errors.Is(err, errTooLarge):
		w.finish(name, start, StatusFailed, fmt.Sprintf("%s: %v", name, err))
		return
	case err != nil:
		w.finish(name, start, StatusFailed, fmt.Sprintf("%s: read: %v", name, err))
		return
	}
	in, err := ParseIntent(data, w.cfg.MaxJSONDepth)
	if err != nil {
		w.finish(name, start, StatusFailed, fmt.Sprintf("%s: invalid intent: %v", name, err))
		return
	}
	sum := sha256.Sum256(data)
	claimed, err := w.dedup.claim(ctx, sum)
	if err != nil {
		// Grace period over while equal content was in flight elsewhere.
		w.abandoned.Add(1)
		return
	}
	if !claimed {
		w.finish(name, start, StatusSkipped, fmt.Sprintf("duplicate content (sha256 %s…) already processed", shortSum(sum)))
		return
	}
	sctx, cancel := context.WithTimeout(ctx, w.cfg.SubmitTimeout)
	existed, err := w.porch.submit(sctx, in, data, sum)
	cancel()
	if err != nil && ctx.Err() != nil {
		// Grace period over: the file stays for the next start; Porch treats
		// the resubmission as a conflict, not a second package.
		w.dedup.release(sum)
		w.abandoned.Add(1)
		return
	}
	if err != nil {
		w.dedup.release(sum)
		w.finish(name, start, StatusFailed, fmt.Sprintf("%s: %v", name, err))
		return
	}
	msg := fmt.Sprintf("package %s created and proposed", PackageName(in.Target, sum))
	if existed {
		msg = fmt.Sprintf("package %s already existed (earlier interrupted submission); proposed", PackageName(in.Target, sum))
	}
	if !w.finish(name, start, StatusProcessed, msg) {
		w.dedup.release(sum)
		return
	}
	w.dedup.done(sum)
}

// finish records the outcome and reports whether it was recorded.
func (w *Watcher) finish(name string, start time.Time, status Status, msg string) bool {
	out, err := record(w.dur, w.cfg.Dir, name, StatusRecord{
		IntentFile: name, Status: status, Message: msg, Timestamp: time.Now().UTC(),
	})
	if errors.Is(err, fs.ErrNotExist) {
		w.vanished.Add(1)
		return false
	}
	if err != nil {
		w.errCount.Add(1)
		return false
	}
	out.Elapsed = time.Since(start)
	switch status {
	case StatusProcessed:
		w.processed.Add(1)
	case StatusSkipped:
		w.skipped.Add(1)
	case StatusFailed:
		w.failed.Add(1)
	}
	w.metrics.outcomes.WithLabelValues(string(status)).Inc()
	w.metrics.processing.Observe(out.Elapsed.Seconds())
	if w.cfg.OnOutcome != nil {
		w.cfg.OnOutcome(out)
	}
	return true
}
