package watcher

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/targets/watcher/watchertest"
)

func TestRunStormMeasuresEveryIntentEndToEnd(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		intents     int
		perSec      float64
		minDuration time.Duration // lower bound the pacing implies
	}{
		{"300 intents written at once over TLS", 300, 0, 0},
		{"40 intents paced at 400/s", 40, 400, 39 * time.Second / 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			porch := watchertest.NewPorch(watchertest.Options{TLS: true, Latency: time.Millisecond})
			defer porch.Close()
			cfg := StormConfig{
				Watcher:       Config{Client: porch.Client(), PorchURL: porch.URL, Debounce: MinDebounce, StableFor: 10 * time.Millisecond, Workers: 4},
				Intents:       tc.intents,
				IntentsPerSec: tc.perSec,
				Timeout:       time.Minute,
			}
			res, err := RunStorm(context.Background(), cfg)
			if err != nil {
				t.Fatalf("RunStorm: %v", err)
			}
			t.Logf("%d intents: %.0f intents/s, p50 %v p95 %v p99 %v max %v", res.Intents, res.IntentsPerSec, res.P50, res.P95, res.P99, res.Max)
			if res.Processed != tc.intents || res.Failed != 0 || res.Skipped != 0 {
				t.Fatalf("processed %d failed %d skipped %d, want %d processed", res.Processed, res.Failed, res.Skipped, tc.intents)
			}
			if got := res.Latency.TotalCount(); got != int64(tc.intents) {
				t.Fatalf("histogram holds %d values, want %d", got, tc.intents)
			}
			if !(res.P50 > 0 && res.P50 <= res.P95 && res.P95 <= res.P99 && res.P99 <= res.Max) {
				t.Fatalf("quantiles not ordered: p50 %v p95 %v p99 %v max %v", res.P50, res.P95, res.P99, res.Max)
			}
			// Every latency includes at least the debounce window.
			if res.P50 < MinDebounce {
				t.Fatalf("p50 %v is below the %v debounce every file waits", res.P50, MinDebounce)
			}
			if res.Elapsed < tc.minDuration || res.IntentsPerSec <= 0 {
				t.Fatalf("elapsed %v (%.1f/s), want ≥ %v and a positive rate", res.Elapsed, res.IntentsPerSec, tc.minDuration)
			}
			if len(porch.Counts().Created) != tc.intents {
				t.Fatalf("Porch created %d packages, want %d", len(porch.Counts().Created), tc.intents)
			}
			if res.Watcher.Processed != int64(tc.intents) {
				t.Fatalf("watcher stats processed %d, want %d", res.Watcher.Processed, tc.intents)
			}
			if _, err := json.Marshal(res); err != nil {
				t.Fatalf("result is not JSON-serializable: %v", err)
			}
		})
	}
}

func TestRunStormReportsATimeoutWithPartialCounts(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{Latency: 100 * time.Millisecond})
	defer porch.Close()
	res, err := RunStorm(context.Background(), StormConfig{
		Watcher: Config{Client: porch.Client(), PorchURL: porch.URL, Debounce: MinDebounce, Workers: 1, GracePeriod: time.Nanosecond},
		Intents: 20,
		Timeout: 800 * time.Millisecond,
	})
	// Depending on machine load the deadline hits while writing or while
	// waiting; both must say how far the storm got.
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "of 20 intents") {
		t.Fatalf("RunStorm error = %v, want a deadline error counting intents", err)
	}
	if res.Processed >= 20 || int64(res.Processed+res.Failed) != res.Latency.TotalCount() {
		t.Fatalf("processed %d failed %d with %d latencies, want a partial count matching the histogram", res.Processed, res.Failed, res.Latency.TotalCount())
	}
}

func TestRunStormRejectsBadConfig(t *testing.T) {
	cases := []struct {
		name string
		cfg  StormConfig
		want string
	}{
		{"a negative rate", StormConfig{IntentsPerSec: -1}, "IntentsPerSec"},
		{"a negative count", StormConfig{Intents: -5}, "Intents"},
		{"a missing client", StormConfig{Watcher: Config{PorchURL: "http://127.0.0.1:1"}}, "Client"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RunStorm(context.Background(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("RunStorm error = %v, want it to name %s", err, tc.want)
			}
		})
	}
}
