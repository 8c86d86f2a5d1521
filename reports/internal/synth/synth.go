// Package synth builds synthetic results for the tests of the reports
// packages: repetitions with real HdrHistograms, arms, scenarios, sweeps and
// shards, finalized by analysis as a run would be. It stands beside the data
// flow (YAML → Spec → Plan → runner → engine → results → analysis → render)
// in place of the runner, and only tests import it.
package synth

import (
	"strconv"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// rep is one synthetic repetition: n requests whose service times are
// spread evenly over [p50/2, 3*p50/2] plus a 1% tail at 3*p50, served at
// rate req/s, with its histogram, timeline and connection counts.
func rep(t *testing.T, n int64, rate float64, p50 time.Duration, dials int64) (results.Rep, *hdrhistogram.Histogram) {
	t.Helper()
	h := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	lo := float64(p50/time.Microsecond) / 2
	for j := range n {
		_ = h.RecordValue(int64(lo + lo*2*float64(j)/float64(n)))
	}
	_ = h.RecordValues(int64(3*p50/time.Microsecond), n/100)
	total := h.TotalCount()
	enc, err := results.EncodeHDR(h)
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Duration(float64(total) / rate * float64(time.Second))
	r := results.Rep{Summary: results.Summary{
		Requests: total, Successes: total, SuccessPct: 100, ReqPerSec: rate, SuccessPerSec: rate, Wall: wall,
		Latency: results.HDRPercentiles(h), Codes: map[string]int64{"200": total}, Errors: map[string]int64{},
		BytesIn: uint64(100 * total), BytesOut: uint64(50 * total),
		Client: results.ClientConns{Dials: dials, New: dials, Reused: total - dials, TLSHandshakes: dials,
			ReusePct: 100 * float64(total-dials) / float64(total), ConnWaitMean: time.Millisecond},
		Server: results.ServerConns{Known: true, Accepted: dials, TLSHandshakes: dials, Requests: total},
	}, ServiceHDR: enc}
	step := wall / 4
	for i := range 4 {
		r.Series = append(r.Series, results.Interval{Start: time.Duration(i) * step, Step: step, Requests: total / 4,
			P50: p50, P99: 3 * p50, Max: 3 * p50})
	}
	r.Series[3].Requests += total % 4
	return r, h
}

// Arm builds an arm with one repetition per rate; repetition i's p50
// is p50 scaled by p50Scale[i]. Positions interleave with the other arms:
// arm ai of arms runs at position i*arms+ai.
func Arm(t *testing.T, name string, ai, arms int, rates, p50Scale []float64, p50 time.Duration, dials int64) results.Arm {
	t.Helper()
	a := results.Arm{Name: name, Profile: name}
	merged := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	for i, rate := range rates {
		r, h := rep(t, 500, rate, time.Duration(float64(p50)*p50Scale[i]), dials)
		r.Index, r.Position = i, i*arms+ai
		a.Reps = append(a.Reps, r)
		merged.Merge(h)
	}
	var err error
	if a.ServiceHDR, err = results.EncodeHDR(merged); err != nil {
		t.Fatal(err)
	}
	a.Total = results.ArmTotal(a.Reps, merged, nil)
	return a
}

// Scenario is a closed-model scenario with a default and a tuned arm,
// finalized with the threshold "p99 < 10s" on tuned.
func Scenario(t *testing.T, name string, def, tuned results.Arm) results.Scenario {
	t.Helper()
	s := results.Scenario{
		Name: name, Description: "synthetic",
		Conditions: results.Conditions{TLS: true, Model: results.ModelClosed, Concurrency: 20, Duration: time.Second, Warmup: 100 * time.Millisecond,
			Repetitions: len(def.Reps), Routes: []string{"a1-policy-put ×1"}, Order: []string{"default", "tuned"}},
		Arms: []results.Arm{def, tuned},
	}
	th, err := analysis.ParseThreshold("p99 < 10s")
	if err != nil {
		t.Fatal(err)
	}
	th.Arm = "tuned"
	analysis.Finalize(&s, []analysis.Threshold{th})
	return s
}

// Spreads of the repetitions' p50 for Results: flat5 none, Spread5 ±2%,
// Spread5b the same shifted by half a step (its ranks interleave with
// Spread5's).
var (
	flat5    = []float64{1, 1, 1, 1, 1}
	Spread5  = []float64{0.98, 0.99, 1.00, 1.01, 1.02}
	Spread5b = []float64{0.985, 0.995, 1.005, 1.015, 1.025}
)

// Scaled returns xs multiplied by k.
func Scaled(xs []float64, k float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * k
	}
	return out
}

