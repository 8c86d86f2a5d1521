package analysis

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/oranbench/oranbench/reports/results"
)

// DefaultTolerance is the relative worsening (5%) a significant change must
// exceed before Compare calls it a regression.
const DefaultTolerance = 0.05

// Error-rate control methods across the gated metrics of a comparison.
const (
	// MethodBH controls the false discovery rate (Benjamini–Hochberg).
	MethodBH = "bh"
	// MethodHolm controls the family-wise error rate (Holm–Bonferroni).
	MethodHolm = "holm"
)

// Kinds of compared metric.
const (
	// KindRatio is an arm's per-repetition ratio to the baseline arm of the
	// same run: measured seconds apart, it cancels the machine's drift
	// between runs, so it gates by default.
	KindRatio = "ratio"
	// KindAbsolute is an arm's own req/s or latency: it moves with the
	// machine, so it gates only beyond a noise floor.
	KindAbsolute = "absolute"
)

// CompareOptions tune CompareResults.
type CompareOptions struct {
	// Tolerance is a fraction: 0.05 lets a metric get up to 5% worse.
	Tolerance float64
	// OldName and NewName label the two sides in the output (file paths).
	OldName, NewName string
	// NoiseFloor, when > 0, is the relative change absolute metrics must
	// exceed before they can gate (from compare --aa); 0 measures it from
	// the spread between the baseline runs when there are several.
	// MetricFloors overrides it per metric ("p50", "p99", "req_per_s").
	NoiseFloor   float64
	MetricFloors map[string]float64
	// Method is MethodBH (default) or MethodHolm.
	Method string
	// CrossMachineFloor, when > 0, gates runs from different machines or Go
	// versions anyway: every gated metric's floor is at least this fraction.
	// At 0 such runs are compared and reported, but nothing gates.
	CrossMachineFloor float64
}

// Delta is a NEW run compared with an OLD one, scenario by scenario (and
// sweep point by point), arm by arm.
type Delta struct {
	Tolerance  float64         `json:"tolerance"`
	Alpha      float64         `json:"alpha"`
	Method     string          `json:"method"`
	OldName    string          `json:"old"`
	NewName    string          `json:"new"`
	OldMachine results.Machine `json:"oldMachine"`
	NewMachine results.Machine `json:"newMachine"`
	OldRuns    int             `json:"oldRuns"`
	NewRuns    int             `json:"newRuns"`
	Units      []UnitDelta     `json:"units"`
	// FloorSource says where the noise floor of absolute metrics came from:
	// "given", "measured over N baseline runs", or "" (none known).
	FloorSource string `json:"floorSource,omitempty"`
	// Warnings are said in the header (different machines, Go versions).
	Warnings []string `json:"warnings,omitempty"`
	// CrossMachine: OLD and NEW ran on different machines or Go versions
	// (Warnings say how). Unless CrossMachineFloor is set, nothing gates.
	CrossMachine bool `json:"crossMachine,omitempty"`
	// MachineDiff names the difference in one phrase (MachineDifference).
	MachineDiff       string  `json:"machineDiff,omitempty"`
	CrossMachineFloor float64 `json:"crossMachineFloor,omitempty"`
	// OnlyOld and OnlyNew list scenarios (or sweep points) on one side only.
	OnlyOld []string `json:"onlyOld,omitempty"`
	OnlyNew []string `json:"onlyNew,omitempty"`
}

// UnitDelta compares one scenario, or one point of a sweep.
type UnitDelta struct {
	Scenario string     `json:"scenario"`
	Point    string     `json:"point,omitempty"`
	Arms     []ArmDelta `json:"arms"`
	// OnlyOld and OnlyNew list arms present on one side only.
	OnlyOld []string `json:"onlyOld,omitempty"`
	OnlyNew []string `json:"onlyNew,omitempty"`
}

// Name is "scenario" or "scenario [point]".
func (u UnitDelta) Name() string {
	if u.Point == "" {
		return u.Scenario
	}
	return u.Scenario + " [" + u.Point + "]"
}

// ArmDelta compares one arm's metrics, or (Arm "tuned/default") one arm's
// ratios to the run's baseline arm.
type ArmDelta struct {
	Arm     string        `json:"arm"`
	Metrics []MetricDelta `json:"metrics"`
}

