package scenario

import (
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/targets/transport"
)

// Plan is a Spec made ready to run: defaults filled in, arms resolved to
// transport profiles, thresholds parsed and sweep points expanded. Parse and
// NewPlan build it after validating every field; nothing changes it after
// that, so one Plan can run any number of times (Run keeps its state in a
// runner of its own).
type Plan struct {
	// spec is the validated document with its defaults filled in.
	spec Spec
	// file is where the scenario was read from ("builtin:NAME" for
	// built-ins, "" for a Spec given to NewPlan); lines maps dotted field
	// paths to their line in it.
	file  string
	lines map[string]int
	// arms are the arm names in order (the first is the baseline of
	// ratios) and profiles the transport profiles they resolved to.
	arms     []string
	profiles []transport.Profile
	// limits are the arms' client-side rate limits, in the order of arms.
	limits []Limit
	// headers are Spec.Headers with their ${NAME} references expanded.
	headers http.Header
	// thresholds are the parsed Thresholds; thresholdPoints holds, per
	// entry, the sweep values it is restricted to (nil: every point).
	thresholds      []analysis.Threshold
	thresholdPoints []map[string]string
	// expanded and expandedQuick are the sweep's combinations, in run order
	// (nil without a sweep); expandedQuick is what --quick runs.
	expanded, expandedQuick *SweepPlan
	// builtin is set for a scenario read from the embedded set (Load,
	// Builtins), never for a file or a Spec, whatever its name.
	builtin bool
}

// SweepPlan is a sweep expanded: the swept parameters in their fixed order
// and one point per combination of their values.
type SweepPlan struct {
	Params []string
	Points []point
}

// Point is one combination of a sweep's values: its label as the report
// writes it ("concurrency=20 tls=on"), the values in parameter order, and
// the Plan that runs it (the scenario with those values applied).
type point struct {
	Label  string
	Values []string
	Plan   *Plan
}

// NewPlan validates a Spec written in Go exactly as Parse validates a YAML
// document, and builds its Plan; errors name the field, the value and what
// is valid. reg, when non-nil, resolves the arm names and receives the
// inline arms; nil means the built-in profiles. spec is copied, not kept.
func NewPlan(spec Spec, reg *transport.Registry) (*Plan, error) {
	return newPlan("", nil, spec, reg)
}

// Derive validates spec, a changed copy of p's Spec, as NewPlan does, and
// keeps p's origin: a built-in run with other settings (oranbench soak's
// duration and rate) is still the built-in.
func (p *Plan) Derive(spec Spec, reg *transport.Registry) (*Plan, error) {
	lines := maps.Clone(p.lines)
	if lines == nil {
		lines = map[string]int{}
	}
	// The warm-up spec holds is the caller's, not a default to fill in.
	if _, ok := lines["warmup"]; !ok {
		lines["warmup"] = 0
	}
	d, err := newPlan(p.file, lines, spec, reg)
	if err != nil {
		return nil, err
	}
	d.builtin = p.builtin
	return d.with(d.spec), nil
}

func newPlan(file string, lines map[string]int, spec Spec, reg *transport.Registry) (*Plan, error) {
	p := &Plan{spec: spec.clone(), file: file, lines: lines}
	if p.lines == nil {
		p.lines = map[string]int{}
	}
	if err := p.validate(reg); err != nil {
		return nil, err
	}
	return p.with(p.spec), nil
}

// expand lists the combinations of sw's values, the last parameter varying
// fastest; nil when sw is.
func (p *Plan) expand(sw *Sweep) *SweepPlan {
	if sw == nil {
		return nil
	}
	params := sw.params()
	out := &SweepPlan{}
	for _, param := range params {
		out.Params = append(out.Params, param.name)
	}
	idx := make([]int, len(params))
	for {
		pt := *p
		pt.spec = p.spec.clone()
		var values, labels []string
		for i, param := range params {
			param.apply[idx[i]](&pt.spec)
			values = append(values, param.values[idx[i]])
			labels = append(labels, param.name+"="+param.values[idx[i]])
		}
		out.Points = append(out.Points, point{Label: strings.Join(labels, " "), Values: values, Plan: &pt})
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(params[i].values) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return out
		}
	}
}

