package mockbackend

import (
	"os"
	"path/filepath"
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
		{"tls_version", cfg.TLSVersion, TLS13},
		{"rtt", cfg.RTT, 20 * time.Millisecond},
		{"bandwidth", cfg.Bandwidth, 10 * MBPerSecond},
		{"seed", cfg.Seed, uint64(42)},
		{"net_faults.reset_peer.after", cfg.NetFaults.ResetPeer.After, 200 * time.Millisecond},
		{"routes.a1.latency.p99", cfg.Routes["a1"].Latency.P99, 40 * time.Millisecond},
		{"routes.porch.capacity.queue_depth", cfg.Routes["porch"].Capacity.QueueDepth, 256},
		{`routes["a1.policy.put"].faults.error_rates.503`, cfg.Routes["a1.policy.put"].Faults.ErrorRates[503], 0.02},
		{`routes["porch.proposal.create"].faults.fail_first`, cfg.Routes["porch.proposal.create"].Faults.FailFirst, 3},
		{"store_full", cfg.StoreFull, StoreReject},
		{"llm_tokens", cfg.LLMTokens, 64},
		{"h2_max_streams", cfg.H2MaxStreams, 100},
		{"watch_history", cfg.WatchHistory, 500},
		{"max_store_bytes", cfg.MaxStoreBytes, int64(32 << 20)},
		{"max_watches", cfg.MaxWatches, 200},
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
		{"a bad TLS version", "tls: true\ntls_version: \"1.1\"\n", []string{"bad.yaml:2:", "tls_version", `"1.1"`, `"1.2", "1.3"`}},
		{"fault rates over 1", "default:\n  faults:\n    error_rates: {500: 0.7}\n    rate_limit: 0.5\n", []string{"bad.yaml:2:", "default.faults", "at most 1"}},
		{"a non-error status", "default:\n  faults:\n    error_rates: {200: 0.1}\n", []string{"bad.yaml:3:", "default.faults.error_rates.200", "400 to 599"}},
		{"a status that is not a number", "default:\n  faults:\n    error_rates: {oops: 0.1}\n", []string{"bad.yaml:3:", `"oops" is not a status code`}},
		{"a wrong scalar type", "tls: maybe\n", []string{"bad.yaml:1:", "tls", "maybe"}},
		{"a bad bandwidth", "bandwidth: fast\n", []string{"bad.yaml:1:", "bandwidth", `"fast"`, "10MB/s"}},
		{"a store policy typo", "store_full: drop\n", []string{"bad.yaml:1:", "store_full", `"drop"`, `"evict", "reject"`}},
		{"a negative h2 stream limit", "http2: true\nh2_max_streams: -5\n", []string{"bad.yaml:2:", "h2_max_streams", "-5", "1 to 1048576", "0 means 100"}},
		{"a negative watch history", "watch_history: -1\n", []string{"bad.yaml:1:", "watch_history", "-1", "0 means 1000"}},
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

func TestProfilesAreValidAndDistinct(t *testing.T) {
	for _, name := range PresetNames() {
		t.Run(name, func(t *testing.T) {
			cfg, err := Preset(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.withDefaults().Validate(); err != nil {
				t.Fatalf("profile %s does not validate: %v", name, err)
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
		t.Errorf("modifying a returned profile changed the next one")
	}
	if _, err := Preset("turbo"); err == nil || !strings.Contains(err.Error(), "fast, realistic, flaky") {
		t.Errorf("unknown profile: err = %v, want the valid names", err)
	}
}

func TestLoadConfigOntoAProfileOverridesOnlyWhatTheFileSets(t *testing.T) {
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
		t.Errorf("rtt %v jitter %v, want 50ms from the file and 2ms from the profile", cfg.RTT, cfg.Jitter)
	}
	if cfg.Routes["a1"].Latency.Kind != DistFixed || cfg.Routes["porch"].Capacity.MaxInFlight != 32 {
		t.Errorf("routes: a1 %v porch %v, want a1 from the file, porch from the profile", cfg.Routes["a1"].Latency.Kind, cfg.Routes["porch"].Capacity)
	}
	if base.Routes["a1"].Latency.Kind != DistLogNormal {
		t.Errorf("LoadConfigOnto modified the base profile's routes")
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
		{"a queue without a limit", Config{Default: Behavior{Capacity: Capacity{QueueDepth: 3}}}, "default.capacity.max_in_flight"},
		{"uniform with max below min", Config{Default: Behavior{Latency: Distribution{Kind: DistUniform, Min: 2, Max: 1}}}, "default.latency.max"},
		{"a TLS version without TLS", Config{TLSVersion: TLS13}, "tls_version"},
	}
	for _, tc := range cases {
		if _, err := Start(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one naming %s", tc.name, err, tc.want)
		}
	}
}
