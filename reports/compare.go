package reports

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultTolerance is the relative worsening (5%) a significant change must
// exceed before Compare calls it a regression.
const DefaultTolerance = 0.05

// CompareOptions tune CompareResults.
type CompareOptions struct {
	// Tolerance is a fraction: 0.05 lets a metric get up to 5% worse.
	Tolerance float64
	// OldName and NewName label the two sides in the output (file paths).
	OldName, NewName string
}

// Delta is a NEW run compared with an OLD one, scenario by scenario (and
// sweep point by point), arm by arm.
type Delta struct {
	Tolerance  float64     `json:"tolerance"`
	Alpha      float64     `json:"alpha"`
	OldName    string      `json:"old"`
	NewName    string      `json:"new"`
	OldMachine Machine     `json:"oldMachine"`
	NewMachine Machine     `json:"newMachine"`
	Units      []UnitDelta `json:"units"`
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

// ArmDelta compares one arm's metrics.
type ArmDelta struct {
	Arm     string        `json:"arm"`
	Metrics []MetricDelta `json:"metrics"`
}

// MetricDelta is one metric of one arm, NEW against OLD: the medians of the
// repetitions, their ratio, and the two-sided Mann-Whitney U p-value.
type MetricDelta struct {
	Metric string   `json:"metric"`
	Old    Estimate `json:"old"`
	New    Estimate `json:"new"`
	// Ratio is New/Old medians (0 when Old is 0).
	Ratio float64 `json:"ratio"`
	P     float64 `json:"p"`
	// MinP is the smallest p-value these sample sizes allow: when it is not
	// below Alpha no difference can be significant.
	MinP        float64 `json:"minP"`
	Significant bool    `json:"significant"`
	// Regression: significant and worse than the tolerance allows.
	// Improvement: significant and better.
	Regression  bool `json:"regression"`
	Improvement bool `json:"improvement"`
}

// compareMetrics are the metrics compared, with which direction is better;
// resp_p99 and max_rate are compared only where both runs measured them.
var compareMetrics = []struct {
	name   string
	higher bool
}{
	{MetricReqPerSec, true}, {MetricP50, false}, {MetricP95, false}, {MetricP99, false},
	{MetricRespP99, false}, {MetricMaxRate, true},
}

// ReadResults reads results.json from path, which is either that file or a
// result directory holding it.
func ReadResults(path string) (*Results, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "results.json")
	}
	return ReadJSON(path)
}

// CompareResults compares new with old. Scenarios are matched by name,
// sweep points by label, arms by name; what exists on one side only is
// listed, not compared.
func CompareResults(old, new *Results, opt CompareOptions) Delta {
	if opt.Tolerance <= 0 {
		opt.Tolerance = DefaultTolerance
	}
	d := Delta{Tolerance: opt.Tolerance, Alpha: Alpha, OldName: opt.OldName, NewName: opt.NewName,
		OldMachine: old.Machine, NewMachine: new.Machine}
	oldUnits, newUnits := compareUnits(old), compareUnits(new)
	for _, nu := range newUnits {
		ou, ok := findUnit(oldUnits, nu.key)
		if !ok {
			d.OnlyNew = append(d.OnlyNew, nu.key)
			continue
		}
		d.Units = append(d.Units, compareUnit(ou, nu, opt.Tolerance))
	}
	for _, ou := range oldUnits {
		if _, ok := findUnit(newUnits, ou.key); !ok {
			d.OnlyOld = append(d.OnlyOld, ou.key)
		}
	}
	return d
}

type compareUnitT struct {
	key, scenario, point string
	s                    Scenario
}