// MetricDelta is one metric of one arm, NEW against OLD: the medians of the
// repetitions, their ratio with its interval, and the two-sided Mann-Whitney
// U p-value, adjusted for the number of gated metrics.
type MetricDelta struct {
	Metric string           `json:"metric"`
	Kind   string           `json:"kind"`
	Old    results.Estimate `json:"old"`
	New    results.Estimate `json:"new"`
	// Ratio is New/Old medians (0 when Old is 0), within [Lo, Hi].
	Ratio float64 `json:"ratio"`
	Lo    float64 `json:"lo,omitempty"`
	Hi    float64 `json:"hi,omitempty"`
	P     float64 `json:"p"`
	// PAdj is P adjusted by the comparison's error-rate control (1 for a
	// metric that does not gate).
	PAdj float64 `json:"pAdj"`
	// MinP is the smallest p-value these sample sizes allow: when it is not
	// below Alpha no difference can be significant.
	MinP        float64 `json:"minP"`
	Significant bool    `json:"significant"`
	// Floor is the relative change this metric must exceed to be a
	// regression: the tolerance, or the noise floor when larger.
	Floor float64 `json:"floor"`
	// Gated: the metric can fail the comparison. Why says why it passed,
	// failed or cannot gate.
	Gated bool   `json:"gated"`
	Why   string `json:"why"`
	// Regression: gated, significant after adjustment, and worse than Floor.
	// Improvement: significant and better.
	Regression  bool `json:"regression"`
	Improvement bool `json:"improvement"`
	higher      bool
}

// compareMetrics are the absolute metrics compared, with which direction is
// better; resp_p99 and max_rate are compared only where both runs measured them.
var compareMetrics = []struct {
	name   string
	higher bool
}{
	{results.MetricReqPerSec, true}, {results.MetricP50, false}, {results.MetricP95, false}, {results.MetricP99, false},
	{results.MetricRespP99, false}, {results.MetricMaxRate, true},
}

// MetricHTTP2Share is the share of an arm's responses that came over
// HTTP/2, per repetition. Compared where OLD negotiated HTTP/2 at all, it
// gates like a ratio, with the tolerance as floor: which protocol ALPN picks
// does not move with the machine's load, so losing HTTP/2 fails at once.
const MetricHTTP2Share = "HTTP/2 share"

// http2Shares is an arm's per-repetition HTTP/2 share; nil when no
// repetition recorded its protocols.
func http2Shares(a results.Arm) []float64 {
	var out []float64
	for _, r := range a.Reps {
		var all, h2 int64
		for proto, n := range r.Client.Protocols {
			all += n
			if strings.HasPrefix(proto, "HTTP/2") {
				h2 += n
			}
		}
		if all > 0 {
			out = append(out, float64(h2)/float64(all))
		}
	}
	return out
}

// ratioMetrics are the within-run ratios compared: each arm over the run's
// baseline arm, repetition by repetition.
var ratioMetrics = []struct {
	name   string
	higher bool
}{
	{results.MetricReqPerSec, true}, {results.MetricP50, false}, {results.MetricP99, false}, {results.MetricMaxRate, true},
}

// CompareResults compares new with old, one run each. Scenarios are matched
// by name, sweep points by label, arms by name; what exists on one side only
// is listed, not compared.
func CompareResults(old, new *results.Results, opt CompareOptions) Delta {
	return CompareRuns([]*results.Results{old}, []*results.Results{new}, opt)
}

