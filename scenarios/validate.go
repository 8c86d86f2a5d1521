package scenarios

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oranbench/oranbench/internal/cpuset"
	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/targets/transport"
)

// Limits of scenario values.
const (
	maxConcurrency = 10000
	maxRate        = 1e6
	maxSweepPoints = 64
	maxSearchSteps = 30
	maxStormFiles  = 100000
	// maxDuration bounds a scenario's duration and warm-up; a soak, whose
	// point is to run long, may take maxSoakDuration.
	maxDuration     = 24 * time.Hour
	maxSoakDuration = 7 * 24 * time.Hour
)

func (s *Plan) validate(reg *transport.Registry) error {
	if s.spec.APIVersion != APIVersion {
		return s.fieldErr("apiVersion", s.spec.APIVersion, "want "+APIVersion)
	}
	if s.spec.Kind != Kind {
		return s.fieldErr("kind", s.spec.Kind, "want "+Kind)
	}
	if !validName(s.spec.Name) {
		return s.fieldErr("name", s.spec.Name, "want 1 to 63 lower-case letters, digits and dashes")
	}
	if err := s.validateBackend(); err != nil {
		return err
	}
	if err := s.validateMix(); err != nil {
		return err
	}
	if err := s.validateLoad(); err != nil {
		return err
	}
	if err := s.validateSweep("sweep", s.spec.Sweep); err != nil {
		return err
	}
	if err := s.resolveArms(reg); err != nil {
		return err
	}
	if s.model().timed() && s.spec.Duration.Duration <= 0 {
		return s.fieldErr("duration", s.spec.Duration.String(), "want a duration > 0 such as 5s")
	}
	if err := s.validateDurations(); err != nil {
		return err
	}
	if _, written := s.lines["repetitions"]; written && s.spec.Repetitions == 0 {
		// Only a field left out means the default; 0 written is a mistake.
		return s.fieldErr("repetitions", "0", fmt.Sprintf("want 1 to 100 (leave repetitions out for the default, %d)", DefaultRepetitions))
	}
	if s.spec.Repetitions == 0 {
		s.spec.Repetitions = s.model().repetitions()
	}
	if s.spec.Repetitions < 1 || s.spec.Repetitions > 100 {
		return s.fieldErr("repetitions", itoa(s.spec.Repetitions), "want 1 to 100")
	}
	if q := s.spec.Quick; q != nil {
		if q.Repetitions < 0 || q.Repetitions > 100 {
			return s.fieldErr("quick.repetitions", itoa(q.Repetitions), "want 1 to 100 (0 keeps repetitions)")
		}
		if err := s.validateSweep("quick.sweep", q.Sweep); err != nil {
			return err
		}
		if q.Steps < 0 || q.Steps > maxSearchSteps {
			return s.fieldErr("quick.steps", itoa(q.Steps), fmt.Sprintf("want 2 to %d (0 keeps the search's steps)", maxSearchSteps))
		}
		if q.Intents < 0 || q.Intents > maxStormFiles {
			return s.fieldErr("quick.intents", itoa(q.Intents), fmt.Sprintf("want 1 to %d (0 keeps the storm's intents)", maxStormFiles))
		}
	}
	if err := s.validateClaims(); err != nil {
		return err
	}
	if err := s.model().check(s); err != nil {
		return err
	}
	return s.validateThresholds()
}

// validateDurations bounds the scenario's own and its quick variant's
// duration and warm-up: none negative, none beyond maxDuration (a soak:
// maxSoakDuration), so a typo such as 1000000h cannot hold a run for years.
func (s *Plan) validateDurations() error {
	limit, what := s.model().maxDuration()
	type field struct {
		name string
		v    time.Duration
	}
	fields := []field{{"duration", s.spec.Duration.Duration}, {"warmup", s.spec.Warmup.Duration}}
	if q := s.spec.Quick; q != nil {
		fields = append(fields, field{"quick.duration", q.Duration.Duration}, field{"quick.warmup", q.Warmup.Duration})
	}
	for _, f := range fields {
		if f.v < 0 || f.v > limit {
			return s.fieldErr(f.name, f.v.String(), "want a duration from 0 to "+what)
		}
	}
	return nil
}

