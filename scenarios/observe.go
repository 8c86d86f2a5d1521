package scenarios

import (
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/reports/results"
)

// ResultFunc receives one measured result; see Options.OnRun.
type ResultFunc func(*vegeta.Result)

// RunInfo describes the arm-repetition about to run, for progress displays
// and result files.
type RunInfo struct {
	// Scenario is the scenario's name; Point the sweep point's label
	// ("concurrency=20 tls=on"), empty outside sweeps.
	Scenario, Point string
	Arm             string
	// Rep is 0-based, of Reps.
	Rep, Reps int
	// Planned is how long the run should take: its warm-up and measured
	// duration (times the probe budget for a search). A storm's length
	// depends on the watcher; Planned is then an estimate.
	Planned time.Duration
}

// repOutputs adds what the report model keeps of one attack beyond its
// summary: the repetition's histograms and its timeline.
func repOutputs(r results.Rep, rec *engine.Recording) results.Rep {
	if rec == nil {
		return r
	}
	r.ServiceHDR, r.ResponseHDR = encodeHist(rec.Service), encodeHist(rec.Response)
	for _, iv := range rec.Series {
		r.Series = append(r.Series, results.Interval{
			Start: iv.Start, Step: iv.Step, Requests: iv.Requests, Errors: iv.Errors,
			P50: iv.P50, P99: iv.P99, Max: iv.Max,
		})
	}
	return r
}
