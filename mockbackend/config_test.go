package mockbackend

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLoadConfigReadsEveryField(t *testing.T) {
	cfg, err := LoadConfig("testdata/mock.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"tlsVersion", cfg.TLSVersion, TLS13},
		{"rtt", cfg.RTT, 20 * time.Millisecond},
		{"bandwidth", cfg.Bandwidth, 10 * MBPerSecond},
		{"seed", cfg.Seed, uint64(42)},
		{"netFaults.resetPeer.after", cfg.NetFaults.ResetPeer.After, 200 * time.Millisecond},
		{"routes.a1.latency.p99", cfg.Routes["a1"].Latency.P99, 40 * time.Millisecond},
		{"routes.porch.capacity.queueDepth", cfg.Routes["porch"].Capacity.QueueDepth, 256},
		{`routes["a1.policy.put"].faults.errorRates.503`, cfg.Routes["a1.policy.put"].Faults.ErrorRates[503], 0.02},
		{`routes["porch.proposal.create"].faults.failFirst`, cfg.Routes["porch.proposal.create"].Faults.FailFirst, 3},
		{"storeFull", cfg.StoreFull, StoreReject},
		{"llmTokens", cfg.LLMTokens, 64},
		{"h2MaxStreams", cfg.H2MaxStreams, 100},
		{"watchHistory", cfg.WatchHistory, 500},
		{"maxStoreBytes", cfg.MaxStoreBytes, int64(32 << 20)},
		{"maxWatches", cfg.MaxWatches, 200},
		{"maxRequestsInflight", cfg.MaxRequestsInflight, 400},
		{"maxMutatingRequestsInflight", cfg.MaxMutatingRequestsInflight, 200},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// The example must also run.
	s := startServer(t, cfg)
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") {
		t.Errorf("URL = %s", s.URL())
	}
}

