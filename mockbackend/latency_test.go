package mockbackend

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestDistributionsMatchTheirParameters(t *testing.T) {
	const n = 20000
	cases := []struct {
		name     string
		d        Distribution
		wantP50  time.Duration
		wantP99  time.Duration
		min, max time.Duration
	}{
		{"fixed is constant", Distribution{Kind: DistFixed, Value: 7 * time.Millisecond}, 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond},
		{"uniform stays in its bounds", Distribution{Kind: DistUniform, Min: 10 * time.Millisecond, Max: 30 * time.Millisecond}, 20 * time.Millisecond, 29800 * time.Microsecond, 10 * time.Millisecond, 30 * time.Millisecond},
		{"normal from mean and stddev", Distribution{Kind: DistNormal, Mean: 50 * time.Millisecond, StdDev: 5 * time.Millisecond}, 50 * time.Millisecond, 61632 * time.Microsecond, 0, time.Hour},
		{"normal from p50 and p99", Distribution{Kind: DistNormal, P50: 50 * time.Millisecond, P99: 80 * time.Millisecond}, 50 * time.Millisecond, 80 * time.Millisecond, 0, time.Hour},
		{"lognormal from p50 and p99", Distribution{Kind: DistLogNormal, P50: 10 * time.Millisecond, P99: 100 * time.Millisecond}, 10 * time.Millisecond, 100 * time.Millisecond, 0, time.Hour},
		{"cap clamps the tail", Distribution{Kind: DistLogNormal, P50: 10 * time.Millisecond, P99: 100 * time.Millisecond, Cap: 50 * time.Millisecond}, 10 * time.Millisecond, 50 * time.Millisecond, 0, 50 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.d.validate(at("latency")); err != nil {
				t.Fatalf("validate: %v", err)
			}
			sp := newSampler(tc.d, 0)
			rng := rand.New(rand.NewPCG(1, 2))
			xs := make([]time.Duration, n)
			for i := range xs {
				xs[i] = sp.sample(rng)
			}
			slices.Sort(xs)
			if xs[0] < tc.min || xs[n-1] > tc.max {
				t.Errorf("range [%v, %v], want within [%v, %v]", xs[0], xs[n-1], tc.min, tc.max)
			}
			within := func(got, want time.Duration) bool {
				return float64(got) >= 0.95*float64(want) && float64(got) <= 1.05*float64(want)
			}
			if p50 := xs[n/2]; !within(p50, tc.wantP50) {
				t.Errorf("p50 = %v, want %v ± 5%%", p50, tc.wantP50)
			}
			if p99 := xs[n*99/100]; !within(p99, tc.wantP99) {
				t.Errorf("p99 = %v, want %v ± 5%%", p99, tc.wantP99)
			}
		})
	}
}

func TestPerRequestLatencyOverride(t *testing.T) {
	s := startServer(t, Config{Latency: time.Second})
	c := newClient(t, s, nil)
	cases := []struct {
		name     string
		path     string
		header   string
		wantCode int
		wantMax  time.Duration
		wantMin  time.Duration
		field    string
	}{
		{"the header replaces the route latency", "/A1-P/v2/policytypes", "5ms", 200, 500 * time.Millisecond, 5 * time.Millisecond, ""},
		{"the query parameter does too", "/A1-P/v2/policytypes?latency=30ms", "", 200, 500 * time.Millisecond, 30 * time.Millisecond, ""},
		{"zero means no latency", "/A1-P/v2/policytypes?latency=0s", "", 200, 500 * time.Millisecond, 0, ""},
		{"a bad value is a 400 naming the header", "/A1-P/v2/policytypes", "soon", 400, 500 * time.Millisecond, 0, LatencyHeader},
		{"a huge value is refused", "/A1-P/v2/policytypes?latency=10h", "", 400, 500 * time.Millisecond, 0, LatencyQuery},
	}
	for _, tc := range cases {
		start := time.Now()
		resp := do(t, c, "GET", s.URL()+tc.path, "", LatencyHeader, tc.header)
		took := time.Since(start)
		if resp.code != tc.wantCode {
			t.Errorf("%s: code %d, want %d (%s)", tc.name, resp.code, tc.wantCode, resp.body)
			continue
		}
		if took > tc.wantMax || took < tc.wantMin {
			t.Errorf("%s: took %v, want between %v and %v", tc.name, took, tc.wantMin, tc.wantMax)
		}
		if tc.field != "" && jsonField(t, resp.body, "field") != tc.field {
			t.Errorf("%s: field %v, want %s", tc.name, jsonField(t, resp.body, "field"), tc.field)
		}
	}
}

func TestRouteBehaviourResolvesMostSpecificFirst(t *testing.T) {
	fixed := func(d time.Duration) Distribution { return Distribution{Kind: DistFixed, Value: d} }
	s := startServer(t, Config{
		Latency: 1 * time.Millisecond,
		Default: Behavior{Latency: fixed(2 * time.Millisecond)},
		Routes: map[string]Behavior{
			"porch":                {Latency: fixed(3 * time.Millisecond), Capacity: Capacity{MaxInFlight: 4}},
			"porch.package.create": {Latency: fixed(4 * time.Millisecond)},
			"e2":                   {Faults: Faults{RateLimit: 1}},
		},
	})
	byName := map[string]*route{}
	for _, rt := range s.routes {
		byName[rt.name] = rt
	}
	cases := []struct {
		route       string
		wantLatency time.Duration
		wantFaults  bool
		wantLimiter bool
	}{
		{"porch.package.create", 4 * time.Millisecond, false, true}, // own latency, group capacity
		{"porch.revision.get", 3 * time.Millisecond, false, true},
		{"e2.control", 2 * time.Millisecond, true, false}, // group faults, default latency
		{"a1.policy.put", 2 * time.Millisecond, false, false},
		{"healthz", 0, false, false}, // operational routes get no behaviour
	}
	for _, tc := range cases {
		rt := byName[tc.route]
		if rt.lat.fixed != tc.wantLatency || (rt.faults != nil) != tc.wantFaults || (rt.limiter != nil) != tc.wantLimiter {
			t.Errorf("%s: latency %v faults %v limiter %v, want %v %v %v", tc.route, rt.lat.fixed, rt.faults != nil, rt.limiter != nil, tc.wantLatency, tc.wantFaults, tc.wantLimiter)
		}
	}
	if byName["porch.package.create"].limiter != byName["porch.revision.get"].limiter {
		t.Errorf("routes under one capacity entry got separate limiters, want one shared limit")
	}
}

func TestSleepNeverReturnsEarlyAndStopsOnCancel(t *testing.T) {
	for _, precise := range []bool{false, true} {
		s := &Server{cfg: Config{PreciseLatency: precise}, closing: make(chan struct{})}
		for _, d := range []time.Duration{0, 500 * time.Microsecond, 5 * time.Millisecond} {
			start := time.Now()
			if !s.sleep(context.Background(), d) || time.Since(start) < d {
				t.Errorf("precise=%v: sleep(%v) returned after %v", precise, d, time.Since(start))
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		start := time.Now()
		ok := s.sleep(ctx, time.Hour)
		cancel()
		if ok || time.Since(start) > time.Second {
			t.Errorf("precise=%v: cancelled sleep returned %v after %v, want false promptly", precise, ok, time.Since(start))
		}
		close(s.closing)
		if s.sleep(context.Background(), time.Hour) {
			t.Errorf("precise=%v: sleep during shutdown returned true", precise)
		}
	}
}
