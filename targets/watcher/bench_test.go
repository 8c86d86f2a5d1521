package watcher

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/oranbench/oranbench/targets/watcher/watchertest"
)

// benchDirEnv names the directory the durability benchmarks write under
// (default: the test's temporary directory). fsync costs little on tmpfs and
// much on a disk, so measure where a watcher would run.
const benchDirEnv = "ORANBENCH_WATCHER_BENCH_DIR"

func benchBase(b *testing.B) string {
	base := os.Getenv(benchDirEnv)
	if base == "" {
		return b.TempDir()
	}
	dir, err := os.MkdirTemp(base, "oranbench-watcher-bench-")
	if err != nil {
		b.Fatalf("%s=%s: %v", benchDirEnv, base, err)
	}
	b.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// BenchmarkRecord measures recording one outcome (move to processed/ and a
// status file), with and without fsync.
func BenchmarkRecord(b *testing.B) {
	for _, noSync := range []bool{false, true} {
		b.Run(fmt.Sprintf("sync=%v", !noSync), func(b *testing.B) {
			dir := benchBase(b)
			for _, sub := range []string{ProcessedDir, FailedDir, StatusDir} {
				if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
					b.Fatal(err)
				}
			}
			for i := range b.N {
				writeFile(b, dir, fmt.Sprintf("intent-%07d.json", i), validIntent(i))
			}
			d := durability{off: noSync}
			b.ResetTimer()
			for i := range b.N {
				name := fmt.Sprintf("intent-%07d.json", i)
				if _, err := record(d, dir, name, StatusRecord{IntentFile: name, Status: StatusProcessed, Timestamp: time.Now()}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStormSync runs the watcher-intent-storm pipeline (1000 intents
// written at once, default workers, Porch on loopback without latency) with
// and without fsync and reports intents/s. Run it with -benchtime=1x and
// interleave the two arms across repetitions: the machine's noise is larger
// than one arm's spread.
func BenchmarkStormSync(b *testing.B) {
	for _, noSync := range []bool{false, true} {
		b.Run(fmt.Sprintf("sync=%v", !noSync), func(b *testing.B) {
			porch := watchertest.NewPorch(watchertest.Options{})
			defer porch.Close()
			base := benchBase(b)
			var intents int
			var elapsed time.Duration
			for i := range b.N {
				dir := filepath.Join(base, fmt.Sprintf("run-%d", i))
				if err := os.Mkdir(dir, 0o755); err != nil {
					b.Fatal(err)
				}
				res, err := RunStorm(context.Background(), StormConfig{
					Watcher: Config{Dir: dir, Client: porch.Client(), PorchURL: porch.URL, NoSync: noSync},
					Intents: 1000,
					Timeout: time.Minute,
				})
				if err != nil {
					b.Fatal(err)
				}
				if res.Processed != res.Intents {
					b.Fatalf("processed %d of %d", res.Processed, res.Intents)
				}
				intents += res.Processed
				elapsed += res.Elapsed
			}
			b.ReportMetric(float64(intents)/elapsed.Seconds(), "intents/s")
		})
	}
}