// CompareRuns compares NEW runs with OLD (baseline) runs. Each side's
// repetitions are pooled across its runs. Within-run ratios (each arm over
// the baseline arm) gate; absolute metrics gate only beyond a noise floor,
// given in opt or measured as the spread between the OLD runs (and between
// the NEW runs), and not at all when the two sides ran on different
// machines or Go versions. The p-values of the gated metrics are adjusted
// together (Benjamini–Hochberg by default).
func CompareRuns(olds, news []*results.Results, opt CompareOptions) Delta {
	if opt.Tolerance <= 0 {
		opt.Tolerance = DefaultTolerance
	}
	if opt.Method == "" {
		opt.Method = MethodBH
	}
	d := Delta{Tolerance: opt.Tolerance, Alpha: Alpha, Method: opt.Method, OldName: opt.OldName, NewName: opt.NewName,
		OldMachine: olds[0].Machine, NewMachine: news[0].Machine, OldRuns: len(olds), NewRuns: len(news)}
	d.Warnings, d.MachineDiff = machineWarnings(olds, news)
	sameMachine := len(d.Warnings) == 0
	d.CrossMachine = !sameMachine
	if d.CrossMachine {
		d.CrossMachineFloor = opt.CrossMachineFloor
	}
	// Across machines, nothing gates unless a floor is given for it.
	ratiosGate := sameMachine || opt.CrossMachineFloor > 0
	measured := len(olds) > 1 || len(news) > 1
	switch {
	case opt.NoiseFloor > 0 || len(opt.MetricFloors) > 0:
		d.FloorSource = "given (" + floorsText(opt) + ")"
	case measured:
		d.FloorSource = fmt.Sprintf("measured as the spread between runs (%d OLD, %d NEW)", len(olds), len(news))
	}
	if !sameMachine && opt.NoiseFloor <= 0 && len(opt.MetricFloors) == 0 {
		d.FloorSource = ""
	}
	oldUnits, newUnits := compareUnits(olds), compareUnits(news)
	for _, nu := range newUnits {
		ou, ok := findUnit(oldUnits, nu.key)
		if !ok {
			d.OnlyNew = append(d.OnlyNew, nu.key)
			continue
		}
		u := compareUnit(ou, nu, opt, ratiosGate && d.FloorSource != "", ratiosGate)
		if d.CrossMachine && opt.CrossMachineFloor > 0 {
			for ai := range u.Arms {
				for mi := range u.Arms[ai].Metrics {
					m := &u.Arms[ai].Metrics[mi]
					m.Floor = math.Max(m.Floor, opt.CrossMachineFloor)
				}
			}
		}
		d.Units = append(d.Units, u)
	}
	for _, ou := range oldUnits {
		if _, ok := findUnit(newUnits, ou.key); !ok {
			d.OnlyOld = append(d.OnlyOld, ou.key)
		}
	}
	d.adjust()
	return d
}

// floorsText writes the given floors, e.g. "8%" or "p50 6%, p99 16%, others 8%".
func floorsText(opt CompareOptions) string {
	var parts []string
	keys := make([]string, 0, len(opt.MetricFloors))
	for k := range opt.MetricFloors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, results.MetricHeader(k)+" "+results.TrimFloat(100*opt.MetricFloors[k], 2)+"%")
	}
	if opt.NoiseFloor > 0 {
		if len(parts) == 0 {
			return results.TrimFloat(100*opt.NoiseFloor, 2) + "%"
		}
		parts = append(parts, "others "+results.TrimFloat(100*opt.NoiseFloor, 2)+"%")
	}
	return strings.Join(parts, ", ")
}

// machineWarnings says how the two sides' machines differ: OLD's first run
// against NEW's first, and each side's runs among themselves.
func machineWarnings(olds, news []*results.Results) (warnings []string, diff string) {
	a, b := olds[0].Machine, news[0].Machine
	if out := machineDiff(a, b); len(out) > 0 {
		return out, "OLD and NEW: " + MachineDifference(a, b)
	}
	for _, side := range []struct {
		name string
		rs   []*results.Results
	}{{"OLD", olds}, {"NEW", news}} {
		for _, r := range side.rs[1:] {
			if out := machineDiff(side.rs[0].Machine, r.Machine); len(out) > 0 {
				diff := MachineDifference(side.rs[0].Machine, r.Machine)
				return []string{fmt.Sprintf("the runs of %s come from different machines or Go versions (%s)", side.name, diff)}, "the runs of " + side.name + ": " + diff
			}
		}
	}
	return nil, ""
}

// SameMachine reports whether two runs ran on the same kind of machine: CPU
// model and count, GOMAXPROCS, OS, architecture and Go version all equal.
func SameMachine(a, b results.Machine) bool { return len(machineDiff(a, b)) == 0 }

