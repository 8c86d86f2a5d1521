package scenarios

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
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
	// thresholds are the parsed Thresholds; thresholdPoints holds, per
	// entry, the sweep values it is restricted to (nil: every point).
	thresholds      []analysis.Threshold
	thresholdPoints []map[string]string
	// deprecations are the lines Run logs for old names the Spec used
	// (resolved to the new ones in spec).
	deprecations []string
	// expanded and expandedQuick are the sweep's combinations, in run order
	// (nil without a sweep); expandedQuick is what --quick runs.
	expanded, expandedQuick *sweepPlan
}

// sweepPlan is a sweep expanded: the swept parameters in their fixed order
// and one point per combination of their values.
type sweepPlan struct {
	params []string
	points []point
}

// point is one combination of a sweep's values: its label as the report
// writes it ("concurrency=20 tls=on"), the values in parameter order, and
// the Plan that runs it (the scenario with those values applied).
type point struct {
	label  string
	values []string
	plan   *Plan
}

// NewPlan validates a Spec written in Go exactly as Parse validates a YAML
// document, and builds its Plan; errors name the field, the value and what
// is valid. reg, when non-nil, resolves the arm names and receives the
// inline arms; nil means the built-in profiles. spec is copied, not kept.
func NewPlan(spec Spec, reg *transport.Registry) (*Plan, error) {
	return newPlan("", nil, spec, reg)
}

func newPlan(file string, lines map[string]int, spec Spec, reg *transport.Registry) (*Plan, error) {
	p := &Plan{spec: spec.clone(), file: file, lines: lines}
	if p.lines == nil {
		p.lines = map[string]int{}
	}
	if err := p.validate(reg); err != nil {
		return nil, err
	}
	p.deprecations = p.resolveRenamed()
	return p.with(p.spec), nil
}

// expand lists the combinations of sw's values, the last parameter varying
// fastest; nil when sw is.
func (s *Plan) expand(sw *Sweep) *sweepPlan {
	if sw == nil {
		return nil
	}
	params := sw.params()
	out := &sweepPlan{}
	for _, p := range params {
		out.params = append(out.params, p.name)
	}
	idx := make([]int, len(params))
	for {
		pt := *s
		pt.spec = s.spec.clone()
		var values, labels []string
		for i, p := range params {
			p.apply[idx[i]](&pt.spec)
			values = append(values, p.values[idx[i]])
			labels = append(labels, p.name+"="+p.values[idx[i]])
		}
		out.points = append(out.points, point{label: strings.Join(labels, " "), values: values, plan: &pt})
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

// with returns a Plan like s that runs spec, a variant of s's own Spec with
// the same arms and thresholds (a shard's share of the load).
func (s *Plan) with(spec Spec) *Plan {
	c := *s
	c.spec = spec
	c.expanded = c.expand(spec.Sweep)
	c.expandedQuick = c.expanded
	if q := spec.Quick; q != nil && q.Sweep != nil {
		c.expandedQuick = c.expand(q.Sweep)
	}
	return &c
}

// sweepFor is the sweep a run goes through, nil without one.
func (s *Plan) sweepFor(quick bool) *sweepPlan {
	if quick {
		return s.expandedQuick
	}
	return s.expanded
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

// Spec returns a copy of the scenario as validated, with its defaults filled
// in; changing the copy does not change p.
func (s *Plan) Spec() Spec { return s.spec.clone() }

// Name is the scenario's name.
func (s *Plan) Name() string { return s.spec.Name }

// Description is the scenario's description as written.
func (s *Plan) Description() string { return s.spec.Description }

// File is where the scenario was read from: a path, "builtin:NAME", or ""
// for a Spec given to NewPlan.
func (s *Plan) File() string { return s.file }

// Arms returns the arm names in order; the first is the baseline of ratios.
func (s *Plan) Arms() []string { return append([]string(nil), s.arms...) }

// searchSteps is how many probes a search makes per repetition (0 when the
// load is not a search), with the quick override.
func (s *Plan) searchSteps(quick bool) int {
	if s.spec.Load.Search == nil {
		return 0
	}
	if quick && s.spec.Quick != nil && s.spec.Quick.Steps > 0 {
		return s.spec.Quick.Steps
	}
	return s.spec.Load.Search.Steps
}

// stormIntents is how many intent files a storm writes (0 when the load is
// not a storm), with the quick override.
func (s *Plan) stormIntents(quick bool) int {
	if s.spec.Load.Storm == nil {
		return 0
	}
	if quick && s.spec.Quick != nil && s.spec.Quick.Intents > 0 {
		return s.spec.Quick.Intents
	}
	return s.spec.Load.Storm.Intents
}

// Effective returns the scenario's run settings, shortened when quick.
func (s *Plan) Effective(quick bool) (duration, warmup time.Duration, reps int) {
	duration, warmup, reps = s.spec.Duration.Duration, s.spec.Warmup.Duration, s.spec.Repetitions
	if quick && s.spec.Quick != nil {
		if s.spec.Quick.Duration.Duration > 0 {
			duration = s.spec.Quick.Duration.Duration
		}
		if s.spec.Quick.Warmup.Duration > 0 {
			warmup = s.spec.Quick.Warmup.Duration
		}
		if s.spec.Quick.Repetitions > 0 {
			reps = s.spec.Quick.Repetitions
		}
	}
	return duration, warmup, reps
}

// effectiveSweep returns the sweep to run, nil when none.
func (s *Plan) effectiveSweep(quick bool) *Sweep {
	if quick && s.spec.Quick != nil && s.spec.Quick.Sweep != nil {
		return s.spec.Quick.Sweep
	}
	return s.spec.Sweep
}

// LoadText describes the load in a few words for listings, e.g. "closed 20",
// "open bursts of 20 every 100ms", "search p99 ≤ 250ms",
// "closed 20, sweep of 12 points".
func (s *Plan) LoadText() string {
	out := s.model().text(s)
	if s.spec.Sweep != nil {
		n := 1
		for _, p := range s.spec.Sweep.params() {
			n *= len(p.values)
		}
		out += fmt.Sprintf(", sweep of %d points", n)
	}
	return out
}
