package mockbackend

import (
	"fmt"
	"strings"
	"time"
)

// Named behaviour presets for Preset (not to be confused with transport
// profiles, which are the client under test). They set behaviour only: Listen, TLS,
// TLSVersion and HTTP2 stay zero for the caller to choose.
const (
	PresetFast      = "fast"      // no latency, faults or emulation: the mock at full speed
	PresetRealistic = "realistic" // 20 ms RTT, per-API service times, capacity limits
	PresetFlaky     = "flaky"     // realistic plus HTTP and TCP faults
)

// PresetNames lists the valid Preset names.
func PresetNames() []string { return []string{PresetFast, PresetRealistic, PresetFlaky} }

func logNormal(p50, p99 time.Duration) Distribution {
	return Distribution{Kind: DistLogNormal, P50: p50, P99: p99, Cap: 10 * p99}
}

// Preset returns the named configuration. Each call returns a fresh Config
// the caller may modify.
func Preset(name string) (Config, error) {
	switch name {
	case PresetFast:
		return Config{}, nil
	case PresetRealistic:
		return realistic(), nil
	case PresetFlaky:
		c := realistic()
		c.Default.Faults = Faults{
			ErrorRates:       map[int]float64{500: 0.01, 503: 0.02},
			RateLimit:        0.02,
			RetryAfter:       time.Second,
			Hang:             0.002,
			CloseMidResponse: 0.005,
		}
		c.NetFaults = NetFaults{
			ResetPeer: NetFault{Rate: 0.01, After: 200 * time.Millisecond},
			SlowClose: NetFault{Rate: 0.05, After: 100 * time.Millisecond},
		}
		return c, nil
	}
	return Config{}, fmt.Errorf("mockbackend: unknown preset %q; valid: %s", name, strings.Join(PresetNames(), ", "))
}

// realistic models a nearby cluster: 20 ms RTT with jitter, a TCP handshake
// that costs a round trip, right-skewed service times per API (a RIC answers
// in milliseconds, Porch in tens, RAG and LLM in hundreds) and capacity
// limits that make slow backends queue and then refuse.
func realistic() Config {
	return Config{
		RTT:            20 * time.Millisecond,
		Jitter:         2 * time.Millisecond,
		ConnSetupDelay: 20 * time.Millisecond,
		EnforceDelay:   2 * time.Second,
		TokenDelay:     20 * time.Millisecond,
		Routes: map[string]Behavior{
			"a1":    {Latency: logNormal(5*time.Millisecond, 40*time.Millisecond)},
			"e2":    {Latency: logNormal(2*time.Millisecond, 15*time.Millisecond)},
			"porch": {Latency: logNormal(40*time.Millisecond, 300*time.Millisecond), Capacity: Capacity{MaxInFlight: 32, QueueDepth: 256}},
			"rag":   {Latency: logNormal(150*time.Millisecond, 900*time.Millisecond), Capacity: Capacity{MaxInFlight: 8, QueueDepth: 64}},
			"llm":   {Latency: logNormal(300*time.Millisecond, 1500*time.Millisecond), Capacity: Capacity{MaxInFlight: 4, QueueDepth: 64}},
		},
	}
}