func (s *Plan) validateBackend() error {
	b := &s.spec.Backend
	switch b.Isolation {
	case "", IsolationAuto, IsolationProcess, IsolationInProcess:
	default:
		return s.fieldErr("backend.isolation", b.Isolation, fmt.Sprintf("want %s, %s or %s", IsolationAuto, IsolationProcess, IsolationInProcess))
	}
	if c := b.CPUs; c != nil {
		if b.Isolation == IsolationInProcess {
			return s.fieldErr("backend.cpus", c.Generator+" / "+c.Backend, "want no cpus with isolation in-process: the backend shares the generator's CPUs")
		}
		gen, err := cpuset.Parse(c.Generator, cpuset.MaxCPUs)
		if err != nil {
			return s.fieldErr("backend.cpus.generator", c.Generator, err.Error())
		}
		be, err := cpuset.Parse(c.Backend, cpuset.MaxCPUs)
		if err != nil {
			return s.fieldErr("backend.cpus.backend", c.Backend, err.Error())
		}
		for _, g := range gen {
			if slices.Contains(be, g) {
				return s.fieldErr("backend.cpus.backend", c.Backend, fmt.Sprintf("want CPUs apart from the generator's (%s): CPU %d is in both", c.Generator, g))
			}
		}
	}
	if b.URL != "" {
		u, err := url.Parse(b.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return s.fieldErr("backend.target", b.URL, "want an absolute http:// or https:// URL such as https://127.0.0.1:8443")
		}
		if u.Path != "" && u.Path != "/" {
			return s.fieldErr("backend.target", b.URL, "want a base URL without a path; routes add their own paths")
		}
		// Everything else describes the mock; it would silently not apply.
		mockOnly := map[string]bool{
			"preset": b.Preset != "", "tls": b.TLS, "tlsVersion": b.TLSVersion != "", "http2": b.HTTP2,
			"latency": b.Latency.IsSet(), "faults": b.Faults != nil, "capacity": b.Capacity != nil, "routes": len(b.Routes) > 0,
			"rtt": b.RTT.Duration > 0, "jitter": b.Jitter.Duration > 0, "bandwidth": b.Bandwidth > 0, "connSetupDelay": b.ConnSetupDelay.Duration > 0,
			"netFaults": b.NetFaults != nil, "enforceDelay": b.EnforceDelay.Duration > 0, "tokenDelay": b.TokenDelay.Duration > 0,
			"llmTokens": b.LLMTokens != 0, "maxObjects": b.MaxObjects != 0, "h2MaxStreams": b.H2MaxStreams != 0,
			"maxStoreBytes": b.MaxStoreBytes != 0, "maxWatches": b.MaxWatches != 0,
			"isolation": b.Isolation != "", "cpus": b.CPUs != nil,
		}
		for _, k := range sortedKeys(mockOnly) {
			if mockOnly[k] {
				return s.fieldErr("backend."+k, "", "only the in-process mock has this setting; remove it or remove backend.target")
			}
		}
		return nil
	}
	if b.CACert != "" {
		return s.fieldErr("backend.caCert", b.CACert, "only an external https target needs a CA file; the mock's CA is trusted automatically")
	}
	if b.Preset != "" && !slices.Contains(mockbackend.PresetNames(), b.Preset) {
		return s.fieldErr("backend.preset", b.Preset, "valid mock presets are "+strings.Join(mockbackend.PresetNames(), ", "))
	}
	switch b.TLSVersion {
	case "", mockbackend.TLS12, mockbackend.TLS13:
	default:
		return s.fieldErr("backend.tlsVersion", b.TLSVersion, `valid versions are "1.2" and "1.3" (empty allows both)`)
	}
	if b.TLSVersion != "" && !b.TLS {
		return s.fieldErr("backend.tlsVersion", b.TLSVersion, "needs tls: true")
	}
	if err := s.validateLatency("backend.latency", b.Latency); err != nil {
		return err
	}
	if err := s.validateFaults("backend.faults", b.Faults); err != nil {
		return err
	}
	if err := s.validateCapacity("backend.capacity", b.Capacity); err != nil {
		return err
	}
	valid := append(append([]string(nil), mockbackend.RouteGroups...), mockbackend.RouteNames()...)
	for _, k := range sortedKeys(b.Routes) {
		p := "backend.routes." + k
		if !slices.Contains(valid, k) {
			return s.fieldErr(p, k, "want a mock route group ("+strings.Join(mockbackend.RouteGroups, ", ")+") or route name (such as a1.policy.put, porch.package.create, llm.chat)")
		}
		rb := b.Routes[k]
		if err := s.validateLatency(p+".latency", rb.Latency); err != nil {
			return err
		}
		if err := s.validateFaults(p+".faults", rb.Faults); err != nil {
			return err
		}
		if err := s.validateCapacity(p+".capacity", rb.Capacity); err != nil {
			return err
		}
	}
	if nf := b.NetFaults; nf != nil {
		for name, f := range map[string]mockbackend.NetFault{"resetPeer": nf.ResetPeer, "timeout": nf.Timeout, "slowClose": nf.SlowClose} {
			if f.Rate < 0 || f.Rate > 1 {
				return s.fieldErr("backend.netFaults."+name+".rate", ftoa(f.Rate), "want a fraction of connections from 0 to 1")
			}
		}
	}
	if b.LLMTokens < 0 || b.LLMTokens > 100000 {
		return s.fieldErr("backend.llmTokens", itoa(b.LLMTokens), "want 1 to 100000 tokens (0 means the mock's default)")
	}
	if b.H2MaxStreams < 0 || b.H2MaxStreams > mockbackend.MaxH2MaxStreams {
		return s.fieldErr("backend.h2MaxStreams", itoa(b.H2MaxStreams), fmt.Sprintf("want 1 to %d concurrent streams per connection (0 means the mock's default, %d)", mockbackend.MaxH2MaxStreams, mockbackend.DefaultH2MaxStreams))
	}
	if b.MaxObjects < 0 {
		return s.fieldErr("backend.maxObjects", itoa(b.MaxObjects), "want a positive cap (0 means the mock's default)")
	}
	if _, err := s.mockConfig(); err != nil {
		var ce *mockbackend.ConfigError
		if errors.As(err, &ce) {
			return s.fieldErr(backendField(ce.Field()), ce.Value(), ce.Reason())
		}
		return s.fieldErr("backend", "", err.Error())
	}
	return nil
}