// MachineDifference names what differs between two runs' machines in one
// phrase, e.g. `CPU model "AMD EPYC" vs "Intel Xeon"; Go go1.26.8 vs go1.27.0`;
// "" when nothing does.
func MachineDifference(a, b results.Machine) string {
	var parts []string
	if a.CPUModel != b.CPUModel {
		parts = append(parts, fmt.Sprintf("CPU model %q vs %q", orUnknown(a.CPUModel), orUnknown(b.CPUModel)))
	}
	if a.NumCPU != b.NumCPU {
		parts = append(parts, fmt.Sprintf("%d vs %d CPUs", a.NumCPU, b.NumCPU))
	}
	if a.GOMAXPROCS != b.GOMAXPROCS {
		parts = append(parts, fmt.Sprintf("GOMAXPROCS %d vs %d", a.GOMAXPROCS, b.GOMAXPROCS))
	}
	if a.GOOS != b.GOOS || a.GOARCH != b.GOARCH {
		parts = append(parts, fmt.Sprintf("%s/%s vs %s/%s", a.GOOS, a.GOARCH, b.GOOS, b.GOARCH))
	}
	if a.GoVersion != b.GoVersion {
		parts = append(parts, fmt.Sprintf("Go %s vs %s", a.GoVersion, b.GoVersion))
	}
	return strings.Join(parts, "; ")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// machineDiff says how two runs' machines differ.
func machineDiff(a, b results.Machine) []string {
	var out []string
	if a.GoVersion != b.GoVersion {
		out = append(out, fmt.Sprintf("OLD ran on %s, NEW on %s", a.GoVersion, b.GoVersion))
	}
	if a.NumCPU != b.NumCPU || a.GOMAXPROCS != b.GOMAXPROCS || a.CPUModel != b.CPUModel || a.GOOS != b.GOOS || a.GOARCH != b.GOARCH {
		out = append(out, fmt.Sprintf("OLD ran on %s/%s, %d CPUs%s; NEW on %s/%s, %d CPUs%s",
			a.GOOS, a.GOARCH, a.NumCPU, results.CPUModelSuffix(a.CPUModel), b.GOOS, b.GOARCH, b.NumCPU, results.CPUModelSuffix(b.CPUModel)))
	}
	return out
}

type compareUnitT struct {
	key, scenario, point string
	// runs holds the unit as each run of one side measured it.
	runs []results.Scenario
}

func compareUnits(rs []*results.Results) []compareUnitT {
	var out []compareUnitT
	index := map[string]int{}
	for _, r := range rs {
		r.EachRun(func(scenario, point string, s results.Scenario) {
			key := results.RunLabel(scenario, point)
			if i, ok := index[key]; ok {
				out[i].runs = append(out[i].runs, s)
				return
			}
			index[key] = len(out)
			out = append(out, compareUnitT{key: key, scenario: scenario, point: point, runs: []results.Scenario{s}})
		})
	}
	return out
}

func findUnit(us []compareUnitT, key string) (compareUnitT, bool) {
	for _, u := range us {
		if u.key == key {
			return u, true
		}
	}
	return compareUnitT{}, false
}

// arms lists the unit's arm names in the first run's order.
func (u compareUnitT) arms() []string {
	var out []string
	for _, s := range u.runs {
		for _, a := range s.Arms {
			if !slices.Contains(out, a.Name) {
				out = append(out, a.Name)
			}
		}
	}
	return out
}

// samples pools one arm's metric over the unit's runs; per run too, for the
// spread between runs.
func (u compareUnitT) samples(arm, metric string) (pooled []float64, perRun [][]float64) {
	for _, s := range u.runs {
		for _, a := range s.Arms {
			if a.Name == arm {
				xs := Samples(a, metric)
				pooled = append(pooled, xs...)
				if len(xs) > 0 {
					perRun = append(perRun, xs)
				}
			}
		}
	}
	return pooled, perRun
}

// http2Samples pools an arm's per-repetition HTTP/2 share over the unit's runs.
func (u compareUnitT) http2Samples(arm string) []float64 {
	var out []float64
	for _, s := range u.runs {
		for _, a := range s.Arms {
			if a.Name == arm {
				out = append(out, http2Shares(a)...)
			}
		}
	}
	return out
}

// ratioSamples pools an arm's per-repetition ratio to the baseline arm (the
// first) over the unit's runs, pairing repetitions by index.
func (u compareUnitT) ratioSamples(arm, metric string) (pooled []float64, perRun [][]float64) {
	for _, s := range u.runs {
		if len(s.Arms) < 2 {
			continue
		}
		base := s.Arms[0]
		byIndex := map[int]float64{}
		for _, r := range base.Reps {
			if v, ok := repSample(r, metric); ok && v > 0 {
				byIndex[r.Index] = v
			}
		}
		for _, a := range s.Arms[1:] {
			if a.Name != arm {
				continue
			}
			var xs []float64
			for _, r := range a.Reps {
				v, ok := repSample(r, metric)
				if b, okB := byIndex[r.Index]; ok && okB && v > 0 {
					xs = append(xs, v/b)
				}
			}
			pooled = append(pooled, xs...)
			if len(xs) > 0 {
				perRun = append(perRun, xs)
			}
		}
	}
	return pooled, perRun
}

// spreadOf is the spread between runs of one side, as a relative change in
// the metric's bad direction: a rise where lower is better, a fall where
// higher is better (a 2x range is a 50% floor on req/s, which a fall can
// exceed, not 100%, which none can). With two runs it is their range. With
// three or more it is robust: three median absolute deviations of the
// per-run medians, in log space, around their median (about the expected
// range of four normal runs), so that one run a busy moment slowed does not
// set the floor on its own, just as it barely moves the pooled median of
// all runs' repetitions. 0 with fewer than two runs.
func spreadOf(perRun [][]float64, higher bool) float64 {
	if len(perRun) < 2 {
		return 0
	}
	logs := make([]float64, 0, len(perRun))
	for _, xs := range perRun {
		m := results.Median(xs)
		if m <= 0 {
			return 0
		}
		logs = append(logs, math.Log(m))
	}
	var s float64 // the spread in log space
	if len(logs) == 2 {
		s = math.Abs(logs[0] - logs[1])
	} else {
		center := results.Median(logs)
		dev := make([]float64, len(logs))
		for i, l := range logs {
			dev[i] = math.Abs(l - center)
		}
		s = 3 * results.Median(dev)
	}
	if higher {
		return 1 - math.Exp(-s)
	}
	return math.Exp(s) - 1
}

func compareUnit(ou, nu compareUnitT, opt CompareOptions, absoluteGates, ratiosGate bool) UnitDelta {
	ud := UnitDelta{Scenario: nu.scenario, Point: nu.point}
	oldArms, newArms := ou.arms(), nu.arms()
	baseline := ""
	if len(nu.runs[0].Arms) > 0 {
		baseline = nu.runs[0].Arms[0].Name
	}
	for _, name := range newArms {
		if !slices.Contains(oldArms, name) {
			ud.OnlyNew = append(ud.OnlyNew, name)
			continue
		}
		ad := ArmDelta{Arm: name}
		for _, m := range compareMetrics {
			x, xr := nu.samples(name, m.name)
			y, yr := ou.samples(name, m.name)
			if len(x) == 0 || len(y) == 0 {
				continue
			}
			md := newMetricDelta(m.name, KindAbsolute, m.higher, x, y)
			md.Gated = absoluteGates
			md.Floor = opt.Tolerance
			switch {
			case opt.NoiseFloor > 0 || len(opt.MetricFloors) > 0:
				f, ok := opt.MetricFloors[m.name]
				if !ok {
					f = opt.NoiseFloor
				}
				md.Floor = math.Max(md.Floor, f)
			case absoluteGates:
				md.Floor = math.Max(md.Floor, math.Max(spreadOf(xr, m.higher), spreadOf(yr, m.higher)))
			}
			ad.Metrics = append(ad.Metrics, md)
		}
		if y := ou.http2Samples(name); len(y) > 0 && results.Median(y) > 0 {
			if x := nu.http2Samples(name); len(x) > 0 {
				md := newMetricDelta(MetricHTTP2Share, KindAbsolute, true, x, y)
				md.Gated = ratiosGate
				md.Floor = opt.Tolerance
				ad.Metrics = append(ad.Metrics, md)
			}
		}
		ud.Arms = append(ud.Arms, ad)
		if name == baseline || !slices.Contains(oldArms, baseline) {
			continue
		}
		rd := ArmDelta{Arm: name + "/" + baseline}
		for _, m := range ratioMetrics {
			x, xr := nu.ratioSamples(name, m.name)
			y, yr := ou.ratioSamples(name, m.name)
			if len(x) == 0 || len(y) == 0 {
				continue
			}
			md := newMetricDelta(m.name, KindRatio, m.higher, x, y)
			md.Gated = ratiosGate
			md.Floor = math.Max(opt.Tolerance, math.Max(spreadOf(xr, m.higher), spreadOf(yr, m.higher)))
			rd.Metrics = append(rd.Metrics, md)
		}
		if len(rd.Metrics) > 0 {
			ud.Arms = append(ud.Arms, rd)
		}
	}
	for _, name := range oldArms {
		if !slices.Contains(newArms, name) {
			ud.OnlyOld = append(ud.OnlyOld, name)
		}
	}
	return ud
}

func newMetricDelta(metric, kind string, higher bool, x, y []float64) MetricDelta {
	c := Compare(x, y, Confidence)
	return MetricDelta{Metric: metric, Kind: kind, Old: MedianCI(y, Confidence), New: MedianCI(x, Confidence),
		Ratio: c.Ratio, Lo: c.Lo, Hi: c.Hi, P: c.P, PAdj: 1, MinP: minMannWhitneyP(len(x), len(y)), higher: higher}
}

// worse reports whether the change NEW/OLD is worse than the floor allows
// over its whole interval: even its most favourable end lies beyond the
// floor. (Without an interval, the point estimate decides.)
func (m MetricDelta) worse() bool {
	if m.Ratio == 0 && m.higher && m.Old.Center > 0 && m.New.Center == 0 {
		return true // all of it lost: HTTP/2 gone, no successful request
	}
	if m.Ratio <= 0 {
		return false
	}
	lo, hi := m.Lo, m.Hi
	if lo <= 0 || hi <= 0 {
		lo, hi = m.Ratio, m.Ratio
	}
	if m.higher {
		return hi < 1-m.Floor
	}
	return lo > 1+m.Floor
}

func (m MetricDelta) better() bool {
	return m.Ratio > 0 && ((m.higher && m.Ratio > 1) || (!m.higher && m.Ratio < 1))
}

// adjust applies the error-rate control over every gated metric, then
// decides each metric's verdict and reason.
func (d *Delta) adjust() {
	type ref struct{ u, a, m int }
	var refs []ref
	var ps []float64
	for ui := range d.Units {
		for ai := range d.Units[ui].Arms {
			for mi, m := range d.Units[ui].Arms[ai].Metrics {
				// Tarone: a metric whose sample sizes cannot reach a p-value
				// below α can never be rejected; leaving it out of the family
				// keeps the control and does not dilute the others.
				if m.Gated && m.MinP < d.Alpha {
					refs = append(refs, ref{ui, ai, mi})
					ps = append(ps, m.P)
				}
			}
		}
	}
	adj := AdjustPValues(ps, d.Method)
	for i, r := range refs {
		d.Units[r.u].Arms[r.a].Metrics[r.m].PAdj = adj[i]
	}
	for ui := range d.Units {
		for ai := range d.Units[ui].Arms {
			for mi := range d.Units[ui].Arms[ai].Metrics {
				m := &d.Units[ui].Arms[ai].Metrics[mi]
				if !m.Gated {
					m.Significant = m.P < d.Alpha
					m.Improvement = m.Significant && m.better()
					m.Why = "reported, not gated: " + d.noFloorReason()
					continue
				}
				m.Significant = m.PAdj < d.Alpha
				m.Improvement = m.Significant && m.better()
				floor := results.TrimFloat(100*m.Floor, 1) + "%"
				switch {
				case m.MinP >= d.Alpha:
					m.Why = fmt.Sprintf("pass: untestable, %d vs %d repetitions cannot reach p < %s", m.New.N, m.Old.N, results.TrimFloat(d.Alpha, 3))
				case !m.Significant:
					m.Why = fmt.Sprintf("pass: not significant after %s (%s, adjusted %s)", MethodName(d.Method), pValue(m.P), pValue(m.PAdj))
				case m.worse():
					m.Regression = true
					m.Why = fmt.Sprintf("fail: significantly worse (adjusted %s), its whole interval beyond the %s floor", pValue(m.PAdj), floor)
				case m.better():
					m.Why = fmt.Sprintf("pass: significantly better (adjusted %s)", pValue(m.PAdj))
				default:
					m.Why = fmt.Sprintf("pass: significant (adjusted %s), but its interval reaches within the %s floor", pValue(m.PAdj), floor)
				}
			}
		}
	}
}

func (d Delta) noFloorReason() string {
	if d.CrossMachine {
		if d.CrossMachineFloor <= 0 {
			return "different machines or Go versions (compare --rerun measures both builds here)"
		}
		return "different machines or Go versions"
	}
	return "no noise floor known"
}

// MethodName names an error-rate control method (MethodBH, MethodHolm) in
// a sentence.
func MethodName(method string) string {
	if method == MethodHolm {
		return "Holm's family-wise correction"
	}
	return "Benjamini–Hochberg's false-discovery-rate correction"
}

// AdjustPValues returns p-values adjusted for multiple comparisons: the
// Benjamini–Hochberg q-values (MethodBH, false discovery rate) or Holm's
// step-down adjusted p-values (MethodHolm, family-wise error rate), in the
// order given. Rejecting where the adjusted value is below α controls the
// chosen rate at α.
func AdjustPValues(ps []float64, method string) []float64 {
	n := len(ps)
	out := make([]float64, n)
	if n == 0 {
		return out
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ps[order[a]] < ps[order[b]] })
	switch method {
	case MethodHolm:
		running := 0.0
		for rank, i := range order {
			v := math.Min(1, float64(n-rank)*ps[i])
			running = math.Max(running, v)
			out[i] = running
		}
	default:
		running := 1.0
		for rank := n - 1; rank >= 0; rank-- {
			i := order[rank]
			v := math.Min(1, ps[i]*float64(n)/float64(rank+1))
			running = math.Min(running, v)
			out[i] = running
		}
	}
	return out
}

