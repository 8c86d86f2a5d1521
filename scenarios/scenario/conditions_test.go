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
