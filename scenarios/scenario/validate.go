package scenario

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

func (p *Plan) validate(reg *transport.Registry) error {
	if p.spec.APIVersion != APIVersion {
		return p.FieldErr("apiVersion", p.spec.APIVersion, "want "+APIVersion)
	}
	if p.spec.Kind != Kind {
		return p.FieldErr("kind", p.spec.Kind, "want "+Kind)
	}
	if !validName(p.spec.Name) {
		return p.FieldErr("name", p.spec.Name, "want 1 to 63 lower-case letters, digits and dashes")
	}
	if err := p.validateBackend(); err != nil {
		return err
	}
	if err := p.validateMix(); err != nil {
		return err
	}
	if err := p.validateHeaders(); err != nil {
		return err
	}
	if err := p.validateLoad(); err != nil {
		return err
	}
	if err := p.validateSweep("sweep", p.spec.Sweep); err != nil {
		return err
	}
	if err := p.resolveArms(reg); err != nil {
		return err
	}
	if err := p.orderBaseline(); err != nil {
		return err
	}
	if err := p.validateFixtures(); err != nil {
		return err
	}
	if p.Model().timed() && p.spec.Duration.Duration <= 0 {
		return p.FieldErr("duration", p.spec.Duration.String(), "want a duration > 0 such as 5s")
	}
	if err := p.validateDurations(); err != nil {
		return err
	}
	if _, written := p.lines["warmup"]; !written && p.file != "" && p.Model().timed() {
		// A file that leaves warmup out runs like the built-ins, which all
		// write one; a Spec built in Go runs with the warm-up it holds.
		p.spec.Warmup.Duration = DefaultWarmup
	}
	if _, written := p.lines["repetitions"]; written && p.spec.Repetitions == 0 {
		// Only a field left out means the default; 0 written is a mistake.
		return p.FieldErr("repetitions", "0", fmt.Sprintf("want 1 to 100 (leave repetitions out for the default, %d)", DefaultRepetitions))
	}
	if p.spec.Repetitions == 0 {
		p.spec.Repetitions = p.Model().repetitions()
	}
	if p.spec.Repetitions < 1 || p.spec.Repetitions > 100 {
		return p.FieldErr("repetitions", itoa(p.spec.Repetitions), "want 1 to 100")
	}
	if q := p.spec.Quick; q != nil {
		if q.Repetitions < 0 || q.Repetitions > 100 {
			return p.FieldErr("quick.repetitions", itoa(q.Repetitions), "want 1 to 100 (0 keeps repetitions)")
		}
		if err := p.validateSweep("quick.sweep", q.Sweep); err != nil {
			return err
		}
		if q.Steps < 0 || q.Steps > maxSearchSteps {
			return p.FieldErr("quick.steps", itoa(q.Steps), fmt.Sprintf("want 2 to %d (0 keeps the search's steps)", maxSearchSteps))
		}
		if q.Intents < 0 || q.Intents > maxStormFiles {
			return p.FieldErr("quick.intents", itoa(q.Intents), fmt.Sprintf("want 1 to %d (0 keeps the storm's intents)", maxStormFiles))
		}
	}
	if err := p.validateClaims(); err != nil {
		return err
	}
	if err := p.Model().check(p); err != nil {
		return err
	}
	return p.validateThresholds()
}

// validateDurations bounds the scenario's own and its quick variant's
// duration and warm-up: none negative, none beyond maxDuration (a soak:
// maxSoakDuration), so a typo such as 1000000h cannot hold a run for years.
func (p *Plan) validateDurations() error {
	limit, what := p.Model().maxDuration()
	type field struct {
		name string
		v    time.Duration
	}
	fields := []field{{"duration", p.spec.Duration.Duration}, {"warmup", p.spec.Warmup.Duration}}
	if q := p.spec.Quick; q != nil {
		fields = append(fields, field{"quick.duration", q.Duration.Duration}, field{"quick.warmup", q.Warmup.Duration})
	}
	for _, f := range fields {
		if f.v < 0 || f.v > limit {
			return p.FieldErr(f.name, f.v.String(), "want a duration from 0 to "+what)
		}
	}
	return nil
}