// with returns a Plan like p that runs spec, a variant of p's own Spec with
// the same arms and thresholds (a shard's share of the load).
func (p *Plan) with(spec Spec) *Plan {
	c := *p
	c.spec = spec
	c.expanded = c.expand(spec.Sweep)
	c.expandedQuick = c.expanded
	if q := spec.Quick; q != nil && q.Sweep != nil {
		c.expandedQuick = c.expand(q.Sweep)
	}
	return &c
}

// SweepFor is the sweep a run goes through, nil without one.
func (p *Plan) SweepFor(quick bool) *SweepPlan {
	if quick {
		return p.expandedQuick
	}
	return p.expanded
}

// clone returns a deep copy of s: no pointer, slice or map of the copy is
// shared with s.
func (s Spec) clone() Spec {
	return deepCopy(reflect.ValueOf(s)).Interface().(Spec)
}

// deepCopy copies v, following pointers, slices and maps; unexported struct
// fields are copied by value.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(deepCopy(v.Elem()))
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(deepCopy(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), deepCopy(it.Value()))
		}
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := range v.NumField() {
			if out.Field(i).CanSet() {
				out.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return out
	default:
		return v
	}
}

// Resolved is the scenario as validated, with its defaults filled in,
// shared with p rather than copied, for the runner to read: it must not be
// changed (Spec returns a copy that may be).
func (p *Plan) Resolved() *Spec { return &p.spec }

// Profiles are the transport profiles the arms resolved to, in the order
// of Arms.
func (p *Plan) Profiles() []transport.Profile { return slices.Clone(p.profiles) }

// Limits are the arms' client-side rate limits (qps, burst), in the order
// of Arms; the zero Limit is none.
func (p *Plan) Limits() []Limit { return slices.Clone(p.limits) }

// Headers are the scenario's headers with their environment variables
// expanded, to add to every request; nil when it has none.
func (p *Plan) Headers() http.Header { return p.headers.Clone() }

// Spec returns a copy of the scenario as validated, with its defaults filled
// in; changing the copy does not change p.
func (p *Plan) Spec() Spec { return p.spec.clone() }

// Name is the scenario's name.
func (p *Plan) Name() string { return p.spec.Name }

// Description is the scenario's description as written.
func (p *Plan) Description() string { return p.spec.Description }

// File is where the scenario was read from: a path, "builtin:NAME", or ""
// for a Spec given to NewPlan.
func (p *Plan) File() string { return p.file }

// Builtin reports whether p was read from the built-in scenarios (Load of a
// built-in name, Builtins): only those judge the seed's claims.
func (p *Plan) Builtin() bool { return p.builtin }

// Origin is where p came from as results.json records it:
// results.OriginBuiltin, OriginFile or OriginSpec.
func (p *Plan) Origin() string {
	switch {
	case p.builtin:
		return results.OriginBuiltin
	case p.file != "":
		return results.OriginFile
	}
	return results.OriginSpec
}

// Arms returns the arm names in order; the first is the baseline of ratios
// (see Spec.Baseline).
func (p *Plan) Arms() []string { return append([]string(nil), p.arms...) }

// SearchSteps is how many probes a search makes per repetition (0 when the
// load is not a search), with the quick override.
func (p *Plan) SearchSteps(quick bool) int {
	if p.spec.Load.Search == nil {
		return 0
	}
	if quick && p.spec.Quick != nil && p.spec.Quick.Steps > 0 {
		return p.spec.Quick.Steps
	}
	return p.spec.Load.Search.Steps
}

// StormIntents is how many intent files a storm writes (0 when the load is
// not a storm), with the quick override.
func (p *Plan) StormIntents(quick bool) int {
	if p.spec.Load.Storm == nil {
		return 0
	}
	if quick && p.spec.Quick != nil && p.spec.Quick.Intents > 0 {
		return p.spec.Quick.Intents
	}
	return p.spec.Load.Storm.Intents
}

// Effective returns the scenario's run settings, shortened when quick.
func (p *Plan) Effective(quick bool) (duration, warmup time.Duration, reps int) {
	duration, warmup, reps = p.spec.Duration.Duration, p.spec.Warmup.Duration, p.spec.Repetitions
	if quick && p.spec.Quick != nil {
		if p.spec.Quick.Duration.Duration > 0 {
			duration = p.spec.Quick.Duration.Duration
		}
		if p.spec.Quick.Warmup.Duration > 0 {
			warmup = p.spec.Quick.Warmup.Duration
		}
		if p.spec.Quick.Repetitions > 0 {
			reps = p.spec.Quick.Repetitions
		}
	}
	return duration, warmup, reps
}

