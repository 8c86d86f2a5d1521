package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/markdown"
	"github.com/oranbench/oranbench/reports/results"
)

func newCompareCmd(stdout io.Writer) *cobra.Command {
	var o compareOptions
	cmd := &cobra.Command{
		Use:   "compare OLD NEW | compare --aa RUN1 RUN2 | compare --rerun OLD_BINARY NEW_BINARY [SCENARIO...]",
		Short: "Compare two runs or two builds; exit 1 on a significant regression beyond its floor",
		Long: `compare matches scenarios, sweep points and arms of OLD and NEW and prints, as
markdown, per metric the medians of the repetitions, the change NEW/OLD with its
interval, the floor it was judged against and why it passed or failed.

What gates: each arm's within-run ratios to the baseline arm (req/s, p50, p99,
repetition by repetition), which cancel the machine's drift between runs. Absolute
req/s and latencies gate only beyond a noise floor: --noise-floor, or the spread
between runs when OLD is a directory of several runs. The p-values of all gated
metrics are adjusted together (--method bh: Benjamini–Hochberg, the default; holm:
Holm–Bonferroni).

Runs from different machines (CPU model, CPU count, GOMAXPROCS, OS or
architecture) or Go versions do not gate: even within-run ratios move with the
CPU. compare prints the table and one warning and exits 0; --cross-machine-floor
gates them anyway, no metric with a floor below the one given.

--aa compares two runs of the same build and prints the noise floor to calibrate
--noise-floor with. --rerun runs two built oranbench binaries alternately on this
machine (OLD NEW OLD NEW ..., --rounds times each) and compares them, the floor
measured from the rounds: the comparison that gates a pull request. With no
SCENARIO it runs the CI-sized set (ci-pool, ci-h2, ci-latency).

Exit codes: 1 on a regression, 0 otherwise, 2 on bad input or when OLD and NEW
have nothing in common (no shared scenario, an empty or interrupted run), 130
when interrupted. With $GITHUB_STEP_SUMMARY set, the table is appended to it too.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args = args
			return runCompare(cmd.Context(), o, stdout, cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.tolerance, "tolerance", "5%", "how much worse a gated metric may get before a significant change is a regression, in percent")
	f.StringVar(&o.noiseFloor, "noise-floor", "", `relative change absolute metrics must exceed to gate, in percent: "8%", or per metric "p50=6%,p99=16%,req_per_s=6%" (compare --aa prints it); default: measured from several baseline runs, else absolute metrics do not gate`)
	f.StringVar(&o.crossFloor, "cross-machine-floor", "", `gate runs from different machines or Go versions anyway, no gated metric with a floor below this percentage, e.g. "25%" (default: such runs do not gate)`)
	f.StringVar(&o.method, "method", analysis.MethodBH, "error-rate control across gated metrics: bh (false discovery rate) or holm (family-wise)")
	f.BoolVar(&o.aa, "aa", false, "the two runs are of the same build: print the noise floor instead of judging")
	f.BoolVar(&o.rerun, "rerun", false, "OLD and NEW are oranbench binaries: run them alternately here and compare")
	f.IntVar(&o.rounds, "rounds", 4, "with --rerun: runs of each binary, interleaved")
	f.BoolVar(&o.quick, "quick", false, "with --rerun: run the scenarios' quick variants")
	f.StringVar(&o.rerunOut, "out", "", "with --rerun: directory for the runs (default: a temporary directory, removed afterwards)")
	f.BoolVar(&o.asJSON, "json", false, "print the comparison as JSON instead of markdown")
	return cmd
}

// compareOptions are compare's flags and arguments.
type compareOptions struct {
	args                                                []string
	tolerance, noiseFloor, method, rerunOut, crossFloor string
	asJSON, aa, rerun, quick                            bool
	rounds                                              int
}

// runCompare is oranbench compare without its command line: it reads or
// reruns OLD and NEW, prints the comparison and returns the exit error (1 on
// a regression, 2 on bad input or nothing in common, 130 when interrupted).
func runCompare(ctx context.Context, o compareOptions, stdout, stderr io.Writer) error {
	tol, err := parsePercent("--tolerance", o.tolerance)
	if err != nil {
		return usageErr("%v", err)
	}
	floor, perMetric, err := parseFloors(o.noiseFloor)
	if err != nil {
		return usageErr("%v", err)
	}
	xfloor := 0.0
	if o.crossFloor != "" {
		if xfloor, err = parsePercent("--cross-machine-floor", o.crossFloor); err != nil {
			return usageErr("%v", err)
		}
	}
	if o.method != analysis.MethodBH && o.method != analysis.MethodHolm {
		return usageErr("--method %q: want %s or %s", o.method, analysis.MethodBH, analysis.MethodHolm)
	}
	if o.aa && o.rerun {
		return usageErr("--aa and --rerun: give one of them")
	}
	if !o.rerun && len(o.args) != 2 {
		return usageErr("compare takes OLD and NEW (got %d arguments); --rerun takes OLD_BINARY NEW_BINARY [SCENARIO...]", len(o.args))
	}
	opt := analysis.CompareOptions{Tolerance: tol, NoiseFloor: floor, MetricFloors: perMetric, Method: o.method, OldName: o.args[0], NewName: o.args[1],
		CrossMachineFloor: xfloor}
	var olds, news []*results.Results
	if o.rerun {
		if o.rounds < 2 {
			return usageErr("--rounds %d: want at least 2, so the spread between rounds gives a noise floor", o.rounds)
		}
		if olds, news, err = rerunBuilds(ctx, stderr, o.args[0], o.args[1], o.args[2:], o.rounds, o.quick, o.rerunOut); err != nil {
			if errors.Is(err, errRerunInterrupted) {
				return &exitError{code: exitInterrupted, err: err}
			}
			return &exitError{code: exitUsage, err: err}
		}
	} else {
		if olds, err = results.ReadRuns(o.args[0]); err != nil {
			return usageErr("OLD: %v", err)
		}
		if news, err = results.ReadRuns(o.args[1]); err != nil {
			return usageErr("NEW: %v", err)
		}
	}
	if err := checkComparable("OLD", o.args[0], olds); err != nil {
		return err
	}
	if err := checkComparable("NEW", o.args[1], news); err != nil {
		return err
	}
	d := analysis.CompareRuns(olds, news, opt)
	if err := checkOverlap(d); err != nil {
		return err
	}
	if o.aa {
		return printNoiseFloor(stdout, d)
	}
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return err
		}
	} else if err := markdown.Compare(stdout, d); err != nil {
		return err
	}
	if err := markdown.AppendCompareSummary(os.Getenv(markdown.StepSummaryEnv), d); err != nil {
		fmt.Fprintf(stderr, "oranbench: warning: %v\n", err)
	}
	if d.CrossMachine && d.CrossMachineFloor <= 0 {
		fmt.Fprintf(stderr, "oranbench: warning: runs from different machines (%s) do not gate: compare two builds on one machine with `oranbench compare --rerun OLD_BIN NEW_BIN`, or gate anyway with --cross-machine-floor PCT\n", d.MachineDiff)
	}
	if regs := d.Regressions(); len(regs) > 0 {
		msgs := make([]string, len(regs))
		for i, r := range regs {
			msgs[i] = strings.ReplaceAll(r.String(), "`", "")
		}
		return &exitError{code: exitFailed, err: fmt.Errorf("%d regression(s): %s", len(regs), strings.Join(msgs, "; "))}
	}
	return nil
}