// Results is a run with the seed scenario (5 repetitions per arm) and
// a two-point sweep. tunedRate and tunedP50 scale the tuned arm, to inject
// a change; p50Spread sets the repetitions' p50 scatter.
func Results(t *testing.T, tunedRate, tunedP50 float64, p50Spread []float64) *results.Results {
	t.Helper()
	def := Arm(t, "default", 0, 2, []float64{1000, 1010, 990, 1005, 995}, p50Spread, 12*time.Millisecond, 300)
	tuned := Arm(t, "tuned", 1, 2, Scaled([]float64{2000, 2020, 1980, 2010, 1990}, tunedRate),
		Scaled(p50Spread, tunedP50), 10*time.Millisecond, 0)
	seed := Scenario(t, "seed-20-concurrent", def, tuned)
	sweep := results.Scenario{Name: "conditions-sweep", Description: "synthetic sweep", Conditions: seed.Conditions,
		Sweep: &results.Sweep{Params: []string{"concurrency", "tls"}}}
	for i, c := range []int{20, 50} {
		for _, tls := range []string{"on", "off"} {
			k := float64(i + 1)
			if tls == "off" {
				k /= 2
			}
			d := Arm(t, "default", 0, 2, []float64{1000, 1010, 990}, flat5[:3], 12*time.Millisecond, 100)
			tu := Arm(t, "tuned", 1, 2, Scaled([]float64{2000, 2020, 1980}, k), flat5[:3], 10*time.Millisecond, 0)
			pt := results.SweepPoint{Values: []string{strconv.Itoa(c), tls}, Result: Scenario(t, "conditions-sweep", d, tu)}
			sweep.Sweep.Points = append(sweep.Sweep.Points, pt)
		}
	}
	r := &results.Results{
		SchemaVersion: results.SchemaVersion, Tool: "oranbench",
		StartedAt:  time.Date(2026, 11, 28, 15, 26, 0, 0, time.UTC),
		FinishedAt: time.Date(2026, 11, 28, 15, 31, 0, 0, time.UTC),
		Machine:    results.Machine{GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64", NumCPU: 2, GOMAXPROCS: 2, CPUModel: "Test CPU"},
		Scenarios:  []results.Scenario{seed, sweep},
	}
	r.Claims = analysis.Claims(r)
	return r
}

// Reps are repetitions of 100 requests at the given rates and p99s (p50
// half the p99, p95 nine tenths).
func Reps(rates []float64, p99s []time.Duration) []results.Rep {
	var out []results.Rep
	for i := range rates {
		out = append(out, results.Rep{Index: i, Summary: results.Summary{Requests: 100, SuccessPerSec: rates[i], Latency: results.Percentiles{P50: p99s[i] / 2, P95: p99s[i] * 9 / 10, P99: p99s[i]}}})
	}
	return out
}

// armSpec describes one synthetic arm: its profile, req/s scale against
// the base rates, and its connection counts.
type armSpec struct {
	name, profile string
	scale         float64
	dials         int64
	proto         string
	waitMean      time.Duration
	waitP99       time.Duration
	settings      map[string]string
}

// BaseRates are the default arm's req/s per repetition in Cliff and PorchH2.
var BaseRates = []float64{100, 110, 90, 105, 95}

// run builds a closed-model run of the given arms at concurrency c.
func run(name string, c results.Conditions, arms ...armSpec) results.Scenario {
	s := results.Scenario{Name: name, Conditions: c}
	ms := time.Millisecond
	p99 := []time.Duration{50 * ms, 60 * ms, 55 * ms, 52 * ms, 58 * ms}
	for _, a := range arms {
		arm := results.Arm{Name: a.name, Profile: a.profile, Settings: a.settings, Reps: Reps(Scaled(BaseRates, a.scale), p99)}
		arm.Total = results.Summary{Requests: 10000, SuccessPerSec: 100 * a.scale, Client: results.ClientConns{
			Dials: a.dials, TLSHandshakes: a.dials, ConnWaitMean: a.waitMean, ConnWaitP99: a.waitP99,
			Protocols: map[string]int64{a.proto: 10000},
		}}
		s.Arms = append(s.Arms, arm)
	}
	s.Stats = analysis.ComputeStats(s)
	return s
}

func closedAt(c int, http2 bool) results.Conditions {
	return results.Conditions{TLS: true, HTTP2: http2, Model: results.ModelClosed, Concurrency: c}
}

func sweepOf(name, param string, values []string, points ...results.Scenario) results.Scenario {
	sw := &results.Sweep{Params: []string{param}}
	for i, p := range points {
		sw.Points = append(sw.Points, results.SweepPoint{Values: []string{values[i]}, Result: p})
	}
	return results.Scenario{Name: name, Sweep: sw}
}

var (
	tunedSettings  = map[string]string{"MaxIdleConnsPerHost": "50", "MaxConnsPerHost": "0", "ForceAttemptHTTP2": "false"}
	cappedSettings = map[string]string{"MaxIdleConnsPerHost": "50", "MaxConnsPerHost": "50", "ForceAttemptHTTP2": "false"}
	h2Settings     = map[string]string{"MaxIdleConnsPerHost": "50", "MaxConnsPerHost": "0", "ForceAttemptHTTP2": "true"}
	defSettings    = map[string]string{"MaxIdleConnsPerHost": "2", "MaxConnsPerHost": "0", "ForceAttemptHTTP2": "true"}
	// clientGoSettings: client-go sets HTTP/2 up itself, not by ForceAttemptHTTP2.
	clientGoSettings = map[string]string{"MaxIdleConnsPerHost": "25", "MaxConnsPerHost": "0", "ForceAttemptHTTP2": "false",
		"HTTP2": "golang.org/x/net/http2.ConfigureTransports"}
)

// Cliff is a pool-cliff sweep: tuned pooled at 20, churning at 100 and 1000,
// where tuned-capped beats it by cappedGain.
func Cliff(cappedGain float64) results.Scenario {
	def := func(dials int64) armSpec {
		return armSpec{name: "default", profile: "default", scale: 1, dials: dials, proto: results.ProtoHTTP11, waitMean: 40 * time.Millisecond, settings: defSettings}
	}
	tuned := func(scale float64, dials int64, wait time.Duration) armSpec {
		return armSpec{name: "tuned", profile: "tuned", scale: scale, dials: dials, proto: results.ProtoHTTP11, waitMean: wait, waitP99: 3 * wait, settings: tunedSettings}
	}
	capped := func(scale float64) armSpec {
		return armSpec{name: "tuned-capped", profile: "tuned-capped", scale: scale, proto: results.ProtoHTTP11, waitMean: 20 * time.Millisecond, waitP99: 60 * time.Millisecond, settings: cappedSettings}
	}
	return sweepOf("pool-cliff", "concurrency", []string{"20", "100", "1000"},
		run("pool-cliff", closedAt(20, false), def(5000), tuned(8, 0, time.Microsecond), capped(8)),
		run("pool-cliff", closedAt(100, false), def(6000), tuned(2.5, 3000, 5*time.Millisecond), capped(2.5*cappedGain)),
		run("pool-cliff", closedAt(1000, false), def(9000), tuned(1.1, 8800, time.Second), capped(1.1*cappedGain)),
	)
}

// PorchH2 is a closed run at 200 in flight against an HTTP/2 backend:
// default speaks HTTP/2, tuned HTTP/1.1 at 1/h2Gain of its req/s, and
// tuned-h2 HTTP/2 again.
func PorchH2(h2Gain float64) results.Scenario {
	return run("porch-h2", closedAt(200, true),
		armSpec{name: "default", profile: "default", scale: 1, proto: results.ProtoHTTP2, settings: defSettings},
		armSpec{name: "tuned", profile: "tuned", scale: 1 / h2Gain, dials: 1200, proto: results.ProtoHTTP11, settings: tunedSettings},
		armSpec{name: "tuned-h2", profile: "tuned-h2", scale: 1, proto: results.ProtoHTTP2, settings: h2Settings},
	)
}

// PorchClientGo is PorchH2 with Porch's routes in its conditions and a
// client-go arm at cgScale of default's req/s, speaking HTTP/2 over one
// connection.
func PorchClientGo(h2Gain, cgScale float64) results.Scenario {
	c := closedAt(200, true)
	c.Routes = []string{"porch.k8s.get ×3", "porch.package.get ×1"}
	return run("porch-h2", c,
		armSpec{name: "default", profile: "default", scale: 1, proto: results.ProtoHTTP2, settings: defSettings},
		armSpec{name: "tuned", profile: "tuned", scale: 1 / h2Gain, dials: 1200, proto: results.ProtoHTTP11, settings: tunedSettings},
		armSpec{name: "tuned-h2", profile: "tuned-h2", scale: 1, proto: results.ProtoHTTP2, settings: h2Settings},
		armSpec{name: "client-go", profile: "client-go", scale: cgScale, proto: results.ProtoHTTP2, settings: clientGoSettings},
	)
}

// Point is a two-arm closed-model result with the given tuned/default req/s
// ratio (5 repetitions each) and connection counts.
func Point(name string, tls bool, rtt time.Duration, ratio float64) results.Scenario {
	ms := time.Millisecond
	base := []float64{100, 110, 90, 105, 95}
	tuned := make([]float64, len(base))
	for i, v := range base {
		tuned[i] = v * ratio
	}
	p99 := []time.Duration{50 * ms, 60 * ms, 55 * ms, 52 * ms, 58 * ms}
	s := results.Scenario{
		Name:       name,
		Conditions: results.Conditions{TLS: tls, RTT: rtt, Model: results.ModelClosed, Concurrency: 20, HandlerLatency: 10 * ms},
		Arms: []results.Arm{
			{Name: "default", Profile: "default", Reps: Reps(base, p99)},
			{Name: "tuned", Profile: "tuned", Reps: Reps(tuned, p99)},
		},
		Setup: &results.SetupCost{Route: "a1-policy-get", N: 15, TLS: tls, FreshP50: 12 * ms, ReusedP50: 10 * ms},
	}
	s.Arms[0].Total = results.Summary{Requests: 1000, SuccessPerSec: 100, Client: results.ClientConns{Dials: 400, New: 60, Reused: 940, IdleRejected: 330, TLSHandshakes: 400}}
	s.Arms[1].Total = results.Summary{Requests: 1000 * int64(ratio), SuccessPerSec: 100 * ratio}
	s.Stats = analysis.ComputeStats(s)
	return s
}

// Fixture is a one-scenario run of two arms with one repetition each and
// known totals (1,543 and 1,675 req/s).
func Fixture() *results.Results {
	arm := func(name string, rps float64, p50, p99 time.Duration, dials int64) results.Arm {
		sum := results.Summary{
			Requests: 9300, Successes: 9300, SuccessPct: 100, ReqPerSec: rps, SuccessPerSec: rps,
			Latency: results.Percentiles{P50: p50, P95: p99 - time.Millisecond, P99: p99, P999: p99 + time.Millisecond, Max: p99 + 2*time.Millisecond},
			Codes:   map[string]int64{"200": 6200, "201": 3100},
			Client:  results.ClientConns{Dials: dials, TLSHandshakes: dials, ReusePct: 100 * float64(9300-dials) / 9300, ConnWaitMean: 767 * time.Microsecond},
			Server:  results.ServerConns{Known: true, Accepted: dials, TLSHandshakes: dials, Requests: 9300},
		}
		return results.Arm{Name: name, Profile: name, Total: sum, Reps: []results.Rep{{Index: 0, Position: 0, Summary: sum}}}
	}
	a, b := arm("default", 1543, 11920*time.Microsecond, 24240*time.Microsecond, 3152), arm("tuned", 1675, 11520*time.Microsecond, 16820*time.Microsecond, 0)
	b.Reps[0].Position = 1
	return &results.Results{
		SchemaVersion: results.SchemaVersion, Tool: "oranbench",
		StartedAt: time.Date(2026, 11, 28, 15, 26, 0, 0, time.UTC),
		Machine:   results.Machine{GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64", NumCPU: 2, GOMAXPROCS: 2},
		Scenarios: []results.Scenario{{
			Name: "seed-20-concurrent", Description: "the seed's example",
			Conditions: results.Conditions{TLS: true, HandlerLatency: 10 * time.Millisecond, Model: results.ModelClosed, Concurrency: 20,
				Duration: 2 * time.Second, Warmup: 500 * time.Millisecond, Repetitions: 1, Routes: []string{"a1-policy-put ×1"}},
			Arms:   []results.Arm{a, b},
			Ratios: []results.Ratio{analysis.NewRatio(b, a)},
		}},
	}
}

// ShardOf marks r as shard i of n and returns it.
func ShardOf(r *results.Results, i, n int) *results.Results {
	r.Shard = &results.Shard{Index: i, Count: n}
	return r
}

// LatencyHist is a histogram with the engine's geometry (µs, 1 µs..1 h, 3
// significant figures) holding n values spread from 10 µs to n*10 µs plus a
// slow tail.
func LatencyHist(n int64) *hdrhistogram.Histogram {
	h := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	for i := int64(1); i <= n; i++ {
		_ = h.RecordValue(i * 10)
	}
	_ = h.RecordValues(250_000, n/100) // 1% at 250 ms
	return h
}
