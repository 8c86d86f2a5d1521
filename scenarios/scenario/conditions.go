package scenario

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports/results"
)

// The backend section as the mock's Config, and the conditions a run
// reports: what the scenario says about its backend, without starting it
// (that is backend.go).

// dist is the latency model as the mock's Distribution.
func (l LatencySpec) dist() mockbackend.Distribution {
	return mockbackend.Distribution{Kind: l.Kind, Value: l.Value.Duration, Min: l.Min.Duration, Max: l.Max.Duration,
		Mean: l.Mean.Duration, StdDev: l.StdDev.Duration, P50: l.P50.Duration, P99: l.P99.Duration, Cap: l.Cap.Duration}
}

// orZero is *v, or T's zero value when v is nil (not set).
func orZero[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

func (b RouteBehavior) behavior() mockbackend.Behavior {
	out := mockbackend.Behavior{Faults: orZero(b.Faults), Capacity: orZero(b.Capacity)}
	if b.Latency.IsSet() {
		out.Latency = b.Latency.dist()
	}
	return out
}

// MockConfig maps the backend section onto the mock's Config: the named
// profile first, then every field the scenario sets. A TCP handshake costs
// one round trip, so with an RTT the connection set-up delay defaults to it.
func (p *Plan) MockConfig() (mockbackend.Config, error) {
	b := p.spec.Backend
	var c mockbackend.Config
	if b.Preset != "" {
		var err error
		if c, err = mockbackend.Preset(b.Preset); err != nil {
			return c, err
		}
	}
	c.TLS, c.TLSVersion, c.HTTP2 = b.TLSOn(), b.TLSVersion, b.HTTP2
	if b.Latency.IsSet() {
		if d, ok := b.Latency.Fixed(); ok && b.Latency.scalar {
			c.Latency = d
		} else {
			c.Default.Latency = b.Latency.dist()
		}
	}
	if b.Faults != nil {
		c.Default.Faults = *b.Faults
	}
	if b.Capacity != nil {
		c.Default.Capacity = *b.Capacity
	}
	if len(b.Routes) > 0 {
		routes := make(map[string]mockbackend.Behavior, len(c.Routes)+len(b.Routes))
		for k, v := range c.Routes {
			routes[k] = v
		}
		for k, v := range b.Routes {
			routes[k] = v.behavior()
		}
		c.Routes = routes
	}
	set := func(dst *time.Duration, v Duration) {
		if v.Duration > 0 {
			*dst = v.Duration
		}
	}
	set(&c.RTT, b.RTT)
	set(&c.Jitter, b.Jitter)
	set(&c.ConnSetupDelay, b.ConnSetupDelay)
	if b.ConnSetupDelay.Duration == 0 && b.RTT.Duration > 0 {
		c.ConnSetupDelay = b.RTT.Duration
	}
	if b.Bandwidth > 0 {
		c.Bandwidth = b.Bandwidth
	}
	if b.NetFaults != nil {
		c.NetFaults = *b.NetFaults
	}
	set(&c.EnforceDelay, b.EnforceDelay)
	set(&c.TokenDelay, b.TokenDelay)
	if b.LLMTokens > 0 {
		c.LLMTokens = b.LLMTokens
	}
	if b.MaxObjects > 0 {
		c.MaxObjects = b.MaxObjects
	}
	if b.H2MaxStreams > 0 {
		c.H2MaxStreams = b.H2MaxStreams
	}
	if b.MaxStoreBytes > 0 {
		c.MaxStoreBytes = b.MaxStoreBytes
	}
	if b.MaxWatches > 0 {
		c.MaxWatches = b.MaxWatches
	}
	if b.MaxRequestsInflight != 0 {
		c.MaxRequestsInflight = b.MaxRequestsInflight
	}
	if b.MaxMutatingRequestsInflight != 0 {
		c.MaxMutatingRequestsInflight = b.MaxMutatingRequestsInflight
	}
	if p.spec.Seed != 0 {
		c.Seed = uint64(p.spec.Seed)
	}
	return c, c.Validate()
}

// latencyText describes a non-fixed latency model, e.g. "lognormal p50 5ms p99 40ms".
func (l LatencySpec) latencyText() string {
	switch l.Kind {
	case mockbackend.DistUniform:
		return fmt.Sprintf("uniform %s–%s", l.Min, l.Max)
	case mockbackend.DistNormal:
		if l.Mean.Duration > 0 {
			return fmt.Sprintf("normal %s±%s", l.Mean, l.StdDev)
		}
		return fmt.Sprintf("normal p50 %s p99 %s", l.P50, l.P99)
	case mockbackend.DistLogNormal:
		return fmt.Sprintf("lognormal p50 %s p99 %s", l.P50, l.P99)
	}
	return ""
}

// Conditions are what the report says a run of p measured under: the
// backend, network and load, for duration after warmup, reps times per arm.
func (p *Plan) Conditions(duration, warmup time.Duration, reps int) results.Conditions {
	b := p.spec.Backend
	c := results.Conditions{
		TLS:         (b.URL == "" && b.TLSOn()) || strings.HasPrefix(b.URL, "https://"),
		TLSVersion:  b.TLSVersion,
		HTTP2:       b.HTTP2,
		RTT:         b.RTT.Duration,
		Model:       p.spec.Load.Model,
		Duration:    duration,
		Warmup:      warmup,
		Repetitions: reps,
		Target:      b.URL,
		MockPreset:  b.Preset,
		Faults:      b.Faults != nil || b.NetFaults != nil,
	}
	if !b.External() {
		// A mock profile sets network conditions of its own.
		if mc, err := p.MockConfig(); err == nil {
			c.RTT = mc.RTT
			if mc.Bandwidth > 0 {
				c.Bandwidth = mc.Bandwidth.String()
			}
			c.Faults = c.Faults || mc.Default.Faults.ErrorRates != nil || mc.Default.Faults.RateLimit > 0 || mc.NetFaults.ResetPeer.Rate > 0
			if mc.HTTP2 {
				c.H2MaxStreams = cmp.Or(mc.H2MaxStreams, mockbackend.DefaultH2MaxStreams)
			}
		}
	}
	if d, ok := b.Latency.Fixed(); ok {
		c.HandlerLatency = d
	} else if b.Latency.IsSet() {
		c.Latency = b.Latency.latencyText()
	}
	if len(b.Routes) > 0 {
		var parts []string
		for _, k := range sortedKeys(b.Routes) {
			rb := b.Routes[k]
			desc := k
			if d, ok := rb.Latency.Fixed(); ok {
				desc += " " + d.String()
			} else if rb.Latency.IsSet() {
				desc += " " + rb.Latency.latencyText()
			}
			if rb.Faults != nil {
				c.Faults = true
			}
			parts = append(parts, desc)
		}
		if c.Latency != "" {
			c.Latency += "; "
		} else if c.HandlerLatency > 0 {
			c.Latency = c.HandlerLatency.String() + "; "
		}
		c.Latency += strings.Join(parts, ", ")
	}
	if b.Preset != "" {
		c.Latency = strings.TrimSuffix("mock preset "+b.Preset+"; "+c.Latency, "; ")
	}
	for _, m := range p.spec.Mix {
		name := m.Route
		switch {
		case m.Flow != "":
			name = "flow " + m.Flow
		case m.Request != nil:
			name = m.Request.Method + " " + m.Request.Path
		}
		c.Routes = append(c.Routes, fmt.Sprintf("%s ×%d", name, m.Weight))
	}
	p.Model().describe(p, &c, duration)
	letters := "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for rep := 0; rep < min(reps, 2); rep++ {
		for i := range p.arms {
			c.Order = append(c.Order, string(letters[i%len(letters)]))
		}
	}
	if reps > 2 {
		c.Order = append(c.Order, "…")
	}
	for i, a := range p.arms {
		c.Order = append(c.Order, fmt.Sprintf("(%c=%s)", letters[i%len(letters)], a))
	}
	return c
}