// minMannWhitneyP is the smallest two-sided p-value of the exact
// Mann-Whitney test with samples of n1 and n2: 2/C(n1+n2, n1).
func minMannWhitneyP(n1, n2 int) float64 {
	c := 1.0
	for i := 1; i <= n1; i++ {
		c = c * float64(n2+i) / float64(i)
	}
	return math.Min(1, 2/c)
}

// Regression is one gated metric that got significantly worse beyond its floor.
type Regression struct {
	Unit, Arm, Metric, Kind string
	Ratio, P, PAdj          float64
}

func (r Regression) String() string {
	return fmt.Sprintf("%s: `%s` %s%s %s (%s, adjusted %s)", r.Unit, r.Arm, results.MetricHeader(r.Metric), kindSuffix(r.Kind), ChangePct(r.Ratio, true), pValue(r.P), pValue(r.PAdj))
}

// ChangePct writes a change NEW/OLD as "+12.3%". With lost, a ratio of 0
// means NEW fell to zero and reads "-100%", not "n/a" (no ratio).
func ChangePct(ratio float64, lost bool) string {
	if ratio == 0 && lost {
		return "-100%"
	}
	return results.SignedPct(ratio)
}

// pValue writes "p=0.016", or "p<0.001" below that.
func pValue(p float64) string {
	if p < 0.001 {
		return "p<0.001"
	}
	return "p=" + results.TrimFloat(p, 3)
}

func kindSuffix(kind string) string {
	if kind == KindRatio {
		return " ratio"
	}
	return ""
}

// Regressions lists every regression in d.
func (d Delta) Regressions() []Regression {
	var out []Regression
	for _, u := range d.Units {
		for _, a := range u.Arms {
			for _, m := range a.Metrics {
				if m.Regression {
					out = append(out, Regression{Unit: u.Name(), Arm: a.Arm, Metric: m.Metric, Kind: m.Kind, Ratio: m.Ratio, P: m.P, PAdj: m.PAdj})
				}
			}
		}
	}
	return out
}
