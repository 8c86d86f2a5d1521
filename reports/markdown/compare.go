package markdown

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// Compare renders d: a verdict line, how it was judged, then per scenario
// (and sweep point) a table of each arm's metrics and of each arm's ratio to
// the baseline arm: old and new medians, the change with its interval, the
// floor it was judged against and why it passed or failed.
func Compare(w io.Writer, d analysis.Delta) error {
	p := &printer{w: w, aligned: true}
	p.f("# oranbench compare\n\n")
	p.f("%s\n\n", compareVerdictLine(d))
	p.f("OLD: %s (%d run%s) · NEW: %s (%d run%s). Medians of the repetitions, pooled over each side's runs; the change is NEW/OLD with its interval and the two-sided Mann-Whitney U p-value.\n\n",
		orDash(compareSide(d.OldName, d.OldMachine)), d.OldRuns, plural(d.OldRuns), orDash(compareSide(d.NewName, d.NewMachine)), d.NewRuns, plural(d.NewRuns))
	p.f("How it gates: **ratios** (each arm's req/s, p50 and p99 over the run's baseline arm, repetition by repetition) cancel the machine's drift between runs and gate beyond the %s%% tolerance (or the ratio's own spread between runs, when larger). **Absolute** metrics gate only beyond a noise floor: %s. Error-rate control: %s over the %d gated metrics that their repetitions can test, at α = %s.\n\n",
		results.TrimFloat(100*d.Tolerance, 2), floorText(d), analysis.MethodName(d.Method), gatedCount(d), results.TrimFloat(d.Alpha, 3))
	for _, wmsg := range d.Warnings {
		switch {
		case d.CrossMachine && d.CrossMachineFloor <= 0:
			p.f("> Warning: %s; so nothing gates (a different CPU changes even the within-run ratios): compare two builds on one machine with `oranbench compare --rerun OLD_BIN NEW_BIN`, or gate anyway with --cross-machine-floor.\n\n", wmsg)
		case d.CrossMachine:
			p.f("> Warning: %s; gated anyway with --cross-machine-floor %s%%, the least floor of every gated metric; absolute metrics gate only with a --noise-floor.\n\n", wmsg, results.TrimFloat(100*d.CrossMachineFloor, 2))
		default:
			p.f("> Warning: %s; absolute metrics do not gate unless a --noise-floor is given.\n\n", wmsg)
		}
	}
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
				rows = append(rows, []string{arm, results.MetricHeader(m.Metric), m.Kind, compareValue(m, m.Old), compareValue(m, m.New), changeText(m), floorCell(m), m.Why})
			}
		}
		if len(rows) > 0 {
			p.table([]string{"arm", "metric", "kind", "old", "new", "change [interval]", "floor", "verdict"}, rows)
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

// compareVerdictLine says in one sentence whether NEW regressed against OLD.
func compareVerdictLine(d analysis.Delta) string {
	regs := d.Regressions()
	compared, gated, improved, blind := 0, 0, 0, 0
	for _, u := range d.Units {
		for _, a := range u.Arms {
			for _, m := range a.Metrics {
				compared++
				if m.Gated && m.MinP < d.Alpha {
					gated++
				}
				if m.Improvement {
					improved++
				}
				if m.MinP >= d.Alpha {
					blind++
				}
			}
		}
	}
	var s string
	switch {
	case d.CrossMachine && d.CrossMachineFloor <= 0:
		s = fmt.Sprintf("**Not gated**: the runs come from different machines or Go versions (%s); %d metrics compared and reported, none gated.", d.MachineDiff, compared)
	case len(regs) > 0:
		s = fmt.Sprintf("**Regression**: %d of %d gated metrics got significantly worse beyond their floor.", len(regs), gated)
	default:
		s = fmt.Sprintf("**No regression**: none of %d gated metrics got significantly worse beyond its floor (%d metrics compared)", gated, compared)
		if improved > 0 {
			s += fmt.Sprintf("; %d improved significantly", improved)
		}
		s += "."
	}
	if blind > 0 && !(d.CrossMachine && d.CrossMachineFloor <= 0) {
		s += fmt.Sprintf(" %d metrics had too few repetitions for any difference to be significant (use at least 4 repetitions on each side; 5 or more for a usable test).", blind)
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func floorText(d analysis.Delta) string {
	if d.FloorSource == "" {
		if len(d.Warnings) > 0 {
			return "none, since the runs come from different machines or Go versions, so they are reported but do not gate"
		}
		return "none known (one run on each side), so they are reported but do not gate; keep several baseline runs in one directory, or give --noise-floor from compare --aa"
	}
	return d.FloorSource + ", or the tolerance when larger"
}

func gatedCount(d analysis.Delta) int {
	n := 0
	for _, u := range d.Units {
		for _, a := range u.Arms {
			for _, m := range a.Metrics {
				if m.Gated && m.MinP < d.Alpha {
					n++
				}
			}
		}
	}
	return n
}

func floorCell(m analysis.MetricDelta) string {
	if !m.Gated {
		return "–"
	}
	return results.TrimFloat(100*m.Floor, 1) + "%"
}

func compareSide(name string, m results.Machine) string {
	desc := fmt.Sprintf("%s, %d CPUs%s", m.GoVersion, m.NumCPU, results.CPUModelSuffix(m.CPUModel))
	if name == "" {
		return desc
	}
	return "`" + name + "` (" + desc + ")"
}

func compareValue(m analysis.MetricDelta, e results.Estimate) string {
	v := results.Num(e.Center)
	switch {
	case m.Kind == analysis.KindRatio:
		v = results.Times(e.Center)
	case results.IsLatencyMetric(m.Metric):
		v = results.Dur(time.Duration(e.Center))
	case m.Metric == analysis.MetricHTTP2Share:
		v = results.TrimFloat(100*e.Center, 1) + "%"
	}
	return fmt.Sprintf("%s (n=%d)", v, e.N)
}

func changeText(m analysis.MetricDelta) string {
	ci := ""
	if m.Lo > 0 && m.Hi > 0 {
		ci = " [" + results.SignedPct(m.Lo) + ", " + results.SignedPct(m.Hi) + "]"
	}
	switch {
	case !m.Significant:
		return "~ " + results.SignedPct(m.Ratio) + ci + " " + results.FormatP(m.P)
	case m.Regression:
		return "**" + analysis.ChangePct(m.Ratio, true) + " regression**" + ci + " " + results.FormatP(m.P)
	}
	return results.SignedPct(m.Ratio) + ci + " " + results.FormatP(m.P)
}