// backendField names a field of the mock's config as the scenario writes
// it: the same keys under backend, whose faults, capacity and latency are
// the mock's default behaviour.
func backendField(mock []string) string {
	if len(mock) > 0 && mock[0] == "default" {
		mock = mock[1:]
	}
	return strings.Join(append([]string{"backend"}, mock...), ".")
}

var distKinds = []string{mockbackend.DistFixed, mockbackend.DistUniform, mockbackend.DistNormal, mockbackend.DistLogNormal}

func (s *Plan) validateLatency(path string, l LatencySpec) error {
	if !l.IsSet() {
		if l.Value.Duration > 0 || l.Min.Duration > 0 || l.Max.Duration > 0 || l.P50.Duration > 0 || l.P99.Duration > 0 || l.Mean.Duration > 0 {
			return s.fieldErr(path+".kind", "", "want one of "+strings.Join(distKinds, ", "))
		}
		return nil
	}
	switch l.Kind {
	case mockbackend.DistFixed:
	case mockbackend.DistUniform:
		if l.Max.Duration < l.Min.Duration || l.Max.Duration == 0 {
			return s.fieldErr(path+".max", l.Max.String(), "want max > 0 and >= min")
		}
	case mockbackend.DistNormal:
		if l.Mean.Duration == 0 && (l.P50.Duration == 0 || l.P99.Duration < l.P50.Duration) {
			return s.fieldErr(path, "", "a normal distribution needs mean and stddev, or p50 and p99 >= p50")
		}
	case mockbackend.DistLogNormal:
		if l.P50.Duration == 0 || l.P99.Duration <= l.P50.Duration {
			return s.fieldErr(path+".p99", l.P99.String(), "a lognormal distribution needs p50 > 0 and p99 > p50")
		}
	default:
		return s.fieldErr(path+".kind", l.Kind, "want one of "+strings.Join(distKinds, ", "))
	}
	return nil
}