// parsePercent reads "5%" or "5" as 5 percent and returns 0.05. NaN and
// infinities are refused: a NaN floor would compare false with everything
// and switch the gate off.
func parsePercent(flag, s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v >= 100 {
		return 0, fmt.Errorf("%s %q: want a percentage from 0 to 100, e.g. 5%%", flag, s)
	}
	return v / 100, nil
}

// parseFloors reads --noise-floor: "8%" for every absolute metric, or
// "p50=6%,p99=16%" per metric, optionally with a bare default among them.
func parseFloors(s string) (float64, map[string]float64, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil, nil
	}
	valid := []string{results.MetricReqPerSec, results.MetricP50, results.MetricP95, results.MetricP99, results.MetricRespP99, results.MetricMaxRate}
	var all float64
	var per map[string]float64
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			f, err := parsePercent("--noise-floor", part)
			if err != nil {
				return 0, nil, err
			}
			all = f
			continue
		}
		k = strings.TrimSpace(k)
		if !slices.Contains(valid, k) {
			return 0, nil, fmt.Errorf("--noise-floor %q: metric %q: valid metrics are %s", s, k, strings.Join(valid, ", "))
		}
		f, err := parsePercent("--noise-floor "+k, v)
		if err != nil {
			return 0, nil, err
		}
		if per == nil {
			per = map[string]float64{}
		}
		per[k] = f
	}
	return all, per, nil
}

