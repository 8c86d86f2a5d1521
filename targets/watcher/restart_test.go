package watcher

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/oranbench/oranbench/targets/watcher/watchertest"
)

// TestAWatcherKilledMidStreamLeavesTheRestForTheNextOne closes a watcher
// with a 1 ns grace period while files are queued and Porch calls are in
// flight, starts a new one on the same directory, and checks that every file
// is processed exactly once and every package created and proposed once.
func TestAWatcherKilledMidStreamLeavesTheRestForTheNextOne(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		killAfter int64 // outcomes seen before the kill
	}{
		{"killed early", 10},
		{"killed half way", 150},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const n = 300
			porch := watchertest.NewPorch(watchertest.Options{Latency: 2 * time.Millisecond})
			defer porch.Close()
			dir := t.TempDir()
			var names []string
			for i := range n {
				name := fmt.Sprintf("intent-%03d.json", i)
				names = append(names, name)
				writeFile(t, dir, name, validIntent(i))
			}
			cfg := fastConfig(dir, porch)
			cfg.Workers = 2
			cfg.GracePeriod = time.Nanosecond
			cfg.MetricsAddr = DefaultMetricsAddr

			first := startWatcher(t, cfg)
			waitFor(t, 20*time.Second, "outcomes before the kill", func() bool { return outcomes(first) >= tc.killAfter })
			if err := first.Close(); err != nil {
				t.Fatal(err)
			}
			s1 := first.Stats()
			left := listNames(t, dir, IntentPattern)
			if len(left) == 0 || int64(len(left))+outcomes(first) != n {
				t.Fatalf("after the kill: %d outcomes + %d files left, want some left and %d in total", outcomes(first), len(left), n)
			}

			cfg.GracePeriod = DefaultGracePeriod
			second := startWatcher(t, cfg)
			waitFor(t, 30*time.Second, "the rest to be processed", func() bool { return outcomes(second) == int64(len(left)) })
			if err := second.Close(); err != nil {
				t.Fatal(err)
			}
			s2 := second.Stats()
			t.Logf("first: %d processed, %d abandoned; second: %d processed, %d skipped", s1.Processed, s1.Abandoned, s2.Processed, s2.Skipped)

			if got := listNames(t, filepath.Join(dir, ProcessedDir), "*.json"); !slices.Equal(got, names) {
				t.Fatalf("processed/ holds %d files, want each of the %d exactly once", len(got), n)
			}
			if got := len(listNames(t, filepath.Join(dir, StatusDir), "*.status.json")); got != n {
				t.Fatalf("%d status files, want %d", got, n)
			}
			if s1.Processed+s2.Processed != n || s2.Skipped != 0 || s1.Failed+s2.Failed != 0 {
				t.Fatalf("processed %d+%d skipped %d failed %d, want %d processed in total and nothing else",
					s1.Processed, s2.Processed, s2.Skipped, s1.Failed+s2.Failed, n)
			}
			c := porch.Counts()
			if len(c.Created) != n {
				t.Fatalf("Porch created %d packages, want %d", len(c.Created), n)
			}
			for name, created := range c.Created {
				if created != 1 || c.Proposed[name] != 1 {
					t.Fatalf("package %s created %d and proposed %d times, want once each", name, created, c.Proposed[name])
				}
			}
		})
	}
}
