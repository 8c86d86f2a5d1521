package analysis_test

import (
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func TestNewRatioDividesArmByBaseline(t *testing.T) {
	r := synth.Fixture().Scenarios[0].Ratios[0]
	if got := r.ReqPerSec; got < 1.0855 || got > 1.0856 {
		t.Fatalf("req/s ratio = %v, want 1675/1543 = 1.0855", got)
	}
	if got := r.P99; got < 0.6938 || got > 0.6940 {
		t.Fatalf("p99 ratio = %v, want 16.82/24.24 = 0.6939", got)
	}
	if z := analysis.NewRatio(results.Arm{}, results.Arm{}); z.ReqPerSec != 0 || z.P50 != 0 {
		t.Fatalf("a zero baseline must give 0 (n/a), got %+v", z)
	}
}

func TestMergingTwoShardsAddsTheirCountsAndMergesTheirHistograms(t *testing.T) {
	a := synth.ShardOf(synth.Results(t, 1, 1, synth.Spread5), 0, 2)
	b := synth.ShardOf(synth.Results(t, 0.5, 1.2, synth.Spread5b), 1, 2)
	m, err := analysis.MergeShards([]*results.Results{b, a})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.MergedFrom) != 2 || m.MergedFrom[0].Index != 0 || m.Shard != nil {
		t.Fatalf("merged from %v (shard %v), want 0/2 and 1/2 and no shard of its own", m.MergedFrom, m.Shard)
	}
	s, sa, sb := m.Scenarios[0], a.Scenarios[0], b.Scenarios[0]
	if s.Conditions.Concurrency != 40 {
		t.Errorf("merged concurrency %d, want the shards' 20+20", s.Conditions.Concurrency)
	}
	for ai, arm := range s.Arms {
		ta, tb := sa.Arms[ai].Total, sb.Arms[ai].Total
		if arm.Total.Requests != ta.Requests+tb.Requests || arm.Total.Successes != ta.Successes+tb.Successes ||
			arm.Total.Client.Dials != ta.Client.Dials+tb.Client.Dials || arm.Total.Server.Accepted != ta.Server.Accepted+tb.Server.Accepted ||
			arm.Total.Codes["200"] != ta.Codes["200"]+tb.Codes["200"] || arm.Total.BytesIn != ta.BytesIn+tb.BytesIn {
			t.Errorf("arm %s: merged counts %+v do not add up the shards'", arm.Name, arm.Total)
		}
		h, err := results.DecodeHDR(arm.ServiceHDR)
		if err != nil {
			t.Fatal(err)
		}
		if h.TotalCount() != arm.Total.Requests {
			t.Errorf("arm %s: merged histogram holds %d values for %d requests", arm.Name, h.TotalCount(), arm.Total.Requests)
		}
		if arm.Total.Latency != results.HDRPercentiles(h) {
			t.Errorf("arm %s: total percentiles do not come from the merged histogram", arm.Name)
		}
		if len(arm.Reps) != 5 {
			t.Fatalf("arm %s: %d merged repetitions, want 5", arm.Name, len(arm.Reps))
		}
		for i, r := range arm.Reps {
			ra, rb := sa.Arms[ai].Reps[i], sb.Arms[ai].Reps[i]
			if r.Requests != ra.Requests+rb.Requests || r.SuccessPerSec != ra.SuccessPerSec+rb.SuccessPerSec || r.Wall != max(ra.Wall, rb.Wall) {
				t.Errorf("arm %s rep %d: %d requests at %v req/s over %v; shards %d+%d, %v+%v", arm.Name, i, r.Requests, r.SuccessPerSec, r.Wall,
					ra.Requests, rb.Requests, ra.SuccessPerSec, rb.SuccessPerSec)
			}
			rh, err := results.DecodeHDR(r.ServiceHDR)
			if err != nil || rh.TotalCount() != r.Requests || r.Latency != results.HDRPercentiles(rh) {
				t.Errorf("arm %s rep %d: per-repetition histogram not merged (%v)", arm.Name, i, err)
			}
			var series int64
			for _, iv := range r.Series {
				series += iv.Requests
			}
			if series != r.Requests {
				t.Errorf("arm %s rep %d: timeline holds %d requests, want %d", arm.Name, i, series, r.Requests)
			}
		}
	}
	if s.Stats == nil || s.Stats.MinReps != 5 || len(s.Ratios) != 1 {
		t.Errorf("statistics not recomputed: %+v", s.Stats)
	}
	if len(s.Thresholds) != 1 || s.Thresholds[0].Arm != "tuned" || !s.Thresholds[0].Pass {
		t.Errorf("thresholds re-evaluated as %+v, want p99 < 10s on tuned, passing", s.Thresholds)
	}
	if !strings.HasPrefix(s.Notes[0], "Merged from 2 shards") {
		t.Errorf("notes %q", s.Notes)
	}
	sw := m.Scenarios[1].Sweep
	if len(sw.Points) != 4 || sw.Points[0].Values[0] != "40" || sw.Points[0].Values[1] != "on" {
		t.Errorf("sweep points %+v, want concurrency summed to 40", sw.Points[0].Values)
	}
	if len(m.Claims) == 0 {
		t.Error("claims not recomputed")
	}
}