func (p *Plan) validateBackend() error {
	b := &p.spec.Backend
	if err := p.validatePlacement(b); err != nil {
		return err
	}
	if b.Context != "" && b.Kubeconfig == "" {
		return p.FieldErr("backend.context", b.Context, "a context needs backend.kubeconfig")
	}
	if b.Kubeconfig != "" {
		return p.validateKubeconfig(b)
	}
	if b.URL != "" {
		return p.validateTarget(b)
	}
	return p.validateMock(b)
}

// validateKubeconfig checks a kubeconfig backend: the file names the server
// and its CA, so target and caCert are refused beside it, and so is every
// setting of the mock. The file itself is read when the run starts
// (scenarios.CheckBackend).
func (p *Plan) validateKubeconfig(b *Backend) error {
	if b.URL != "" {
		return p.FieldErr("backend.target", b.URL, "want either backend.kubeconfig or backend.target, not both: the kubeconfig names the server")
	}
	if b.CACert != "" {
		return p.FieldErr("backend.caCert", b.CACert, "want no caCert with backend.kubeconfig: the kubeconfig names the CA (certificate-authority or certificate-authority-data)")
	}
	return p.refuseMockSettings(b, "backend.kubeconfig")
}

// validatePlacement checks where the mock runs: its isolation and CPUs.
func (p *Plan) validatePlacement(b *Backend) error {
	switch b.Isolation {
	case "", IsolationAuto, IsolationProcess, IsolationInProcess:
	default:
		return p.FieldErr("backend.isolation", b.Isolation, fmt.Sprintf("want %s, %s or %s", IsolationAuto, IsolationProcess, IsolationInProcess))
	}
	if c := b.CPUs; c != nil {
		if b.Isolation == IsolationInProcess {
			return p.FieldErr("backend.cpus", c.Generator+" / "+c.Backend, "want no cpus with isolation in-process: the backend shares the generator's CPUs")
		}
		gen, err := cpuset.Parse(c.Generator, cpuset.MaxCPUs)
		if err != nil {
			return p.FieldErr("backend.cpus.generator", c.Generator, err.Error())
		}
		be, err := cpuset.Parse(c.Backend, cpuset.MaxCPUs)
		if err != nil {
			return p.FieldErr("backend.cpus.backend", c.Backend, err.Error())
		}
		for _, g := range gen {
			if slices.Contains(be, g) {
				return p.FieldErr("backend.cpus.backend", c.Backend, fmt.Sprintf("want CPUs apart from the generator's (%s): CPU %d is in both", c.Generator, g))
			}
		}
	}
	return nil
}

// validateTarget checks an external target's URL and that no setting of
// the mock is given with it.
func (p *Plan) validateTarget(b *Backend) error {
	u, err := url.Parse(b.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return p.FieldErr("backend.target", b.URL, "want an absolute http:// or https:// URL such as https://127.0.0.1:8443")
	}
	if u.Path != "" && u.Path != "/" {
		return p.FieldErr("backend.target", b.URL, "want a base URL without a path; routes add their own paths")
	}
	return p.refuseMockSettings(b, "backend.target")
}

// refuseMockSettings refuses the settings of the mock beside an external
// backend (field: the one that makes it external).
func (p *Plan) refuseMockSettings(b *Backend, field string) error {
	// Everything else describes the mock; it would silently not apply.
	mockOnly := map[string]bool{
		"preset": b.Preset != "", "tls": b.TLS != nil, "tlsVersion": b.TLSVersion != "", "http2": b.HTTP2,
		"latency": b.Latency.IsSet(), "faults": b.Faults != nil, "capacity": b.Capacity != nil, "routes": len(b.Routes) > 0,
		"rtt": b.RTT.Duration > 0, "jitter": b.Jitter.Duration > 0, "bandwidth": b.Bandwidth > 0, "connSetupDelay": b.ConnSetupDelay.Duration > 0,
		"netFaults": b.NetFaults != nil, "enforceDelay": b.EnforceDelay.Duration > 0, "tokenDelay": b.TokenDelay.Duration > 0,
		"llmTokens": b.LLMTokens != 0, "maxObjects": b.MaxObjects != 0, "h2MaxStreams": b.H2MaxStreams != 0,
		"maxStoreBytes": b.MaxStoreBytes != 0, "maxWatches": b.MaxWatches != 0,
		"maxRequestsInflight": b.MaxRequestsInflight != 0, "maxMutatingRequestsInflight": b.MaxMutatingRequestsInflight != 0,
		"isolation": b.Isolation != "", "cpus": b.CPUs != nil,
	}
	for _, k := range sortedKeys(mockOnly) {
		if mockOnly[k] {
			return p.FieldErr("backend."+k, "", "only the in-process mock has this setting; remove it or remove "+field)
		}
	}
	return nil
}