func (s *Plan) validateFaults(path string, f *mockbackend.Faults) error {
	if f == nil {
		return nil
	}
	sum := 0.0
	for _, code := range sortedKeys(f.ErrorRates) {
		p := f.ErrorRates[code]
		if code < 400 || code > 599 {
			return s.fieldErr(fmt.Sprintf("%s.errorRates.%d", path, code), itoa(code), "want an error status code 400-599")
		}
		if p < 0 || p > 1 {
			return s.fieldErr(fmt.Sprintf("%s.errorRates.%d", path, code), ftoa(p), "want a probability from 0 to 1")
		}
		sum += p
	}
	for name, p := range map[string]float64{"rateLimit": f.RateLimit, "hang": f.Hang, "closeMidResponse": f.CloseMidResponse} {
		if p < 0 || p > 1 {
			return s.fieldErr(path+"."+name, ftoa(p), "want a probability from 0 to 1")
		}
		sum += p
	}
	if sum > 1+1e-9 {
		return s.fieldErr(path, ftoa(sum), "the fault probabilities add up to more than 1")
	}
	return nil
}

func (s *Plan) validateCapacity(path string, c *mockbackend.Capacity) error {
	if c == nil {
		return nil
	}
	if c.MaxInFlight < 1 || c.MaxInFlight > 1e6 {
		return s.fieldErr(path+".maxInFlight", itoa(c.MaxInFlight), "want 1 to 1000000 requests served at once")
	}
	if c.QueueDepth < 0 {
		return s.fieldErr(path+".queueDepth", itoa(c.QueueDepth), "want 0 or more requests waiting")
	}
	return nil
}

func (s *Plan) validateMix() error {
	if m, ok := modelNamed(s.spec.Load.Model); ok && !m.mixes() {
		// The load block is checked after the mix: an unknown model is its error.
		if len(s.spec.Mix) > 0 {
			return s.fieldErr("mix", "", "a storm sends what the watcher sends (Porch create and propose); remove mix")
		}
		return nil
	}
	if len(s.spec.Mix) == 0 {
		return s.fieldErr("mix", "", "want at least one entry; valid routes are "+strings.Join(RouteNames(), ", ")+"; valid flows are "+strings.Join(FlowNames(), ", "))
	}
	for i, m := range s.spec.Mix {
		p := fmt.Sprintf("mix[%d]", i)
		n := 0
		for _, set := range []bool{m.Route != "", m.Flow != "", m.Request != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return s.fieldErr(p, "", "want exactly one of route, flow or request")
		}
		switch {
		case m.Route != "":
			if _, ok := lookupRoute(m.Route); !ok {
				return s.fieldErr(p+".route", m.Route, "valid routes are "+strings.Join(RouteNames(), ", "))
			}
			if m.Body != "" {
				if _, err := compileTemplate(m.Body); err != nil {
					return s.fieldErr(p+".body", m.Body, err.Error())
				}
			}
		case m.Flow != "":
			if _, ok := lookupFlow(m.Flow); !ok {
				return s.fieldErr(p+".flow", m.Flow, "valid flows are "+strings.Join(FlowNames(), ", "))
			}
			if m.Body != "" {
				return s.fieldErr(p+".body", m.Body, "a flow's bodies are fixed; body applies to route entries")
			}
		default:
			r := m.Request
			switch strings.ToUpper(r.Method) {
			case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead:
			default:
				return s.fieldErr(p+".request.method", r.Method, "valid methods are GET, POST, PUT, PATCH, DELETE, HEAD")
			}
			for _, k := range sortedKeys(r.Headers) {
				if err := CheckHeader(k, r.Headers[k]); err != nil {
					return s.fieldErr(p+".request.headers."+k, r.Headers[k], err.Error())
				}
			}
			if !strings.HasPrefix(r.Path, "/") {
				return s.fieldErr(p+".request.path", r.Path, "want a path starting with /, e.g. /A1-P/v2/policytypes")
			}
			if _, err := compileTemplate(r.Path); err != nil {
				return s.fieldErr(p+".request.path", r.Path, err.Error())
			}
			if _, err := compileTemplate(r.Body); err != nil {
				return s.fieldErr(p+".request.body", r.Body, err.Error())
			}
			if m.Body != "" {
				return s.fieldErr(p+".body", m.Body, "a custom request carries its body in request.body")
			}
		}
		if m.Weight < 0 || m.Weight > 10000 {
			return s.fieldErr(p+".weight", itoa(m.Weight), "want a weight from 1 to 10000 (0 or absent means 1)")
		}
		if m.Weight == 0 {
			s.spec.Mix[i].Weight = 1
		}
	}
	return nil
}