func TestAnArmNearTheGeneratorCeilingMakesItsRatioALowerBound(t *testing.T) {
	s := synth.Fixture().Scenarios[0] // default ≈ 1543 req/s, tuned ≈ 1675
	tuned := s.Arms[1].Total.SuccessPerSec
	// A ceiling the tuned arm reaches more than 70% of, the default arm not.
	s.GeneratorCeiling = (tuned/0.7 + s.Arms[0].Total.SuccessPerSec/0.7) / 2
	if s.Arms[0].Total.SuccessPerSec > 0.7*s.GeneratorCeiling {
		t.Fatalf("fixture: default %v is above 70%% of %v too", s.Arms[0].Total.SuccessPerSec, s.GeneratorCeiling)
	}
	analysis.Finalize(&s, nil)
	if s.Arms[0].GeneratorBound || !s.Arms[1].GeneratorBound {
		t.Fatalf("generator-bound: default %v tuned %v, want only tuned", s.Arms[0].GeneratorBound, s.Arms[1].GeneratorBound)
	}
	c, ok := s.Stats.Comparison(s.Arms[1].Name, s.Arms[0].Name, results.MetricReqPerSec)
	if !ok || c.Bound != results.BoundLower || !strings.HasPrefix(results.FormatRatioCI(c), "at least ") {
		t.Fatalf("req/s comparison bound %q, text %q; want a lower bound written \"at least\"", c.Bound, results.FormatRatioCI(c))
	}
	if p50, _ := s.Stats.Comparison(s.Arms[1].Name, s.Arms[0].Name, results.MetricP50); p50.Bound != "" {
		t.Errorf("a latency comparison got bound %q; only throughput is bounded by the generator", p50.Bound)
	}
	// Without a ceiling nothing is marked.
	s.GeneratorCeiling = 0
	analysis.Finalize(&s, nil)
	if s.Arms[1].GeneratorBound {
		t.Fatal("an arm was marked generator-bound without a measured ceiling")
	}
	for _, c := range []struct {
		arm, base bool
		want      string
	}{{true, false, "lower"}, {false, true, "upper"}, {true, true, "none"}, {false, false, ""}} {
		if got := results.BoundOf(results.Arm{GeneratorBound: c.arm}, results.Arm{GeneratorBound: c.base}); got != c.want {
			t.Errorf("BoundOf(%v, %v) = %q, want %q", c.arm, c.base, got, c.want)
		}
	}
}

func TestAMergedRunSaysHowManyClientPoolsItMeasured(t *testing.T) {
	a := synth.ShardOf(synth.Results(t, 1, 1, synth.Spread5), 0, 2)
	b := synth.ShardOf(synth.Results(t, 0.5, 1.2, synth.Spread5b), 1, 2)
	m, err := analysis.MergeShards([]*results.Results{a, b})
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(m.Scenarios[0].Notes, "\n")
	if !strings.Contains(notes, "Client pools: 2, one per shard, each carrying concurrency 20 + 20") {
		t.Fatalf("notes %q: want the pools and each one's concurrency", notes)
	}
	for _, c := range m.Claims {
		if strings.HasPrefix(c.Claim, "4x more req/s") && !strings.Contains(c.Reason, "2 client pools") {
			t.Errorf("claim %q: reason %q does not say it was measured by 2 client pools", c.Claim, c.Reason)
		}
	}
}
