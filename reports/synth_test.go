package reports

import (
	"strconv"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// synthRep is one synthetic repetition: n requests whose service times are
// spread evenly over [p50/2, 3*p50/2] plus a 1% tail at 3*p50, served at
// rate req/s, with its histogram, timeline and connection counts.
func synthRep(t *testing.T, n int64, rate float64, p50 time.Duration, dials int64) (Rep, *hdrhistogram.Histogram) {
	t.Helper()
	h := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	lo := float64(p50/time.Microsecond) / 2
	for j := range n {
		_ = h.RecordValue(int64(lo + lo*2*float64(j)/float64(n)))
	}
	_ = h.RecordValues(int64(3*p50/time.Microsecond), n/100)
	total := h.TotalCount()
	enc, err := EncodeHDR(h)
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Duration(float64(total) / rate * float64(time.Second))
	r := Rep{Summary: Summary{
		Requests: total, Successes: total, SuccessPct: 100, ReqPerSec: rate, SuccessPerSec: rate, Wall: wall,
		Latency: HDRPercentiles(h), Codes: map[string]int64{"200": total}, Errors: map[string]int64{},
		BytesIn: uint64(100 * total), BytesOut: uint64(50 * total),
		Client: ClientConns{Dials: dials, New: dials, Reused: total - dials, TLSHandshakes: dials,
			ReusePct: 100 * float64(total-dials) / float64(total), ConnWaitMean: time.Millisecond},
		Server: ServerConns{Known: true, Accepted: dials, TLSHandshakes: dials, Requests: total},
	}, ServiceHDR: enc}
	step := wall / 4
	for i := range 4 {
		r.Series = append(r.Series, Interval{Start: time.Duration(i) * step, Step: step, Requests: total / 4,
			P50: p50, P99: 3 * p50, Max: 3 * p50})
	}
	r.Series[3].Requests += total % 4
	return r, h
}

// synthArm builds an arm with one repetition per rate; repetition i's p50
// is p50 scaled by p50Scale[i]. Positions interleave with the other arms:
// arm ai of arms runs at position i*arms+ai.
func synthArm(t *testing.T, name string, ai, arms int, rates, p50Scale []float64, p50 time.Duration, dials int64) Arm {
	t.Helper()
	a := Arm{Name: name, Profile: name}
	merged := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	for i, rate := range rates {
		r, h := synthRep(t, 500, rate, time.Duration(float64(p50)*p50Scale[i]), dials)
		r.Index, r.Position = i, i*arms+ai
		a.Reps = append(a.Reps, r)
		merged.Merge(h)
	}
	var err error
	if a.ServiceHDR, err = EncodeHDR(merged); err != nil {
		t.Fatal(err)
	}
	a.Total = ArmTotal(a.Reps, merged, nil)
	return a
}

// synthScenario is a closed-model scenario with a default and a tuned arm.
func synthScenario(t *testing.T, name string, def, tuned Arm) Scenario {
	t.Helper()
	s := Scenario{
		Name: name, Description: "synthetic",
		Conditions: Conditions{TLS: true, Model: "closed", Concurrency: 20, Duration: time.Second, Warmup: 100 * time.Millisecond,
			Repetitions: len(def.Reps), Routes: []string{"a1-policy-put ×1"}, Order: []string{"default", "tuned"}},
		Arms: []Arm{def, tuned},
	}
	s.Ratios = []Ratio{NewRatio(tuned, def)}
	s.Stats = ComputeStats(s)
	th, err := ParseThreshold("p99 < 10s")
	if err != nil {
		t.Fatal(err)
	}
	th.Arm = "tuned"
	s.Thresholds = EvaluateThresholds(s, []Threshold{th})
	return s
}

var (
	flat5    = []float64{1, 1, 1, 1, 1}
	spread5  = []float64{0.98, 0.99, 1.00, 1.01, 1.02}
	spread5b = []float64{0.985, 0.995, 1.005, 1.015, 1.025}
)

func scaled(xs []float64, k float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * k
	}
	return out
}

// synthResults is a run with the seed scenario (5 repetitions per arm) and
// a two-point sweep. tunedRate and tunedP50 scale the tuned arm, to inject
// a change; p50Spread sets the repetitions' p50 scatter.
func synthResults(t *testing.T, tunedRate, tunedP50 float64, p50Spread []float64) *Results {
	t.Helper()
	def := synthArm(t, "default", 0, 2, []float64{1000, 1010, 990, 1005, 995}, p50Spread, 12*time.Millisecond, 300)
	tuned := synthArm(t, "tuned", 1, 2, scaled([]float64{2000, 2020, 1980, 2010, 1990}, tunedRate),
		scaled(p50Spread, tunedP50), 10*time.Millisecond, 0)
	seed := synthScenario(t, "seed-20-concurrent", def, tuned)
	sweep := Scenario{Name: "conditions-sweep", Description: "synthetic sweep", Conditions: seed.Conditions,
		Sweep: &Sweep{Params: []string{"concurrency", "tls"}}}
	for i, c := range []int{20, 50} {
		for _, tls := range []string{"on", "off"} {
			k := float64(i + 1)
			if tls == "off" {
				k /= 2
			}
			d := synthArm(t, "default", 0, 2, []float64{1000, 1010, 990}, flat5[:3], 12*time.Millisecond, 100)
			tu := synthArm(t, "tuned", 1, 2, scaled([]float64{2000, 2020, 1980}, k), flat5[:3], 10*time.Millisecond, 0)
			pt := SweepPoint{Values: []string{strconv.Itoa(c), tls}, Result: synthScenario(t, "conditions-sweep", d, tu)}
			sweep.Sweep.Points = append(sweep.Sweep.Points, pt)
		}
	}
	r := &Results{
		SchemaVersion: SchemaVersion, Tool: "oranbench",
		StartedAt:  time.Date(2026, 11, 28, 15, 26, 0, 0, time.UTC),
		FinishedAt: time.Date(2026, 11, 28, 15, 31, 0, 0, time.UTC),
		Machine:    Machine{GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64", NumCPU: 2, GOMAXPROCS: 2, CPUModel: "Test CPU"},
		Scenarios:  []Scenario{seed, sweep},
	}
	r.Claims = Claims(r)
	return r
}