// validateLoad checks that the load block names a model and sets only that
// model's fields; the model checks its fields and fills their defaults.
func (s *Plan) validateLoad() error {
	l := &s.spec.Load
	m, known := modelNamed(l.Model)
	if !known {
		return s.fieldErr("load.model", string(l.Model), "valid models are "+modelList())
	}
	has := map[string]bool{"concurrency": l.Concurrency != 0, "rate": l.Rate != 0, "maxWorkers": l.MaxWorkers != 0, "shape": l.Shape != "",
		"ramp": l.Ramp != nil, "sine": l.Sine != nil, "burst": l.Burst != nil, "search": l.Search != nil, "storm": l.Storm != nil, "soak": l.Soak != nil}
	takes := m.fields()
	for _, k := range sortedKeys(has) {
		if has[k] && !slices.Contains(takes, k) {
			return s.fieldErr("load."+k, "", fmt.Sprintf("does not apply to the %s model, which takes %s", l.Model, strings.Join(takes, ", ")))
		}
	}
	return m.validate(s)
}

// modelList names the load models for an error: "closed", "open", ... and "soak".
func modelList() string {
	var q []string
	for _, m := range results.Models() {
		q = append(q, strconv.Quote(string(m)))
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

func (s *Plan) validateSweep(path string, sw *Sweep) error {
	if sw == nil {
		return nil
	}
	params := sw.params()
	if len(params) == 0 {
		return s.fieldErr(path, "", "want at least one parameter with values: concurrency, rate, rtt, latency, tls, http2")
	}
	points := 1
	for _, p := range params {
		if len(p.values) == 0 {
			return s.fieldErr(path+"."+p.name, "", "want at least one value")
		}
		points *= len(p.values)
	}
	if points > maxSweepPoints {
		return s.fieldErr(path, itoa(points), fmt.Sprintf("the sweep has %d points; want at most %d", points, maxSweepPoints))
	}
	for _, p := range params {
		first := map[string]int{}
		for i, v := range p.values {
			if j, ok := first[v]; ok {
				return s.fieldErr(fmt.Sprintf("%s.%s[%d]", path, p.name, i), v,
					fmt.Sprintf("repeats %s.%s[%d]; give each value once (a repeated point would run twice under one name and overwrite its plots and .hgrm files)", path, p.name, j))
			}
			first[v] = i
		}
	}
	fields, sweepable := s.model().sweeps(s.spec.Load)
	for i, c := range sw.Concurrency {
		if !slices.Contains(fields, "concurrency") {
			return s.fieldErr(path+".concurrency", "", "applies to the closed model only")
		}
		if err := CheckConcurrency(c); err != nil {
			return s.fieldErr(fmt.Sprintf("%s.concurrency[%d]", path, i), itoa(c), err.Error())
		}
	}
	for i, r := range sw.Rate {
		if !slices.Contains(fields, "rate") {
			return s.fieldErr(path+".rate", "", "applies to the open model with a constant rate only")
		}
		if err := CheckRate(r); err != nil {
			return s.fieldErr(fmt.Sprintf("%s.rate[%d]", path, i), ftoa(r), err.Error())
		}
	}
	if s.spec.Backend.URL != "" {
		for _, p := range params {
			if p.name != "concurrency" && p.name != "rate" {
				return s.fieldErr(path+"."+p.name, "", "only the in-process mock can vary "+p.name+"; an external target cannot")
			}
		}
	}
	if !sweepable {
		return s.fieldErr(path, "", fmt.Sprintf("a %s cannot be swept", s.spec.Load.Model))
	}
	return nil
}

type sweepParam struct {
	name   string
	values []string
	apply  []func(*Spec)
}

// params lists the swept parameters in their fixed order, each value with
// its label and how it changes a copy of the scenario's Spec.
func (sw *Sweep) params() []sweepParam {
	var out []sweepParam
	add := func(name string, n int, label func(int) string, apply func(*Spec, int)) {
		if n == 0 {
			return
		}
		p := sweepParam{name: name}
		for i := range n {
			p.values = append(p.values, label(i))
			p.apply = append(p.apply, func(s *Spec) { apply(s, i) })
		}
		out = append(out, p)
	}
	onOff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	add("concurrency", len(sw.Concurrency), func(i int) string { return itoa(sw.Concurrency[i]) },
		func(s *Spec, i int) { s.Load.Concurrency = sw.Concurrency[i] })
	add("rate", len(sw.Rate), func(i int) string { return ftoa(sw.Rate[i]) + "/s" },
		func(s *Spec, i int) { s.Load.Rate = sw.Rate[i] })
	add("rtt", len(sw.RTT), func(i int) string { return sw.RTT[i].String() },
		func(s *Spec, i int) { s.Backend.RTT = sw.RTT[i] })
	add("latency", len(sw.Latency), func(i int) string { return sw.Latency[i].String() },
		func(s *Spec, i int) {
			s.Backend.Latency = LatencySpec{Kind: mockbackend.DistFixed, Value: sw.Latency[i], scalar: true}
		})
	add("tls", len(sw.TLS), func(i int) string { return onOff(sw.TLS[i]) },
		func(s *Spec, i int) {
			s.Backend.TLS = sw.TLS[i]
			if !s.Backend.TLS {
				s.Backend.TLSVersion = ""
			}
		})
	add("http2", len(sw.HTTP2), func(i int) string { return onOff(sw.HTTP2[i]) },
		func(s *Spec, i int) { s.Backend.HTTP2 = sw.HTTP2[i] })
	return out
}

// validateClaims checks that the claim arms are arms of the scenario.
func (s *Plan) validateClaims() error {
	c := s.spec.Claims
	if c == nil {
		return nil
	}
	for _, f := range []struct{ field, arm string }{{"claims.baseline", c.Baseline}, {"claims.candidate", c.Candidate}} {
		if !slices.Contains(s.arms, f.arm) {
			return s.fieldErr(f.field, f.arm, "want one of this scenario's arms: "+strings.Join(s.arms, ", "))
		}
	}
	if c.Baseline == c.Candidate {
		return s.fieldErr("claims.candidate", c.Candidate, "want an arm other than the baseline")
	}
	return nil
}

// claimArms is the report's form of Claims.
func (s *Plan) claimArms() *results.ClaimArms {
	if s.spec.Claims == nil {
		return nil
	}
	return &results.ClaimArms{Baseline: s.spec.Claims.Baseline, Candidate: s.spec.Claims.Candidate}
}

func (s *Plan) validateThresholds() error {
	s.thresholds, s.thresholdPoints = nil, nil
	for i, ts := range s.spec.Thresholds {
		p := fmt.Sprintf("thresholds[%d]", i)
		t, err := analysis.ParseThreshold(ts.Expr)
		if err != nil {
			return s.fieldErr(p, ts.Expr, err.Error())
		}
		point, err := s.parsePoint(ts.Point)
		if err != nil {
			return s.fieldErr(p+".point", ts.Point, err.Error())
		}
		t.Required, t.Arm = ts.IsRequired(), ts.Arm
		if t.Arm != "" && t.IsRatio() {
			return s.fieldErr(p+".arm", t.Arm, "a ratio names its arms itself; remove arm")
		}
		for _, a := range t.Arms() {
			if !slices.Contains(s.arms, a) {
				return s.fieldErr(p, ts.Expr, fmt.Sprintf("arm %q is not in this scenario; its arms are %s", a, strings.Join(s.arms, ", ")))
			}
		}
		switch _, search := s.model().(searchModel); {
		case strings.HasPrefix(t.Metric, "resp_"), t.Metric == "lag_p99", t.Metric == "achieved":
			if !s.model().responseTime() {
				return s.fieldErr(p, ts.Expr, t.Metric+" is measured by the open and search models only; use p50…max for service time")
			}
		case t.Metric == "max_rate":
			if !search {
				return s.fieldErr(p, ts.Expr, "max_rate is measured by the search model only")
			}
		}
		s.thresholds = append(s.thresholds, t)
		s.thresholdPoints = append(s.thresholdPoints, point)
	}
	return nil
}

// parsePoint reads a threshold's point, "param=value ...", checking each
// parameter is swept and each value is one the sweep (or its quick variant)
// runs; "" gives nil.
func (s *Plan) parsePoint(text string) (map[string]string, error) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return nil, nil
	}
	values := map[string][]string{}
	for _, sw := range []*Sweep{s.spec.Sweep, s.quickSweep()} {
		if sw == nil {
			continue
		}
		for _, p := range sw.params() {
			values[p.name] = append(values[p.name], p.values...)
		}
	}
	if len(values) == 0 {
		return nil, errors.New("point applies to a sweep's points; this scenario has no sweep (remove point)")
	}
	out := map[string]string{}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		vs, swept := values[k]
		switch {
		case !ok || k == "" || v == "":
			return nil, fmt.Errorf("want param=value pairs separated by spaces, such as %q", "concurrency=200 http2=on")
		case !swept:
			return nil, fmt.Errorf("%q is not swept here; swept parameters are %s", k, strings.Join(sortedKeys(values), ", "))
		case !slices.Contains(vs, v):
			return nil, fmt.Errorf("%s=%s is not a point of the sweep; %s takes %s", k, v, k, strings.Join(vs, ", "))
		}
		out[k] = v
	}
	return out, nil
}

// quickSweep is the quick variant's sweep, nil when it has none.
func (s *Plan) quickSweep() *Sweep {
	if s.spec.Quick == nil {
		return nil
	}
	return s.spec.Quick.Sweep
}

// thresholdsAt returns the thresholds that apply at the sweep point label
// ("concurrency=200 http2=on"; "" outside sweeps).
func (s *Plan) thresholdsAt(label string) []analysis.Threshold {
	at := map[string]string{}
	for _, f := range strings.Fields(label) {
		if k, v, ok := strings.Cut(f, "="); ok {
			at[k] = v
		}
	}
	var out []analysis.Threshold
	for i, t := range s.thresholds {
		match := true
		if i < len(s.thresholdPoints) {
			for k, v := range s.thresholdPoints[i] {
				match = match && at[k] == v
			}
		}
		if match {
			out = append(out, t)
		}
	}
	return out
}

func sortedKeys[K int | string, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