// effectiveSweep returns the sweep to run, nil when none.
func (p *Plan) effectiveSweep(quick bool) *Sweep {
	if quick && p.spec.Quick != nil && p.spec.Quick.Sweep != nil {
		return p.spec.Quick.Sweep
	}
	return p.spec.Sweep
}

// LoadText describes the load in a few words for listings, e.g. "closed 20",
// "open bursts of 20 every 100ms", "search p99 ≤ 250ms",
// "closed 20, sweep of 12 points".
func (p *Plan) LoadText() string {
	out := p.Model().text(p)
	if p.spec.Sweep != nil {
		n := 1
		for _, param := range p.spec.Sweep.params() {
			n *= len(param.values)
		}
		out += fmt.Sprintf(", sweep of %d points", n)
	}
	return out
}

// PeakConns is the most connections the scenario's load can hold open at
// once and the field that sets it; 0 when it is not bounded by a setting.
func (p *Plan) PeakConns(quick bool) (int, string) {
	return p.Model().PeakConns(p, quick)
}

// FDsPerConn is 1 for an external target, 2 with the in-process mock and 4
// when the mock's network emulation (an in-process proxy) sits in between.
func (p *Plan) FDsPerConn(quick bool) int {
	if p.spec.Backend.External() {
		return 1
	}
	b := p.spec.Backend
	proxied := b.RTT.Duration > 0 || b.Jitter.Duration > 0 || b.Bandwidth > 0 || b.ConnSetupDelay.Duration > 0 || b.NetFaults != nil || b.Preset != ""
	if sw := p.effectiveSweep(quick); sw != nil {
		for _, r := range sw.RTT {
			proxied = proxied || r.Duration > 0
		}
	}
	if proxied {
		return 4
	}
	return 2
}

// PlannedRun estimates one arm-repetition's wall time.
func (p *Plan) PlannedRun(quick bool) time.Duration {
	return p.Model().perRun(p, quick)
}

// Planned estimates the scenario's whole wall time: every sweep point,
// repetition and arm (backend start-up and set-up probes not included).
func (p *Plan) Planned(quick bool) time.Duration {
	if !p.Model().byReps() {
		// A soak runs its phases one after another within its duration.
		duration, _, _ := p.Effective(quick)
		return duration
	}
	_, _, reps := p.Effective(quick)
	points := 1
	if sw := p.SweepFor(quick); sw != nil {
		points = len(sw.Points)
	}
	return time.Duration(points*reps*len(p.arms)) * p.PlannedRun(quick)
}

// SetupMix is the first route or custom request of the mix, alone.
func (p *Plan) SetupMix() []MixEntry {
	for _, e := range p.spec.Mix {
		if e.Route != "" || e.Request != nil {
			e.Weight = 1
			return []MixEntry{e}
		}
	}
	return nil
}

// WithKubeconfig returns p aimed at the API server of a kubeconfig, as run
// --kubeconfig does: its backend becomes {kubeconfig: path, context:
// kubeContext} and the mock's settings it had (tls, latency, faults...) are
// dropped, since no mock runs. A scenario that names an external backend of
// its own (backend.target or backend.kubeconfig) is refused rather than
// silently redirected. reg resolves the arms as for Parse.
func (p *Plan) WithKubeconfig(path, kubeContext string, reg *transport.Registry) (*Plan, error) {
	b := p.spec.Backend
	switch {
	case b.Kubeconfig != "":
		return nil, p.FieldErr("backend.kubeconfig", b.Kubeconfig, "the scenario names its own kubeconfig; --kubeconfig applies only to scenarios without backend.kubeconfig or backend.target: drop one of the two")
	case b.URL != "":
		return nil, p.FieldErr("backend.target", b.URL, "the scenario names its own target; --kubeconfig applies only to scenarios without backend.kubeconfig or backend.target: drop one of the two")
	}
	spec := p.spec.clone()
	spec.Backend = Backend{Kubeconfig: path, Context: kubeContext}
	return newPlan(p.file, p.lines, spec, reg)
}