func TestLoadConfigErrorsNameFileLineFieldAndValidValues(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string // substrings of the error
	}{
		{"an unknown top-level field", "tls: true\nrtt_ms: 20\n", []string{"bad.yaml:2:", `unknown field "rtt_ms"`, "valid:", "rtt"}},
		{"an unknown nested field", "routes:\n  a1:\n    latency:\n      kind: fixed\n      valu: 2ms\n", []string{"bad.yaml:5:", "routes.a1.latency.valu", "valid:", "value"}},
		{"an unknown route key", "routes:\n  a1.policy.pat:\n    latency: {kind: fixed}\n", []string{"bad.yaml:2:", `routes["a1.policy.pat"]`, "valid groups: a1, e2, porch, rag, llm", "a1.policy.put"}},
		{"a duration without unit", "latency: 20\n", []string{"bad.yaml:1:", "latency", `"20" is not a duration`, "20ms"}},
		{"a wrong distribution kind", "default:\n  latency:\n    kind: gaussian\n", []string{"bad.yaml:3:", "default.latency.kind", `"gaussian"`, "fixed, uniform, normal, lognormal"}},
		{"a bad TLS version", "tls: true\ntlsVersion: \"1.1\"\n", []string{"bad.yaml:2:", "tlsVersion", `"1.1"`, `"1.2", "1.3"`}},
		{"fault rates over 1", "default:\n  faults:\n    errorRates: {500: 0.7}\n    rateLimit: 0.5\n", []string{"bad.yaml:2:", "default.faults", "at most 1"}},
		{"a non-error status", "default:\n  faults:\n    errorRates: {200: 0.1}\n", []string{"bad.yaml:3:", "default.faults.errorRates.200", "400 to 599"}},
		{"a status that is not a number", "default:\n  faults:\n    errorRates: {oops: 0.1}\n", []string{"bad.yaml:3:", `"oops" is not a status code`}},
		{"a wrong scalar type", "tls: maybe\n", []string{"bad.yaml:1:", "tls", "maybe"}},
		{"a bad bandwidth", "bandwidth: fast\n", []string{"bad.yaml:1:", "bandwidth", `"fast"`, "10MB/s"}},
		{"a store policy typo", "storeFull: drop\n", []string{"bad.yaml:1:", "storeFull", `"drop"`, `"evict", "reject"`}},
		{"a negative h2 stream limit", "http2: true\nh2MaxStreams: -5\n", []string{"bad.yaml:2:", "h2MaxStreams", "-5", "1 to 1048576", "0 means 100"}},
		{"a negative watch history", "watchHistory: -1\n", []string{"bad.yaml:1:", "watchHistory", "-1", "0 means 1000"}},
		{"broken YAML", "routes: [\n", []string{"bad.yaml:"}},
		{"a duplicate key", "tls: true\ntls: false\n", []string{"bad.yaml:2:", "already defined"}},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "bad.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadConfig(path)
			if err == nil {
				t.Fatalf("LoadConfig succeeded on %q", tc.yaml)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if _, err := LoadConfig(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: err = %v, want one naming the file", err)
	}
}

func TestPresetsAreValidAndDistinct(t *testing.T) {
	for _, name := range PresetNames() {
		t.Run(name, func(t *testing.T) {
			cfg, err := Preset(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.withDefaults().Validate(); err != nil {
				t.Fatalf("preset %s does not validate: %v", name, err)
			}
			cfg.TLS = true
			s := startServer(t, cfg)
			if got := (s.netem != nil); got != (name != PresetFast) {
				t.Errorf("network emulation on = %v, want %v", got, name != PresetFast)
			}
		})
	}
	flaky, _ := Preset(PresetFlaky)
	real, _ := Preset(PresetRealistic)
	if real.Default.Faults.any() || !flaky.Default.Faults.any() {
		t.Errorf("realistic has faults %v, flaky %v; want none and some", real.Default.Faults.any(), flaky.Default.Faults.any())
	}
	real.Routes["a1"] = Behavior{}
	if again, _ := Preset(PresetRealistic); again.Routes["a1"].Latency.Kind != DistLogNormal {
		t.Errorf("modifying a returned preset changed the next one")
	}
	if _, err := Preset("turbo"); err == nil || !strings.Contains(err.Error(), `unknown preset "turbo"; valid: fast, realistic, flaky`) {
		t.Errorf("unknown preset: err = %v, want the valid names", err)
	}
}

func TestLoadConfigOntoAPresetOverridesOnlyWhatTheFileSets(t *testing.T) {
	base, _ := Preset(PresetRealistic)
	path := filepath.Join(t.TempDir(), "over.yaml")
	if err := os.WriteFile(path, []byte("rtt: 50ms\nroutes:\n  a1:\n    latency: {kind: fixed, value: 1ms}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfigOnto(base, path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RTT != 50*time.Millisecond || cfg.Jitter != 2*time.Millisecond {
		t.Errorf("rtt %v jitter %v, want 50ms from the file and 2ms from the preset", cfg.RTT, cfg.Jitter)
	}
	if cfg.Routes["a1"].Latency.Kind != DistFixed || cfg.Routes["porch"].Capacity.MaxInFlight != 32 {
		t.Errorf("routes: a1 %v porch %v, want a1 from the file, porch from the preset", cfg.Routes["a1"].Latency.Kind, cfg.Routes["porch"].Capacity)
	}
	if base.Routes["a1"].Latency.Kind != DistLogNormal {
		t.Errorf("LoadConfigOnto modified the base preset's routes")
	}
}

func TestStartRejectsInvalidConfig(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"jitter without rtt", Config{Jitter: time.Millisecond}, "jitter"},
		{"sub-millisecond rtt", Config{RTT: time.Millisecond}, "rtt"},
		{"a queue without a limit", Config{Default: Behavior{Capacity: Capacity{QueueDepth: 3}}}, "default.capacity.maxInFlight"},
		{"uniform with max below min", Config{Default: Behavior{Latency: Distribution{Kind: DistUniform, Min: 2, Max: 1}}}, "default.latency.max"},
		{"a TLS version without TLS", Config{TLSVersion: TLS13}, "tlsVersion"},
	}
	for _, tc := range cases {
		if _, err := Start(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one naming %s", tc.name, err, tc.want)
		}
	}
}

// F15: durations and sizes had no upper bound (rtt: 100000h was accepted),
// and a NaN rate passed the 0-to-1 check. Each error names the file, line,
// field, value and the valid range.
func TestLoadConfigRefusesValuesOutOfRangeAndNaN(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		{"an rtt of 100000h", "rtt: 100000h\n", []string{"bad.yaml:1:", "rtt", "100000h0m0s", "from 0 to 1m0s"}},
		{"a latency over a minute", "latency: 61s\n", []string{"bad.yaml:1:", "latency", "1m1s", "from 0 to 1m0s"}},
		{"a route latency over a minute", "routes:\n  a1:\n    latency: {kind: fixed, value: 2m}\n", []string{"bad.yaml:3:", "routes.a1.latency.value", "2m0s", "from 0 to 1m0s"}},
		{"a lognormal p99 over a minute", "default:\n  latency: {kind: lognormal, p50: 1s, p99: 10m}\n", []string{"default.latency.p99", "10m0s", "from 0 to 1m0s"}},
		{"a token delay over a minute", "tokenDelay: 1h\n", []string{"bad.yaml:1:", "tokenDelay", "from 0 to 1m0s"}},
		{"a shutdown timeout over a minute", "shutdownTimeout: 10m\n", []string{"bad.yaml:1:", "shutdownTimeout", "10m0s", "from 0 to 1m0s"}},
		{"an idle timeout over an hour", "idleTimeout: 2h\n", []string{"bad.yaml:1:", "idleTimeout", "2h0m0s", "from 0 to 1h0m0s"}},
		{"an enforce delay over an hour", "enforceDelay: 1000h\n", []string{"bad.yaml:1:", "enforceDelay", "from 0 to 1h0m0s"}},
		{"a retry-after over an hour", "default:\n  faults: {retryAfter: 48h}\n", []string{"default.faults.retryAfter", "48h0m0s", "from 0 to 1h0m0s"}},
		{"a queue timeout over an hour", "default:\n  capacity: {maxInFlight: 1, queueTimeout: 2h}\n", []string{"default.capacity.queueTimeout", "from 0 to 1h0m0s"}},
		{"a net fault delay over an hour", "netFaults:\n  slowClose: {rate: 0.1, after: 2h}\n", []string{"bad.yaml:2:", "netFaults.slowClose.after", "from 0 to 1h0m0s"}},
		{"a NaN fault rate", "default:\n  faults: {rateLimit: .nan}\n", []string{"default.faults.rateLimit", "NaN", "0 to 1"}},
		{"a NaN error rate", "default:\n  faults:\n    errorRates: {500: .nan}\n", []string{"bad.yaml:3:", "default.faults.errorRates.500", "NaN", "0 to 1"}},
		{"a NaN net fault rate", "netFaults:\n  resetPeer: {rate: .nan}\n", []string{"bad.yaml:2:", "netFaults.resetPeer.rate", "NaN", "0 to 1"}},
		{"a watch history allocated beyond reason", "watchHistory: 1000000000\n", []string{"bad.yaml:1:", "watchHistory", "1000000000", "1 to 1000000"}},
		{"an in-flight limit allocated beyond reason", "default:\n  capacity: {maxInFlight: 1000000000000}\n", []string{"default.capacity.maxInFlight", "1000000000000", "0 to 1000000"}},
		{"a huge token count", "llmTokens: 100000000\n", []string{"bad.yaml:1:", "llmTokens", "1 to 100000"}},
		{"a negative store byte bound", "maxStoreBytes: -1\n", []string{"bad.yaml:1:", "maxStoreBytes", "-1", ">= 16384", "0 means 67108864"}},
		{"a store too small for the built-in types", "maxStoreBytes: 1000\nmaxBodyBytes: 500\n", []string{"bad.yaml:1:", "maxStoreBytes", "1000", ">= 16384"}},
		{"a store smaller than a body", "maxStoreBytes: 32768\nmaxBodyBytes: 65536\n", []string{"bad.yaml:1:", "maxStoreBytes", "32768", "below maxBodyBytes 65536"}},
		{"a store smaller than the default body", "maxStoreBytes: 65536\n", []string{"bad.yaml:1:", "maxStoreBytes", "below maxBodyBytes 1048576"}},
		{"a negative watch bound", "maxWatches: -1\n", []string{"bad.yaml:1:", "maxWatches", "-1", "1 to 1000000", "0 means 1000"}},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "bad.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadConfig(path)
			if err == nil {
				t.Fatalf("LoadConfig accepted %q", tc.yaml)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	// The bounds themselves are valid.
	ok := "rtt: 1m\nlatency: 1m\nshutdownTimeout: 1m\nidleTimeout: 1h\nenforceDelay: 1h\nwatchHistory: 1000000\nmaxWatches: 1000000\nmaxStoreBytes: 1048576\n"
	path := filepath.Join(dir, "edge.yaml")
	if err := os.WriteFile(path, []byte(ok), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(path); err != nil {
		t.Errorf("the bounds themselves are refused: %v", err)
	}
}

func TestAConfigErrorNamesItsFieldValueAndReason(t *testing.T) {
	for _, tc := range []struct {
		name          string
		cfg           Config
		field         []string
		value, reason string
	}{
		{"a top-level duration", Config{RTT: 2 * time.Minute}, []string{"rtt"}, "2m0s", "is out of range; valid: a duration from 0 to 1m0s"},
		{"a route's fault", Config{Routes: map[string]Behavior{"a1": {Faults: Faults{Hang: 2}}}}, []string{"routes", "a1", "faults", "hang"}, "2", "is out of range; valid: 0 to 1"},
		{"a sum, not one value", Config{Default: Behavior{Faults: Faults{Hang: 0.6, RateLimit: 0.6}}}, []string{"default", "faults"}, "", "fault rates add up to 1.2; valid: a total of at most 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ce *ConfigError
			if err := tc.cfg.Validate(); !errors.As(err, &ce) {
				t.Fatalf("Validate() = %v, want a *ConfigError", err)
			}
			if !slices.Equal(ce.Field(), tc.field) || ce.Value() != tc.value || ce.Reason() != tc.reason {
				t.Errorf("field %q value %q reason %q, want %q %q %q", ce.Field(), ce.Value(), ce.Reason(), tc.field, tc.value, tc.reason)
			}
		})
	}
}
