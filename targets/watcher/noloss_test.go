package watcher

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/targets/watcher/watchertest"
)

// malformed returns one of several kinds of invalid intent.
func malformed(i int) string {
	switch i % 4 {
	case 0:
		return `{"target":"nf-a","namespace":`
	case 1:
		return fmt.Sprintf(`{"target":"nf-a","namespace":"ran-a","n":%d}`, i)
	case 2:
		return fmt.Sprintf(`{"target":"nf-a","namespace":"ran-a","replicas":1,"x":%s%d%s}`,
			strings.Repeat("[", DefaultMaxJSONDepth), i, strings.Repeat("]", DefaultMaxJSONDepth))
	default:
		return fmt.Sprintf(`{"target":"nf-a","namespace":"ran-a","replicas":"%d"}`, i)
	}
}

// storm drops n intent files, every 20th malformed, at full speed, and
// proves every file ends in processed/ or failed/ exactly once and Porch saw
// every valid intent exactly once.
func stormNoLoss(t *testing.T, n int) {
	porch := watchertest.NewPorch(watchertest.Options{})
	defer porch.Close()
	const workers = 4
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	defer tr.CloseIdleConnections()
	dir := t.TempDir()
	cfg := fastConfig(dir, porch)
	cfg.Client = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	cfg.Workers = min(workers, MaxWorkers())
	cfg.MetricsAddr = DefaultMetricsAddr
	// What this proves is the event path (inotify, overflow rescans,
	// queueing, one submission per intent), not durability: the fsyncs are
	// checked step by step by TestRecordMakesEachStepDurableBeforeTheNext
	// and across kills by the crash test. Without them the 10 000 files
	// take half the time.
	cfg.NoSync = true
	w := startWatcher(t, cfg)

	var valid, bad []string
	wantPackages := make(map[string]bool)
	start := time.Now()
	for i := range n {
		name := fmt.Sprintf("intent-%05d.json", i)
		body := validIntent(i)
		if i%20 == 0 {
			body = malformed(i / 20)
			bad = append(bad, name)
		} else {
			valid = append(valid, name)
			wantPackages[PackageName(fmt.Sprintf("nf-%d", i%7), sha256.Sum256([]byte(body)))] = true
		}
		writeFile(t, dir, name, body)
	}
	waitFor(t, 90*time.Second, fmt.Sprintf("%d outcomes", n), func() bool { return outcomes(w) >= int64(n) })
	elapsed := time.Since(start)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s := w.Stats()
	t.Logf("%d files in %v (%.0f files/s); stats %+v", n, elapsed, float64(n)/elapsed.Seconds(), s)

	if s.Processed != int64(len(valid)) || s.Failed != int64(len(bad)) || s.Skipped != 0 || s.Errors != 0 || s.Vanished != 0 {
		var why []string
		for _, name := range listNames(t, filepath.Join(dir, FailedDir), "*.json") {
			if !slices.Contains(bad, name) && len(why) < 5 {
				why = append(why, name+": "+readStatus(t, statusPath(dir, name)).Message)
			}
		}
		t.Fatalf("stats %+v, want %d processed, %d failed and nothing else; valid files that failed: %q", s, len(valid), len(bad), why)
	}
	for _, c := range []struct {
		sub  string
		want []string
	}{{ProcessedDir, valid}, {FailedDir, bad}} {
		got := listNames(t, filepath.Join(dir, c.sub), "*.json")
		if !slices.Equal(got, c.want) {
			t.Fatalf("%s/ holds %d files, want exactly the %d written there (no duplicates, none missing)", c.sub, len(got), len(c.want))
		}
	}
	if left := listNames(t, dir, IntentPattern); len(left) != 0 {
		t.Fatalf("%d files left in the watched directory", len(left))
	}
	statuses := listNames(t, filepath.Join(dir, StatusDir), "*.status.json")
	if len(statuses) != n {
		t.Fatalf("%d status files, want %d", len(statuses), n)
	}
	for _, name := range bad {
		if rec := readStatus(t, statusPath(dir, name)); rec.Status != StatusFailed || !strings.Contains(rec.Message, name) {
			t.Fatalf("status of %s = %+v, want failed naming the file", name, rec)
		}
	}

	c := porch.Counts()
	if len(c.Created) != len(wantPackages) || len(c.CreateRequests) != len(wantPackages) {
		t.Fatalf("Porch created %d packages from %d names, want %d", len(c.Created), len(c.CreateRequests), len(wantPackages))
	}
	for name := range wantPackages {
		if c.Created[name] != 1 || c.CreateRequests[name] != 1 || c.Proposed[name] != 1 || c.ProposeRequests[name] != 1 {
			t.Fatalf("package %s: created %d (requests %d), proposed %d (requests %d); want exactly 1 each",
				name, c.Created[name], c.CreateRequests[name], c.Proposed[name], c.ProposeRequests[name])
		}
	}
}

// TestNoIntentIsLostOrDoubledIn10000Files is the full-size proof; it
// also runs under -race (about 15 s on 2 cores), beside the package's other
// long tests: it waits on the file system more than it computes.
func TestNoIntentIsLostOrDoubledIn10000Files(t *testing.T) {
	t.Parallel()
	stormNoLoss(t, 10_000)
}

// TestAnEventQueueOverflowLosesNoFile stalls the event loop, floods inotify
// until its queue overflows (so the events of the intent files written next
// are dropped by the kernel) and checks that the rescan an overflow triggers
// still finds and processes every file.
func TestAnEventQueueOverflowLosesNoFile(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{})
	defer porch.Close()
	dir := t.TempDir()
	w := startWatcher(t, fastConfig(dir, porch))

	// Stall the event loop: its next promote blocks on the in-flight lock.
	w.inflightMu.Lock()
	stalled := true
	defer func() {
		if stalled {
			w.inflightMu.Unlock()
		}
	}()
	writeFile(t, dir, "intent-trigger.json", validIntent(0))
	time.Sleep(100 * time.Millisecond)

	limit := 16384
	if b, err := os.ReadFile("/proc/sys/fs/inotify/max_queued_events"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			limit = n
		}
	}
	// Alternate two files so the kernel cannot merge identical events.
	var noise [2]*os.File
	for i := range noise {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf(".noise-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		noise[i] = f
	}
	for i := range limit + 8192 {
		if _, err := noise[i%2].Write([]byte{'x'}); err != nil {
			t.Fatal(err)
		}
	}
	const n = 20
	for i := 1; i <= n; i++ {
		writeFile(t, dir, fmt.Sprintf("intent-lost-%02d.json", i), validIntent(i))
	}
	w.inflightMu.Unlock()
	stalled = false

	waitFor(t, 30*time.Second, fmt.Sprintf("%d outcomes", n+1), func() bool { return outcomes(w) == n+1 })
	s := w.Stats()
	if s.Overflows < 1 || s.Rescans < 2 {
		t.Fatalf("overflows %d rescans %d, want ≥ 1 and ≥ 2 (start + overflow)", s.Overflows, s.Rescans)
	}
	if got := len(porch.Counts().Created); got != n+1 {
		t.Fatalf("Porch created %d packages, want %d", got, n+1)
	}
}