func compareUnits(r *Results) []compareUnitT {
	var out []compareUnitT
	r.EachRun(func(scenario, point string, s Scenario) {
		out = append(out, compareUnitT{key: RunLabel(scenario, point), scenario: scenario, point: point, s: s})
	})
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

func compareUnit(ou, nu compareUnitT, tol float64) UnitDelta {
	ud := UnitDelta{Scenario: nu.scenario, Point: nu.point}
	oldArm := func(name string) (Arm, bool) {
		for _, a := range ou.s.Arms {
			if a.Name == name {
				return a, true
			}
		}
		return Arm{}, false
	}
	for _, na := range nu.s.Arms {
		oa, ok := oldArm(na.Name)
		if !ok {
			ud.OnlyNew = append(ud.OnlyNew, na.Name)
			continue
		}
		ad := ArmDelta{Arm: na.Name}
		for _, m := range compareMetrics {
			x, y := Samples(na, m.name), Samples(oa, m.name)
			if len(x) == 0 || len(y) == 0 {
				continue
			}
			c := Compare(x, y, Confidence)
			md := MetricDelta{Metric: m.name, Old: MedianCI(y, Confidence), New: MedianCI(x, Confidence),
				Ratio: c.Ratio, P: c.P, MinP: minMannWhitneyP(len(x), len(y)), Significant: c.Significant}
			if md.Significant && md.Ratio > 0 {
				worse := md.Ratio > 1+tol
				if m.higher {
					worse = md.Ratio < 1-tol
				}
				md.Regression = worse
				md.Improvement = (m.higher && md.Ratio > 1) || (!m.higher && md.Ratio < 1)
			}
			ad.Metrics = append(ad.Metrics, md)
		}
		ud.Arms = append(ud.Arms, ad)
	}
	for _, oa := range ou.s.Arms {
		found := false
		for _, na := range nu.s.Arms {
			found = found || na.Name == oa.Name
		}
		if !found {
			ud.OnlyOld = append(ud.OnlyOld, oa.Name)
		}
	}
	return ud
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

// Regression is one metric that got significantly worse beyond tolerance.
type Regression struct {
	Unit, Arm, Metric string
	Ratio, P          float64
}

func (r Regression) String() string {
	return fmt.Sprintf("%s: `%s` %s %s (p=%s)", r.Unit, r.Arm, metricHeader(r.Metric), signedPct(r.Ratio), trimFloat(r.P, 3))
}

// Regressions lists every regression in d.
func (d Delta) Regressions() []Regression {
	var out []Regression
	for _, u := range d.Units {
		for _, a := range u.Arms {
			for _, m := range a.Metrics {
				if m.Regression {
					out = append(out, Regression{Unit: u.Name(), Arm: a.Arm, Metric: m.Metric, Ratio: m.Ratio, P: m.P})
				}
			}
		}
	}
	return out
}

// signedPct prints a ratio as a change, e.g. 0.8 → "-20.0%", 1.037 → "+3.7%".
func signedPct(ratio float64) string {
	if ratio == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f%%", 100*(ratio-1))
}

// VerdictLine says in one sentence whether NEW regressed against OLD.
func (d Delta) VerdictLine() string {
	regs := d.Regressions()
	compared, improved, blind := 0, 0, 0
	for _, u := range d.Units {
		for _, a := range u.Arms {
			for _, m := range a.Metrics {
				compared++
				if m.Improvement {
					improved++
				}
				if m.MinP >= d.Alpha {
					blind++
				}
			}
		}
	}
	tol := trimFloat(100*d.Tolerance, 2) + "%"
	var s string
	if len(regs) > 0 {
		s = fmt.Sprintf("**Regression**: %d of %d metrics got significantly worse by more than %s.", len(regs), compared, tol)
	} else {
		s = fmt.Sprintf("**No regression**: none of %d metrics got significantly worse by more than %s", compared, tol)
		if improved > 0 {
			s += fmt.Sprintf("; %d improved significantly", improved)
		}
		s += "."
	}
	if blind > 0 {
		s += fmt.Sprintf(" %d metrics had too few repetitions for any difference to be significant (use at least 4 repetitions on each side; 5 or more for a usable test).", blind)
	}
	return s
}

// Markdown renders d: a verdict line, then per scenario (and sweep point) a
// table of each arm's req/s, p50, p95 and p99, old and new medians, the
// change and its p-value; "~" marks a change that is not significant.
func (d Delta) Markdown(w io.Writer) error {
	p := &printer{w: w}
	p.f("# oranbench compare\n\n")
	p.f("%s\n\n", d.VerdictLine())
	p.f("OLD: %s · NEW: %s. Medians of the repetitions; the change is NEW/OLD with the two-sided Mann-Whitney U p-value (α = %s); `~` means no significant change. A regression is a significant change for the worse beyond %s%%.\n\n",
		orDash(compareSide(d.OldName, d.OldMachine)), orDash(compareSide(d.NewName, d.NewMachine)), trimFloat(d.Alpha, 3), trimFloat(100*d.Tolerance, 2))
	if regs := d.Regressions(); len(regs) > 0 {
		p.f("Regressions:\n\n")
		for _, r := range regs {
			p.f("- %s\n", r)
		}
		p.f("\n")
	}
	for _, u := range d.Units {
		p.f("## `%s`\n\n", u.Name())
		var rows [][]string
		for _, a := range u.Arms {
			for i, m := range a.Metrics {
				arm := ""
				if i == 0 {
					arm = "`" + a.Arm + "`"
				}
				rows = append(rows, []string{arm, metricHeader(m.Metric), compareValue(m.Metric, m.Old), compareValue(m.Metric, m.New), changeText(m)})
			}
		}
		if len(rows) > 0 {
			p.table([]string{"arm", "metric", "old", "new", "change"}, rows)
		}
		if len(u.OnlyOld) > 0 {
			p.f("Arms only in OLD: %s.\n\n", strings.Join(u.OnlyOld, ", "))
		}
		if len(u.OnlyNew) > 0 {
			p.f("Arms only in NEW: %s.\n\n", strings.Join(u.OnlyNew, ", "))
		}
	}
	if len(d.OnlyOld) > 0 {
		p.f("Only in OLD (not compared): %s.\n\n", strings.Join(d.OnlyOld, ", "))
	}
	if len(d.OnlyNew) > 0 {
		p.f("Only in NEW (not compared): %s.\n\n", strings.Join(d.OnlyNew, ", "))
	}
	return p.err
}

func compareSide(name string, m Machine) string {
	desc := fmt.Sprintf("%s, %d CPUs%s", m.GoVersion, m.NumCPU, cpuModel(m.CPUModel))
	if name == "" {
		return desc
	}
	return "`" + name + "` (" + desc + ")"
}

func compareValue(metric string, e Estimate) string {
	v := Num(e.Center)
	if isLatencyMetric(metric) {
		v = Dur(time.Duration(e.Center))
	}
	return fmt.Sprintf("%s (n=%d)", v, e.N)
}

func changeText(m MetricDelta) string {
	switch {
	case !m.Significant:
		return "~ " + pString(m.P)
	case m.Regression:
		return "**" + signedPct(m.Ratio) + " regression** " + pString(m.P)
	}
	return signedPct(m.Ratio) + " " + pString(m.P)
}