// checkComparable refuses a side with nothing to compare: no scenarios, or
// an interrupted run, whose missing arms and repetitions would pass.
func checkComparable(side, name string, rs []*results.Results) error {
	for _, r := range rs {
		if r.Interrupted {
			return usageErr("%s %s: the run was interrupted (\"interrupted\": true), so arms or repetitions are missing; compare complete runs", side, name)
		}
		if len(r.Scenarios) == 0 {
			return usageErr("%s %s: no scenarios (\"scenarios\": []): nothing to compare", side, name)
		}
	}
	return nil
}

// checkOverlap refuses a comparison with no scenario, or no arm, in common:
// its verdict would be "no regression" about nothing.
func checkOverlap(d analysis.Delta) error {
	if len(d.Units) == 0 {
		return usageErr("OLD %s and NEW %s have no scenario in common (OLD ran %s; NEW ran %s): nothing to compare", d.OldName, d.NewName, listOrNone(d.OnlyOld), listOrNone(d.OnlyNew))
	}
	for _, u := range d.Units {
		for _, a := range u.Arms {
			if len(a.Metrics) > 0 {
				return nil
			}
		}
	}
	return usageErr("OLD %s and NEW %s share scenarios but no arm with a metric both measured (%s: OLD arms %s, NEW arms %s): nothing to compare",
		d.OldName, d.NewName, d.Units[0].Name(), listOrNone(d.Units[0].OnlyOld), listOrNone(d.Units[0].OnlyNew))
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	const most = 5
	if len(xs) > most {
		return strings.Join(xs[:most], ", ") + fmt.Sprintf(" and %d more", len(xs)-most)
	}
	return strings.Join(xs, ", ")
}

// printNoiseFloor prints, for two runs of the same build, how far each kind
// of metric moved: the floor to give --noise-floor.
func printNoiseFloor(w io.Writer, d analysis.Delta) error {
	shifts := map[string][]float64{}
	var keys []string
	for _, u := range d.Units {
		for _, a := range u.Arms {
			for _, m := range a.Metrics {
				if m.Ratio <= 0 {
					continue
				}
				k := m.Kind + " " + m.Metric
				if _, ok := shifts[k]; !ok {
					keys = append(keys, k)
				}
				shifts[k] = append(shifts[k], math.Abs(m.Ratio-1))
			}
		}
	}
	sort.Strings(keys)
	fmt.Fprintf(w, "# oranbench compare --aa\n\nTwo runs of the same build: how far each metric's median moved between them (|NEW/OLD - 1|), over %d compared units.\n\n", len(d.Units))
	fmt.Fprintf(w, "| metric | n | median shift | 90th percentile | largest |\n|---|---|---|---|---|\n")
	largestAbs := 0.0
	for _, k := range keys {
		xs := shifts[k]
		sort.Float64s(xs)
		q90 := xs[min(len(xs)-1, int(math.Ceil(0.9*float64(len(xs))))-1)]
		fmt.Fprintf(w, "| %s | %d | %.1f%% | %.1f%% | %.1f%% |\n", k, len(xs), 100*results.Median(xs), 100*q90, 100*xs[len(xs)-1])
		if strings.HasPrefix(k, analysis.KindAbsolute) {
			largestAbs = math.Max(largestAbs, xs[len(xs)-1])
		}
	}
	suggest := math.Ceil(100 * largestAbs)
	var per []string
	for _, k := range keys {
		if m, ok := strings.CutPrefix(k, analysis.KindAbsolute+" "); ok {
			xs := shifts[k]
			per = append(per, fmt.Sprintf("%s=%.0f%%", m, math.Ceil(100*xs[len(xs)-1])))
		}
	}
	fmt.Fprintf(w, "\nNoise floor for absolute metrics: %.0f%% (the largest shift of an absolute metric, rounded up); per metric `--noise-floor %s`. Gate on it with `oranbench compare --noise-floor %s OLD NEW`. One pair of runs samples the noise once: take the largest over several pairs, or keep several baseline runs in one directory and let compare measure it.\n", suggest, strings.Join(per, ","), strings.Join(per, ","))
	return nil
}
