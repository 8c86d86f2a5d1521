package scenario

import (
	"testing"
	"time"

	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/targets/transport"
)

func mustParse(t *testing.T, doc string) *Plan {
	t.Helper()
	s, err := Parse(t.Name()+".yaml", []byte(doc), transport.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBurstPacerSendsWholeBurstsAtTheirStart(t *testing.T) {
	p := burstPacer{size: 20, every: 100 * time.Millisecond}
	cases := []struct {
		elapsed time.Duration
		hit     uint64
		want    time.Duration
	}{
		{0, 0, 0}, {0, 19, 0}, {0, 20, 100 * time.Millisecond},
		{150 * time.Millisecond, 40, 50 * time.Millisecond}, {250 * time.Millisecond, 20, -150 * time.Millisecond},
	}
	for _, c := range cases {
		if wait, stop := p.Pace(c.elapsed, c.hit); wait != c.want || stop {
			t.Errorf("Pace(%v, %d) = %v, %v; want %v", c.elapsed, c.hit, wait, stop, c.want)
		}
	}
	if r := p.Rate(0); r != 200 {
		t.Errorf("rate %v, want 200/s", r)
	}
}

func TestOfferedLoadKnowsHowManyHitsItAsksFor(t *testing.T) {
	cases := []struct {
		name string
		l    LoadModel
		want float64
	}{
		{"constant", LoadModel{Shape: ShapeConstant, Rate: 200}, 600},
		{"bursts", LoadModel{Shape: ShapeBurst, Burst: &BurstSpec{Size: 20, Every: Duration{100 * time.Millisecond}}}, 600},
		{"ramp", LoadModel{Shape: ShapeRamp, Ramp: &RampSpec{From: 100, To: 300}}, 600},
		{"sine over whole periods", LoadModel{Shape: ShapeSine, Sine: &SineSpec{Mean: 200, Amplitude: 50, Period: Duration{time.Second}}}, 600},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.l.Offered(3 * time.Second)
			if got := o.Expected(3 * time.Second); got != c.want {
				t.Fatalf("expected hits %v, want %v", got, c.want)
			}
			if o.Mean != 200 {
				t.Fatalf("mean rate %v, want 200", o.Mean)
			}
		})
	}
}

func TestMockConfigCarriesTheBackendSection(t *testing.T) {
	s := mustParse(t, `apiVersion: oranbench/v1
kind: Scenario
name: mock
backend:
  preset: realistic
  tls: true
  tlsVersion: "1.2"
  http2: true
  rtt: 30ms
  bandwidth: 10MB/s
  latency: {kind: lognormal, p50: 5ms, p99: 50ms}
  faults: {errorRates: {503: 0.01}, rateLimit: 0.01}
  routes:
    llm: {latency: 100ms, capacity: {maxInFlight: 2, queueDepth: 4}}
  tokenDelay: 5ms
mix:
  - route: llm.chat
load:
  model: closed
  concurrency: 1
arms: [tuned]
duration: 1s
seed: 42
`)
	c, err := s.MockConfig()
	if err != nil {
		t.Fatal(err)
	}
	if !c.TLS || c.TLSVersion != mockbackend.TLS12 || !c.HTTP2 || c.RTT != 30*time.Millisecond || c.ConnSetupDelay != 30*time.Millisecond {
		t.Fatalf("transport settings: %+v", c)
	}
	if c.Bandwidth != 10*mockbackend.MBPerSecond || c.TokenDelay != 5*time.Millisecond || c.Seed != 42 {
		t.Fatalf("bandwidth %v, token delay %v, seed %d", c.Bandwidth, c.TokenDelay, c.Seed)
	}
	if c.Default.Latency.Kind != mockbackend.DistLogNormal || c.Default.Latency.P99 != 50*time.Millisecond || c.Default.Faults.ErrorRates[503] != 0.01 {
		t.Fatalf("default behaviour: %+v", c.Default)
	}
	llm := c.Routes["llm"]
	if llm.Latency.Value != 100*time.Millisecond || llm.Capacity.MaxInFlight != 2 {
		t.Fatalf("llm: %+v", llm)
	}
	if _, ok := c.Routes["porch"]; !ok {
		t.Fatal("the realistic profile's porch behaviour was dropped")
	}
}
