package watcher

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/oranbench/oranbench/targets/watcher/watchertest"
)

const leakCycles = 50

// TestFiftyCyclesWithMetricsOnLeaveNoGoroutine runs 50 create/start/close
// cycles with the metrics server and collection loop on, scraping each
// watcher once, and then demands zero extra goroutines (no tolerance).
func TestFiftyCyclesWithMetricsOnLeaveNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t)
	porch := watchertest.NewPorch(watchertest.Options{TLS: true})
	defer porch.Close()
	scrape := &http.Transport{}
	defer scrape.CloseIdleConnections()
	client := &http.Client{Transport: scrape, Timeout: 5 * time.Second}

	for i := range leakCycles {
		dir := t.TempDir()
		cfg := fastConfig(dir, porch)
		cfg.MetricsAddr = DefaultMetricsAddr
		cfg.MetricsInterval = 10 * time.Millisecond
		w, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Start(context.Background()); err != nil {
			t.Fatalf("cycle %d: Start: %v", i, err)
		}
		writeFile(t, dir, "intent-c.json", validIntent(i))
		waitFor(t, 10*time.Second, "the cycle's outcome", func() bool { return outcomes(w) == 1 })
		if code, _ := get(t, client, w.MetricsURL()+"/metrics"); code != http.StatusOK {
			t.Fatalf("cycle %d: /metrics = %d", i, code)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("cycle %d: Close: %v", i, err)
		}
	}
	if got := len(porch.Counts().Created); got != leakCycles {
		t.Fatalf("Porch created %d packages over %d cycles, want %d", got, leakCycles, leakCycles)
	}
}

// TestCyclesClosedWhileFilesArriveLeaveNoGoroutineAndLoseNoFile closes each
// watcher while a writer is still dropping files into its directory.
func TestCyclesClosedWhileFilesArriveLeaveNoGoroutineAndLoseNoFile(t *testing.T) {
	defer goleak.VerifyNone(t)
	porch := watchertest.NewPorch(watchertest.Options{Latency: time.Millisecond})
	defer porch.Close()

	for i := range leakCycles {
		dir := t.TempDir()
		cfg := fastConfig(dir, porch)
		cfg.MetricsAddr = DefaultMetricsAddr
		cfg.MetricsInterval = 10 * time.Millisecond
		cfg.GracePeriod = 20 * time.Millisecond
		w, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Start(context.Background()); err != nil {
			t.Fatalf("cycle %d: Start: %v", i, err)
		}
		var written atomic.Int64
		var writeErr atomic.Pointer[error]
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				name := filepath.Join(dir, fmt.Sprintf("intent-%d-%d.json", i, n))
				if err := os.WriteFile(name, []byte(validIntent(i*10000+n)), 0o644); err != nil {
					writeErr.Store(&err)
					return
				}
				written.Add(1)
				time.Sleep(200 * time.Microsecond)
			}
		})
		time.Sleep(30 * time.Millisecond) // files in every stage: pending, queued, in flight
		if err := w.Close(); err != nil {
			t.Fatalf("cycle %d: Close: %v", i, err)
		}
		close(stop)
		wg.Wait()
		if err := writeErr.Load(); err != nil {
			t.Fatalf("cycle %d: writer: %v", i, *err)
		}

		left := len(listNames(t, dir, IntentPattern))
		done := len(listNames(t, filepath.Join(dir, ProcessedDir), "*.json")) + len(listNames(t, filepath.Join(dir, FailedDir), "*.json"))
		if int64(left+done) != written.Load() || int64(done) != outcomes(w) {
			t.Fatalf("cycle %d: wrote %d, %d left + %d with outcome (watcher counted %d): files lost or double-counted",
				i, written.Load(), left, done, outcomes(w))
		}
	}
}

// TestLeakCheckCanFail is the negative control: the same check the proofs
// use reports a goroutine left running on purpose and a watcher left open,
// so the proofs above cannot pass vacuously.
func TestLeakCheckCanFail(t *testing.T) {
	t.Run("an untracked goroutine is reported", func(t *testing.T) {
		release := make(chan struct{})
		exited := make(chan struct{})
		go func() { // deliberately leaked until the assertion has run
			defer close(exited)
			<-release
		}()
		err := goleak.Find()
		close(release)
		<-exited
		if err == nil || !strings.Contains(err.Error(), "TestLeakCheckCanFail") {
			t.Fatalf("goleak.Find = %v, want an error naming the leaked goroutine", err)
		}
		if err := goleak.Find(); err != nil {
			t.Fatalf("after releasing the goroutine goleak.Find = %v, want nil", err)
		}
	})
	t.Run("a watcher left open is reported", func(t *testing.T) {
		porch := watchertest.NewPorch(watchertest.Options{})
		defer porch.Close()
		baseline := goleak.IgnoreCurrent()
		cfg := fastConfig(t.TempDir(), porch)
		cfg.MetricsAddr = DefaultMetricsAddr
		w, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		leakErr := goleak.Find(baseline)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		for _, fn := range []string{"runEvents", "runWorker", "runCollector", "monitor"} {
			if leakErr == nil || !strings.Contains(leakErr.Error(), "watcher.(*Watcher)."+fn) {
				t.Errorf("goleak.Find on an open watcher does not report %s: %v", fn, leakErr)
			}
		}
		if err := goleak.Find(baseline); err != nil {
			t.Fatalf("after Close goleak.Find = %v, want nil", err)
		}
	})
}