// validateMock checks the in-process mock's settings; the mock's own
// Validate has the last word on its bounds.
func (p *Plan) validateMock(b *Backend) error {
	if b.CACert != "" {
		return p.FieldErr("backend.caCert", b.CACert, "only an external https target needs a CA file; the mock's CA is trusted automatically")
	}
	if b.Preset != "" && !slices.Contains(mockbackend.PresetNames(), b.Preset) {
		return p.FieldErr("backend.preset", b.Preset, "valid mock presets are "+strings.Join(mockbackend.PresetNames(), ", "))
	}
	switch b.TLSVersion {
	case "", mockbackend.TLS12, mockbackend.TLS13:
	default:
		return p.FieldErr("backend.tlsVersion", b.TLSVersion, `valid versions are "1.2" and "1.3" (empty allows both)`)
	}
	if b.TLSVersion != "" && !b.TLSOn() {
		return p.FieldErr("backend.tlsVersion", b.TLSVersion, "needs TLS (remove tls: false)")
	}
	if err := p.validateLatency("backend.latency", b.Latency); err != nil {
		return err
	}
	if err := p.validateFaults("backend.faults", b.Faults); err != nil {
		return err
	}
	if err := p.validateCapacity("backend.capacity", b.Capacity); err != nil {
		return err
	}
	valid := append(append([]string(nil), mockbackend.RouteGroups...), mockbackend.RouteNames()...)
	for _, k := range sortedKeys(b.Routes) {
		fieldPath := "backend.routes." + k
		if !slices.Contains(valid, k) {
			return p.FieldErr(fieldPath, k, "want a mock route group ("+strings.Join(mockbackend.RouteGroups, ", ")+") or route name (such as a1.policy.put, porch.package.create, llm.chat)")
		}
		rb := b.Routes[k]
		if err := p.validateLatency(fieldPath+".latency", rb.Latency); err != nil {
			return err
		}
		if err := p.validateFaults(fieldPath+".faults", rb.Faults); err != nil {
			return err
		}
		if err := p.validateCapacity(fieldPath+".capacity", rb.Capacity); err != nil {
			return err
		}
	}
	if nf := b.NetFaults; nf != nil {
		for name, f := range map[string]mockbackend.NetFault{"resetPeer": nf.ResetPeer, "timeout": nf.Timeout, "slowClose": nf.SlowClose} {
			if f.Rate < 0 || f.Rate > 1 {
				return p.FieldErr("backend.netFaults."+name+".rate", ftoa(f.Rate), "want a fraction of connections from 0 to 1")
			}
		}
	}
	if b.LLMTokens < 0 || b.LLMTokens > 100000 {
		return p.FieldErr("backend.llmTokens", itoa(b.LLMTokens), "want 1 to 100000 tokens (0 means the mock's default)")
	}
	if b.H2MaxStreams < 0 || b.H2MaxStreams > mockbackend.MaxH2MaxStreams {
		return p.FieldErr("backend.h2MaxStreams", itoa(b.H2MaxStreams), fmt.Sprintf("want 1 to %d concurrent streams per connection (0 means the mock's default, %d)", mockbackend.MaxH2MaxStreams, mockbackend.DefaultH2MaxStreams))
	}
	if b.MaxObjects < 0 {
		return p.FieldErr("backend.maxObjects", itoa(b.MaxObjects), "want a positive cap (0 means the mock's default)")
	}
	if _, err := p.MockConfig(); err != nil {
		var ce *mockbackend.ConfigError
		if errors.As(err, &ce) {
			return p.FieldErr(backendField(ce.Field()), ce.Value(), ce.Reason())
		}
		return p.FieldErr("backend", "", err.Error())
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

func (p *Plan) validateLatency(path string, l LatencySpec) error {
	if !l.IsSet() {
		if l.Value.Duration > 0 || l.Min.Duration > 0 || l.Max.Duration > 0 || l.P50.Duration > 0 || l.P99.Duration > 0 || l.Mean.Duration > 0 {
			return p.FieldErr(path+".kind", "", "want one of "+strings.Join(distKinds, ", "))
		}
		return nil
	}
	switch l.Kind {
	case mockbackend.DistFixed:
	case mockbackend.DistUniform:
		if l.Max.Duration < l.Min.Duration || l.Max.Duration == 0 {
			return p.FieldErr(path+".max", l.Max.String(), "want max > 0 and >= min")
		}
	case mockbackend.DistNormal:
		if l.Mean.Duration == 0 && (l.P50.Duration == 0 || l.P99.Duration < l.P50.Duration) {
			return p.FieldErr(path, "", "a normal distribution needs mean and stddev, or p50 and p99 >= p50")
		}
	case mockbackend.DistLogNormal:
		if l.P50.Duration == 0 || l.P99.Duration <= l.P50.Duration {
			return p.FieldErr(path+".p99", l.P99.String(), "a lognormal distribution needs p50 > 0 and p99 > p50")
		}
	default:
		return p.FieldErr(path+".kind", l.Kind, "want one of "+strings.Join(distKinds, ", "))
	}
	return nil
}

func (p *Plan) validateFaults(path string, f *mockbackend.Faults) error {
	if f == nil {
		return nil
	}
	sum := 0.0
	for _, code := range sortedKeys(f.ErrorRates) {
		prob := f.ErrorRates[code]
		if code < 400 || code > 599 {
			return p.FieldErr(fmt.Sprintf("%s.errorRates.%d", path, code), itoa(code), "want an error status code 400-599")
		}
		if prob < 0 || prob > 1 {
			return p.FieldErr(fmt.Sprintf("%s.errorRates.%d", path, code), ftoa(prob), "want a probability from 0 to 1")
		}
		sum += prob
	}
	for name, prob := range map[string]float64{"rateLimit": f.RateLimit, "hang": f.Hang, "closeMidResponse": f.CloseMidResponse} {
		if prob < 0 || prob > 1 {
			return p.FieldErr(path+"."+name, ftoa(prob), "want a probability from 0 to 1")
		}
		sum += prob
	}
	if sum > 1+1e-9 {
		return p.FieldErr(path, ftoa(sum), "the fault probabilities add up to more than 1")
	}
	return nil
}

func (p *Plan) validateCapacity(path string, c *mockbackend.Capacity) error {
	if c == nil {
		return nil
	}
	if c.MaxInFlight < 1 || c.MaxInFlight > 1e6 {
		return p.FieldErr(path+".maxInFlight", itoa(c.MaxInFlight), "want 1 to 1000000 requests served at once")
	}
	if c.QueueDepth < 0 {
		return p.FieldErr(path+".queueDepth", itoa(c.QueueDepth), "want 0 or more requests waiting")
	}
	return nil
}

func (p *Plan) validateMix() error {
	if m, ok := modelNamed(p.spec.Load.Model); ok && !m.mixes() {
		// The load block is checked after the mix: an unknown model is its error.
		if len(p.spec.Mix) > 0 {
			return p.FieldErr("mix", "", "a storm sends what the watcher sends (Porch create and propose); remove mix")
		}
		return nil
	}
	if len(p.spec.Mix) == 0 {
		return p.FieldErr("mix", "", "want at least one entry; valid routes are "+strings.Join(MixRoutes(), ", ")+"; valid flows are "+strings.Join(MixFlows(), ", "))
	}
	for i, m := range p.spec.Mix {
		fieldPath := fmt.Sprintf("mix[%d]", i)
		n := 0
		for _, set := range []bool{m.Route != "", m.Flow != "", m.Request != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return p.FieldErr(fieldPath, "", "want exactly one of route, flow or request")
		}
		switch {
		case m.Route != "":
			if _, ok := LookupRoute(m.Route); !ok {
				return p.FieldErr(fieldPath+".route", m.Route, "valid routes are "+strings.Join(MixRoutes(), ", "))
			}
			if m.Body != "" {
				if _, err := CompileTemplate(m.Body); err != nil {
					return p.FieldErr(fieldPath+".body", m.Body, err.Error())
				}
			}
		case m.Flow != "":
			if _, ok := LookupFlow(m.Flow); !ok {
				return p.FieldErr(fieldPath+".flow", m.Flow, "valid flows are "+strings.Join(MixFlows(), ", "))
			}
			if m.Body != "" {
				return p.FieldErr(fieldPath+".body", m.Body, "a flow's bodies are fixed; body applies to route entries")
			}
		default:
			r := m.Request
			switch strings.ToUpper(r.Method) {
			case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead:
			default:
				return p.FieldErr(fieldPath+".request.method", r.Method, "valid methods are GET, POST, PUT, PATCH, DELETE, HEAD")
			}
			for _, k := range sortedKeys(r.Headers) {
				if err := CheckHeader(k, r.Headers[k]); err != nil {
					return p.FieldErr(fieldPath+".request.headers."+k, r.Headers[k], err.Error())
				}
			}
			if !strings.HasPrefix(r.Path, "/") {
				return p.FieldErr(fieldPath+".request.path", r.Path, "want a path starting with /, e.g. /A1-P/v2/policytypes")
			}
			if _, err := CompileTemplate(r.Path); err != nil {
				return p.FieldErr(fieldPath+".request.path", r.Path, err.Error())
			}
			if _, err := CompileTemplate(r.Body); err != nil {
				return p.FieldErr(fieldPath+".request.body", r.Body, err.Error())
			}
			if m.Body != "" {
				return p.FieldErr(fieldPath+".body", m.Body, "a custom request carries its body in request.body")
			}
		}
		if m.Weight < 0 || m.Weight > 10000 {
			return p.FieldErr(fieldPath+".weight", itoa(m.Weight), "want a weight from 1 to 10000 (0 or absent means 1)")
		}
		if m.Weight == 0 {
			p.spec.Mix[i].Weight = 1
		}
	}
	return nil
}

// validateLoad checks that the load block names a model and sets only that
// model's fields; the model checks its fields and fills their defaults.
func (p *Plan) validateLoad() error {
	l := &p.spec.Load
	m, known := modelNamed(l.Model)
	if !known {
		return p.FieldErr("load.model", string(l.Model), "valid models are "+modelList())
	}
	has := map[string]bool{"concurrency": l.Concurrency != 0, "rate": l.Rate != 0, "maxWorkers": l.MaxWorkers != 0, "shape": l.Shape != "",
		"ramp": l.Ramp != nil, "sine": l.Sine != nil, "burst": l.Burst != nil, "search": l.Search != nil, "storm": l.Storm != nil, "soak": l.Soak != nil}
	takes := m.fields()
	for _, k := range sortedKeys(has) {
		if has[k] && !slices.Contains(takes, k) {
			return p.FieldErr("load."+k, "", fmt.Sprintf("does not apply to the %s model, which takes %s", l.Model, strings.Join(takes, ", ")))
		}
	}
	return m.validate(p)
}

// modelList names the load models for an error: "closed", "open", ... and "soak".
func modelList() string {
	var q []string
	for _, m := range results.Models() {
		q = append(q, strconv.Quote(string(m)))
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

func (p *Plan) validateSweep(path string, sw *Sweep) error {
	if sw == nil {
		return nil
	}
	params := sw.params()
	if len(params) == 0 {
		return p.FieldErr(path, "", "want at least one parameter with values: concurrency, rate, rtt, latency, tls, http2")
	}
	points := 1
	for _, param := range params {
		if len(param.values) == 0 {
			return p.FieldErr(path+"."+param.name, "", "want at least one value")
		}
		points *= len(param.values)
	}
	if points > maxSweepPoints {
		return p.FieldErr(path, itoa(points), fmt.Sprintf("the sweep has %d points; want at most %d", points, maxSweepPoints))
	}
	for _, param := range params {
		first := map[string]int{}
		for i, v := range param.values {
			if j, ok := first[v]; ok {
				return p.FieldErr(fmt.Sprintf("%s.%s[%d]", path, param.name, i), v,
					fmt.Sprintf("repeats %s.%s[%d]; give each value once (a repeated point would run twice under one name and overwrite its plots and .hgrm files)", path, param.name, j))
			}
			first[v] = i
		}
	}
	fields, sweepable := p.Model().sweeps(p.spec.Load)
	for i, c := range sw.Concurrency {
		if !slices.Contains(fields, "concurrency") {
			return p.FieldErr(path+".concurrency", "", "applies to the closed model only")
		}
		if err := CheckConcurrency(c); err != nil {
			return p.FieldErr(fmt.Sprintf("%s.concurrency[%d]", path, i), itoa(c), err.Error())
		}
	}
	for i, r := range sw.Rate {
		if !slices.Contains(fields, "rate") {
			return p.FieldErr(path+".rate", "", "applies to the open model with a constant rate only")
		}
		if err := CheckRate(r); err != nil {
			return p.FieldErr(fmt.Sprintf("%s.rate[%d]", path, i), ftoa(r), err.Error())
		}
	}
	if p.spec.Backend.External() {
		for _, param := range params {
			if param.name != "concurrency" && param.name != "rate" {
				return p.FieldErr(path+"."+param.name, "", "only the in-process mock can vary "+param.name+"; an external target cannot")
			}
		}
	}
	if !sweepable {
		return p.FieldErr(path, "", fmt.Sprintf("a %s cannot be swept", p.spec.Load.Model))
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
			on := sw.TLS[i]
			s.Backend.TLS = &on
			if !on {
				s.Backend.TLSVersion = ""
			}
		})
	add("http2", len(sw.HTTP2), func(i int) string { return onOff(sw.HTTP2[i]) },
		func(s *Spec, i int) { s.Backend.HTTP2 = sw.HTTP2[i] })
	return out
}

// External reports whether the load goes to a server the run does not
// start (Backend.External), where the harness writes only what the
// scenario opts into (fixtures).
func (p *Plan) External() bool { return p.spec.Backend.External() }

// FixtureMode is what the run does about the objects the mix reads:
// FixturesCreate or FixturesNone, the default filled in (create on the
// mock, none against an external backend).
func (p *Plan) FixtureMode() string {
	switch {
	case p.spec.Fixtures != "":
		return p.spec.Fixtures
	case p.External():
		return FixturesNone
	}
	return FixturesCreate
}

// validateFixtures checks the fixtures key against the mix: an external
// backend gets fixtures only when the scenario asks, and only through the
// Kubernetes API; a mix that reads objects there without fixtures: create
// (or an explicit none: they exist already) fails here, before any load.
func (p *Plan) validateFixtures() error {
	switch p.spec.Fixtures {
	case "", FixturesCreate, FixturesNone:
	default:
		return p.FieldErr("fixtures", p.spec.Fixtures, `want "create" (create the objects the mix reads; against an external backend labelled with the run and deleted at its end) or "none"`)
	}
	if !p.External() {
		return nil
	}
	for i, m := range p.spec.Mix {
		set, kube := fixtureNeed(m)
		switch {
		case set == "":
		case p.spec.Fixtures == "":
			return p.FieldErr("fixtures", "", fmt.Sprintf("mix[%d] (%s) reads objects created before the load, and the backend is a server the run does not start: write fixtures: create (created with the run's label, deleted at its end), or fixtures: none if they exist there already", i, mixName(m)))
		case p.spec.Fixtures == FixturesCreate && !kube:
			return p.FieldErr(fmt.Sprintf("mix[%d]", i), mixName(m), "its fixtures exist only as paths the mock serves, never created on an external server; read through the Kubernetes API (porch.k8s.get), or run against the mock")
		}
	}
	return nil
}

// orderBaseline puts the baseline arm first, where every ratio, table and
// verdict takes it from: the arm baseline names, else the arm called
// "default", else the first written.
func (p *Plan) orderBaseline() error {
	at := 0
	switch name := p.spec.Baseline; {
	case name != "":
		if at = slices.Index(p.arms, name); at < 0 {
			return p.FieldErr("baseline", name, "want one of this scenario's arms: "+strings.Join(p.arms, ", "))
		}
	default:
		at = max(0, slices.Index(p.arms, transport.ProfileDefault))
	}
	p.spec.Baseline = p.arms[at]
	if at > 0 {
		p.arms = append(append([]string{p.arms[at]}, p.arms[:at]...), p.arms[at+1:]...)
		p.profiles = append(append([]transport.Profile{p.profiles[at]}, p.profiles[:at]...), p.profiles[at+1:]...)
	}
	return nil
}

// validateClaims checks that the claim arms are arms of the scenario.
func (p *Plan) validateClaims() error {
	c := p.spec.Claims
	if c == nil {
		return nil
	}
	for _, f := range []struct{ field, arm string }{{"claims.baseline", c.Baseline}, {"claims.candidate", c.Candidate}} {
		if !slices.Contains(p.arms, f.arm) {
			return p.FieldErr(f.field, f.arm, "want one of this scenario's arms: "+strings.Join(p.arms, ", "))
		}
	}
	if c.Baseline == c.Candidate {
		return p.FieldErr("claims.candidate", c.Candidate, "want an arm other than the baseline")
	}
	return nil
}

// ClaimArms is the report's form of Claims.
func (p *Plan) ClaimArms() *results.ClaimArms {
	if p.spec.Claims == nil {
		return nil
	}
	return &results.ClaimArms{Baseline: p.spec.Claims.Baseline, Candidate: p.spec.Claims.Candidate}
}

func (p *Plan) validateThresholds() error {
	p.thresholds, p.thresholdPoints = nil, nil
	for i, ts := range p.spec.Thresholds {
		fieldPath := fmt.Sprintf("thresholds[%d]", i)
		t, err := analysis.ParseThreshold(ts.Expr)
		if err != nil {
			return p.FieldErr(fieldPath, ts.Expr, err.Error())
		}
		point, err := p.parsePoint(ts.Point)
		if err != nil {
			return p.FieldErr(fieldPath+".point", ts.Point, err.Error())
		}
		t.Required, t.Arm = ts.IsRequired(), ts.Arm
		if t.Arm != "" && t.IsRatio() {
			return p.FieldErr(fieldPath+".arm", t.Arm, "a ratio names its arms itself; remove arm")
		}
		for _, a := range t.Arms() {
			if !slices.Contains(p.arms, a) {
				return p.FieldErr(fieldPath, ts.Expr, fmt.Sprintf("arm %q is not in this scenario; its arms are %s", a, strings.Join(p.arms, ", ")))
			}
		}
		switch {
		case strings.HasPrefix(t.Metric, "resp_"), t.Metric == "lag_p99", t.Metric == "achieved":
			if !p.Model().ResponseTime() {
				return p.FieldErr(fieldPath, ts.Expr, t.Metric+" is measured by the open and search models only; use p50…max for service time")
			}
		case t.Metric == "max_rate":
			// The highest sustained rate is measured where it decides a run.
			if p.Model().DecidingMetric() != results.MetricMaxRate {
				return p.FieldErr(fieldPath, ts.Expr, "max_rate is measured by the search model only")
			}
		}
		p.thresholds = append(p.thresholds, t)
		p.thresholdPoints = append(p.thresholdPoints, point)
	}
	return nil
}

// parsePoint reads a threshold's point, "param=value ...", checking each
// parameter is swept and each value is one the sweep (or its quick variant)
// runs; "" gives nil.
func (p *Plan) parsePoint(text string) (map[string]string, error) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return nil, nil
	}
	values := map[string][]string{}
	for _, sw := range []*Sweep{p.spec.Sweep, p.quickSweep()} {
		if sw == nil {
			continue
		}
		for _, param := range sw.params() {
			values[param.name] = append(values[param.name], param.values...)
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
func (p *Plan) quickSweep() *Sweep {
	if p.spec.Quick == nil {
		return nil
	}
	return p.spec.Quick.Sweep
}

// ThresholdsAt returns the thresholds that apply at the sweep point label
// ("concurrency=200 http2=on"; "" outside sweeps).
func (p *Plan) ThresholdsAt(label string) []analysis.Threshold {
	at := map[string]string{}
	for _, f := range strings.Fields(label) {
		if k, v, ok := strings.Cut(f, "="); ok {
			at[k] = v
		}
	}
	var out []analysis.Threshold
	for i, t := range p.thresholds {
		match := true
		if i < len(p.thresholdPoints) {
			for k, v := range p.thresholdPoints[i] {
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
