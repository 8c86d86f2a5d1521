package analysis

import (
	"strconv"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// Finalize computes the figures one run derives from its arms: which arms
// were generator-bound, each arm's ratio to the first (the baseline), the
// statistics across repetitions, and ts evaluated on them. s is a scenario without a sweep, or one sweep
// point's result; the runner and the shard merge both finalize every run
// this way.
func Finalize(s *results.Scenario, ts []Threshold) {
	for i := range s.Arms {
		a := &s.Arms[i]
		a.GeneratorBound = s.GeneratorCeiling > 0 && a.Total.SuccessPerSec > results.GeneratorBoundPct/100.0*s.GeneratorCeiling
	}
	var ratios []results.Ratio
	for i := 1; i < len(s.Arms); i++ {
		ratios = append(ratios, NewRatio(s.Arms[i], s.Arms[0]))
	}
	s.Ratios = ratios
	s.Stats = ComputeStats(*s)
	s.Thresholds = EvaluateThresholds(*s, ts)
}

// NewRatio computes arm/baseline from the two totals; a zero baseline gives 0.
func NewRatio(arm, baseline results.Arm) results.Ratio {
	div := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	d := func(a, b time.Duration) float64 { return div(float64(a), float64(b)) }
	return results.Ratio{
		Arm: arm.Name, Baseline: baseline.Name,
		ReqPerSec: div(arm.Total.SuccessPerSec, baseline.Total.SuccessPerSec),
		P50:       d(arm.Total.Latency.P50, baseline.Total.Latency.P50),
		P95:       d(arm.Total.Latency.P95, baseline.Total.Latency.P95),
		P99:       d(arm.Total.Latency.P99, baseline.Total.Latency.P99),
		P999:      d(arm.Total.Latency.P999, baseline.Total.Latency.P999),
	}
}

// MergeShards combines the results of shards that ran at the same time, each
// offering its share of one load (oranbench run --shard i/N), into the
// result of the whole load: results.MergeRaw adds up their counters and rates
// and merges their histograms without loss, then every run is finalized
// again from the merged figures (Finalize, with the thresholds the shards
// were judged by) and the claims are given their verdicts on the whole.
//
// Every input must be a shard of the same N, all N must be there once, and
// all must have run the same scenarios with the same arms.
func MergeShards(shards []*results.Results) (*results.Results, error) {
	out, err := results.MergeRaw(shards)
	if err != nil {
		return nil, err
	}
	for i := range out.Scenarios {
		finalizeMerged(&out.Scenarios[i])
	}
	out.Claims = Claims(out)
	return out, nil
}

// finalizeMerged computes a merged scenario's derived figures: each run's
// with the thresholds its shards were judged by, and a sweep's thresholds
// from its points'.
func finalizeMerged(s *results.Scenario) {
	if s.Failed() {
		return
	}
	if s.Sweep == nil {
		Finalize(s, thresholdsOf(s.Thresholds, s.Arms))
		return
	}
	s.Thresholds = nil
	for i := range s.Sweep.Points {
		pt := &s.Sweep.Points[i]
		finalizeMerged(&pt.Result)
		for _, t := range pt.Result.Thresholds {
			t.Point = s.Sweep.Label(*pt)
			s.Thresholds = append(s.Thresholds, t)
		}
	}
}

// thresholdsOf rebuilds the scenario's thresholds from their evaluated
// results, which carry the expression, the arm and whether it is required.
func thresholdsOf(evaluated []results.ThresholdResult, arms []results.Arm) []Threshold {
	var out []Threshold
	idx := map[string]int{}
	for _, r := range evaluated {
		t, err := ParseThreshold(r.Expr)
		if err != nil {
			continue
		}
		t.Required = r.Required
		key := r.Expr + "\x00" + strconv.FormatBool(r.Required)
		if i, ok := idx[key]; ok {
			// Seen on another arm: the threshold applies to several arms.
			if !t.IsRatio() {
				out[i].Arm = ""
			}
			continue
		}
		if !t.IsRatio() && len(arms) > 1 {
			t.Arm = r.Arm
		}
		idx[key] = len(out)
		out = append(out, t)
	}
	return out
}
