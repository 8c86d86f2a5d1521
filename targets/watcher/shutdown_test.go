package watcher

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/oranbench/oranbench/targets/watcher/watchertest"
)

// maxIdleClose is the bound the issue sets for closing an idle watcher with
// metrics on.
const maxIdleClose = 100 * time.Millisecond

func TestClosingAnIdleWatcherTakesAtMost100ms(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{})
	defer porch.Close()
	cases := []struct {
		name      string
		metrics   bool
		keepAlive bool // a scrape connection is left open (idle keep-alive)
	}{
		{"metrics on", true, false},
		{"metrics on with an idle keep-alive scrape connection", true, true},
		{"metrics off", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var took []time.Duration
			for range 10 {
				cfg := fastConfig(t.TempDir(), porch)
				cfg.GracePeriod = DefaultGracePeriod
				cfg.MetricsInterval = DefaultMetricsInterval
				if tc.metrics {
					cfg.MetricsAddr = DefaultMetricsAddr
				}
				w, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				if err := w.Start(context.Background()); err != nil {
					t.Fatal(err)
				}
				if tc.metrics {
					c := newScrapeClient(t)
					if code, _ := get(t, c, w.MetricsURL()+"/health"); code != http.StatusOK {
						t.Fatalf("/health = %d before Close", code)
					}
					if !tc.keepAlive {
						c.CloseIdleConnections()
					}
				}
				start := time.Now()
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			t.Logf("Close of an idle watcher: min %v median %v max %v", took[0], took[len(took)/2], took[len(took)-1])
			if took[len(took)-1] > maxIdleClose {
				t.Fatalf("slowest Close took %v, want ≤ %v (all: %v)", took[len(took)-1], maxIdleClose, took)
			}
		})
	}
}

func TestCloseDrainsQueuedFilesWithinTheGracePeriod(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{Latency: 10 * time.Millisecond})
	defer porch.Close()
	dir := t.TempDir()
	cfg := fastConfig(dir, porch)
	cfg.Workers = 1
	cfg.GracePeriod = 30 * time.Second
	w := startWatcher(t, cfg)
	const n = 40
	for i := range n {
		writeFile(t, dir, fmt.Sprintf("intent-d%02d.json", i), validIntent(i))
	}
	// Close once every file is queued, in flight or done, and some are queued.
	waitFor(t, 20*time.Second, "all files past the event loop", func() bool {
		s := w.Stats()
		return s.Pending == 0 && s.Processed+int64(s.InFlight) == n && s.Queued > 0
	})
	queuedAtClose := w.Stats().Queued
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s := w.Stats()
	if s.Processed != n || s.Abandoned != 0 || queuedAtClose == 0 {
		t.Fatalf("after Close: processed %d, abandoned %d (%d queued at Close); want all %d processed", s.Processed, s.Abandoned, queuedAtClose, n)
	}
	if left := listNames(t, dir, IntentPattern); len(left) != 0 {
		t.Fatalf("files left after a full drain: %v", left)
	}
}
