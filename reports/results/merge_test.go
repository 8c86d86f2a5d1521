package results_test

import (
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func TestAddCountsMergesProtocolsTimeWaitAndConnWaits(t *testing.T) {
	tw1, tw2 := int64(3), int64(4)
	h1, h2 := mustHist(t, 100, 200), mustHist(t, 300000)
	sums := []results.Summary{
		{Client: results.ClientConns{Protocols: map[string]int64{results.ProtoHTTP11: 2}, TimeWait: &tw1, ConnWaitHDR: h1, ConnWaitP99: 200 * time.Microsecond}, Server: results.ServerConns{Known: true, ConnsPeak: 7, Protocols: map[string]int64{results.ProtoHTTP11: 2}}},
		{Client: results.ClientConns{Protocols: map[string]int64{results.ProtoHTTP11: 1, results.ProtoHTTP2: 5}, TimeWait: &tw2, ConnWaitHDR: h2, ConnWaitP99: 300 * time.Millisecond}, Server: results.ServerConns{Known: true, ConnsPeak: 5, Protocols: map[string]int64{results.ProtoHTTP2: 5}}},
	}
	got := results.AddCounts(sums)
	if got.Client.Protocols[results.ProtoHTTP11] != 3 || got.Client.Protocols[results.ProtoHTTP2] != 5 {
		t.Errorf("protocols = %v", got.Client.Protocols)
	}
	if got.Client.TimeWait == nil || *got.Client.TimeWait != 7 {
		t.Errorf("TIME_WAIT = %v, want 7", got.Client.TimeWait)
	}
	if got.Server.ConnsPeak != 7 || got.Server.Protocols[results.ProtoHTTP2] != 5 {
		t.Errorf("server = %+v", got.Server)
	}
	// 3 waits: 100 µs, 200 µs, 300 ms; the merged p99 is the 300 ms one.
	if p := got.Client.ConnWaitP99; p < 299*time.Millisecond || p > 301*time.Millisecond {
		t.Errorf("merged conn wait p99 = %s, want 300 ms", p)
	}
	sums[1].Client.TimeWait = nil
	if got := results.AddCounts(sums); got.Client.TimeWait != nil {
		t.Errorf("a part without TIME_WAIT must make the total unknown, got %d", *got.Client.TimeWait)
	}
}

// mustHist encodes a histogram of the given microsecond values.
func mustHist(t *testing.T, us ...int64) string {
	t.Helper()
	h := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	for _, v := range us {
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := results.EncodeHDR(h)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func TestMergeRefusesAnIncompleteOrMixedSetOfShards(t *testing.T) {
	cases := []struct {
		name   string
		shards func() []*results.Results
		want   string
	}{
		{"a missing shard", func() []*results.Results {
			return []*results.Results{synth.ShardOf(synth.Results(t, 1, 1, synth.Spread5), 0, 3), synth.ShardOf(synth.Results(t, 1, 1, synth.Spread5), 2, 3)}
		}, "shard(s) 1/3 missing"},
		{"a shard given twice", func() []*results.Results {
			return []*results.Results{synth.ShardOf(synth.Results(t, 1, 1, synth.Spread5), 0, 2), synth.ShardOf(synth.Results(t, 1, 1, synth.Spread5), 0, 2)}
		}, "shard 0/2 given twice"},
		{"a run that is not a shard", func() []*results.Results {
			return []*results.Results{synth.ShardOf(synth.Results(t, 1, 1, synth.Spread5), 0, 2), synth.Results(t, 1, 1, synth.Spread5)}
		}, "input 2 is not a shard"},
		{"shards of different scenarios", func() []*results.Results {
			b := synth.ShardOf(synth.Results(t, 1, 1, synth.Spread5), 1, 2)
			b.Scenarios[0].Name = "other"
			return []*results.Results{synth.ShardOf(synth.Results(t, 1, 1, synth.Spread5), 0, 2), b}
		}, `"seed-20-concurrent" in shard 0/2 but "other" in shard 1/2`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := results.MergeRaw(c.shards())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestMergeFallsBackToTheWorstShardWithoutPerRepetitionHistograms(t *testing.T) {
	a := synth.ShardOf(synth.Results(t, 1, 1, synth.Spread5), 0, 2)
	b := synth.ShardOf(synth.Results(t, 1, 2, synth.Spread5), 1, 2)
	for _, r := range []*results.Results{a, b} {
		for ai := range r.Scenarios[0].Arms {
			for i := range r.Scenarios[0].Arms[ai].Reps {
				r.Scenarios[0].Arms[ai].Reps[i].ServiceHDR = ""
			}
		}
	}
	m, err := results.MergeRaw([]*results.Results{a, b})
	if err != nil {
		t.Fatal(err)
	}
	got := m.Scenarios[0].Arms[1].Reps[0].Latency.P99
	want := max(a.Scenarios[0].Arms[1].Reps[0].Latency.P99, b.Scenarios[0].Arms[1].Reps[0].Latency.P99)
	if got != want || got < 20*time.Millisecond {
		t.Fatalf("p99 = %v, want the slower shard's %v", got, want)
	}
}

func TestMergedSoakShardsKeepEachShardsPhasesApart(t *testing.T) {
	shard := func(i int, partial bool) *results.Results {
		return &results.Results{Shard: &results.Shard{Index: i, Count: 2}, Scenarios: []results.Scenario{{Name: "soak",
			Soak: &results.Soak{Layout: "One process.", Partial: partial, Phases: []results.SoakPhase{{Name: "tuned"}, {Name: "watcher"}}}}}}
	}
	m, err := results.MergeRaw([]*results.Results{shard(0, false), shard(1, true)})
	if err != nil {
		t.Fatal(err)
	}
	sk := m.Scenarios[0].Soak
	if sk == nil || len(sk.Phases) != 4 || sk.Phases[2].Name != "shard 1: tuned" || !sk.Partial || !strings.Contains(sk.Layout, "Merged from 2 shards") {
		t.Fatalf("merged soak = %+v; want 4 phases named by shard, partial, the layout saying so", sk)
	}
}

// F1: a scenario that failed to run in one shard is a failed scenario of
// the merge (no figures, its error kept), and EachRun, which analysis and
// the renderers go through, skips it.
func TestAScenarioFailedInOneShardIsFailedInTheMergeAndSkipped(t *testing.T) {
	a := synth.ShardOf(synth.Results(t, 1, 1, synth.Spread5), 0, 2)
	b := synth.ShardOf(synth.Results(t, 1, 1, synth.Spread5), 1, 2)
	name := b.Scenarios[0].Name
	b.Scenarios[0] = results.Scenario{Name: name, Error: "scenario x: prepare: connection refused"}
	m, err := results.MergeRaw([]*results.Results{a, b})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Scenarios[0]
	if !s.Failed() || !strings.Contains(s.Error, "connection refused") || len(s.Arms) != 0 || len(m.Failed()) != 1 {
		t.Fatalf("merged scenario = %+v, want it failed with the shard's error and no figures", s)
	}
	m.EachRun(func(scenario, _ string, _ results.Scenario) {
		if scenario == name {
			t.Errorf("EachRun visited the failed scenario %s", name)
		}
	})
}
