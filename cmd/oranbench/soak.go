package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/oranbench/oranbench/internal/soak"
	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios"
	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

// Soak defaults: make soak runs analysis.DefaultSoak.
const (
	// maxSoakWarmup caps the warm-up left out of the fits; below the cap
	// it is a tenth of the soak.
	maxSoakWarmup = 5 * time.Minute
	soakWarmupDiv = 10
	// maxSoakDuration is the bound a soak scenario's YAML has too.
	maxSoakDuration = 7 * 24 * time.Hour
	// defaultCheckpoint is how often a running soak rewrites its report.
	defaultCheckpoint = 10 * time.Minute
)

// soakOptions are the flags of oranbench soak.
type soakOptions struct {
	duration, interval, warmup time.Duration
	// warmupSet: --warmup was given; otherwise each phase's warm-up is a
	// fifth of it.
	warmupSet bool
	// rate replaces the scenario's load.rate when rateSet.
	rate          float64
	rateSet       bool
	scenario, out string
	quiet         bool
	checkpoint    time.Duration
}

func newSoakCmd(stdout, stderr io.Writer) *cobra.Command {
	var o soakOptions
	cmd := &cobra.Command{
		Use:   "soak",
		Short: "Hold a steady load on each arm, the watcher and a leak control, each in a process of its own, and report the slopes of live heap, RSS, goroutines, fds and threads",
		Long: `soak runs the soak scenario (the built-in "soak" unless --scenario names
another) for --duration: every subject at once, each in a child process of
its own (each arm's client under the open load, the watcher, and a leak
control that leaks on purpose), against one mock injecting faults. It
samples each child every --interval, from outside (/proc/PID) and inside
(runtime/metrics: live heap after a forced collection, goroutines), and the
harness's own process as a reference, and fits a Theil–Sen slope with a 95%
interval to each series after the warm-up. REPORT.md, results.json and one
SVG plot per series are written to --out, and rewritten every --checkpoint
while it runs. If the leak control is not flagged by a soak long enough to
judge, its verdicts are void and the exit code is 1. Ctrl-C stops early:
the slopes so far are written, the report is marked partial, and the exit
code is 130.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.warmupSet, o.rateSet = cmd.Flags().Changed("warmup"), cmd.Flags().Changed("rate")
			return runSoak(cmd.Context(), o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.DurationVar(&o.duration, "duration", analysis.DefaultSoak, "the soak's wall time; every subject runs all of it")
	f.DurationVar(&o.interval, "interval", time.Second, "sampling interval")
	f.DurationVar(&o.warmup, "warmup", 0, "start of the soak left out of the fits (default: a tenth of it, at most 5m)")
	f.DurationVar(&o.checkpoint, "checkpoint", defaultCheckpoint, "how often a running soak rewrites its report (0: only at the end)")
	f.Float64Var(&o.rate, "rate", 0, "each arm's requests per second (default: the scenario's)")
	f.StringVar(&o.scenario, "scenario", "soak", "soak scenario: a built-in name or a .yaml file")
	f.StringVar(&o.out, "out", filepath.Join("reports", "soak"), "directory for REPORT.md, results.json and the plots")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no progress lines")
	return cmd
}

// runSoak is oranbench soak without its command line: it fits o to the
// soak scenario, runs it and writes the report in o.out; the error's
// exitError carries the exit code.
func runSoak(ctx context.Context, o soakOptions, stdout, stderr io.Writer) error {
	reg := transport.NewRegistry()
	base, err := scenarios.Load(o.scenario, reg)
	if err != nil {
		return usageErr("--scenario: %v", err)
	}
	spec := base.Spec()
	if spec.Load.Model != scenarios.ModelSoak {
		return usageErr("--scenario %s: load.model is %q; want a soak scenario (load.model: soak)", o.scenario, spec.Load.Model)
	}
	if o.duration > maxSoakDuration {
		return usageErr("--duration %s: want at most %s (7 days)", o.duration, maxSoakDuration)
	}
	if o.warmup < 0 {
		return usageErr("--warmup %s: want 0 or more", o.warmup)
	}
	if o.interval < 10*time.Millisecond || o.interval > time.Minute {
		return usageErr("--interval %s: want 10ms to 1m", o.interval)
	}
	if o.checkpoint < 0 {
		return usageErr("--checkpoint %s: want 0 (only at the end) or more", o.checkpoint)
	}
	// The fit needs analysis.MinSlopePoints samples after the warm-up.
	need := time.Duration(analysis.MinSlopePoints) * o.interval
	var minimum time.Duration
	var why string
	if o.warmupSet {
		minimum = o.warmup + need
		why = fmt.Sprintf("warm-up %s + %d samples × %s", o.warmup, analysis.MinSlopePoints, o.interval)
	} else {
		// A tenth is warm-up: the rest must hold the samples.
		minimum = roundUp(need*soakWarmupDiv/(soakWarmupDiv-1), 100*time.Millisecond)
		why = fmt.Sprintf("%d samples × %s, after a warm-up of a tenth of the soak", analysis.MinSlopePoints, o.interval)
	}
	if o.duration < minimum {
		return usageErr("--duration %s: below the minimum %s needed to fit a slope (%s)", o.duration, minimum, why)
	}
	if !o.warmupSet {
		o.warmup = min(maxSoakWarmup, o.duration/soakWarmupDiv).Round(time.Millisecond)
	}
	spec.Duration.Duration, spec.Warmup.Duration = o.duration, o.warmup
	spec.Load.Soak.SampleEvery.Duration = o.interval
	if o.rateSet {
		// The bound a scenario's load.rate gets; a value given is
		// never dropped for the scenario's.
		if err := scenario.CheckRate(o.rate); err != nil {
			return usageErr("--rate %s: %v", strconv.FormatFloat(o.rate, 'g', -1, 64), err)
		}
		spec.Load.Rate = o.rate
	}
	spec.Quick = nil
	plan, err := base.Derive(spec, reg)
	if err != nil {
		return usageErr("soak: %v", err)
	}
	lock, err := prepareOut(o.out)
	if err != nil {
		return usageErr("--out %s: %v", o.out, err)
	}
	defer lock.Unlock()
	prog := newProgress(stderr, o.quiet, plan.Planned(false))
	defer prog.Close()
	res := &results.Results{SchemaVersion: results.SchemaVersion, Tool: "oranbench", StartedAt: time.Now().UTC(), Machine: machine()}
	self, _ := os.Executable()
	checkpoint := func(sc results.Scenario) {
		cp := *res
		cp.Scenarios = []results.Scenario{sc}
		cp.FinishedAt = time.Now().UTC()
		cp.Claims = analysis.Claims(&cp)
		if err := writeReport(o.out, &cp); err != nil {
			fmt.Fprintf(stderr, "oranbench: soak checkpoint: %v\n", err)
			return
		}
		fmt.Fprintf(prog.Log(), "soak: checkpoint report written at %s into the soak\n", sc.Soak.Checkpoint.Round(time.Second))
	}
	r, runErr := scenarios.Run(ctx, plan, scenarios.Options{Log: prog.Log(), BackendBinary: self, OnRun: runHooks(prog.onRun, nil),
		SoakCheckpoint: checkpoint, SoakCheckpointEvery: o.checkpoint})
	prog.Close()
	failed := addScenario(ctx, res, plan, r, runErr)
	if failed != nil {
		runErr = nil
	}
	if err := finishResults(ctx, o.out, res, runErr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "soak report: %s\n", filepath.Join(o.out, "REPORT.md"))
	if res.Interrupted {
		return &exitError{code: exitInterrupted, err: errors.New("interrupted: the soak report is partial")}
	}
	if failed != nil {
		return &exitError{code: exitUsage, err: errors.New(errLine(failed))}
	}
	return soakVoidExit(res)
}

// soakVoidExit is exit 1 when a soak long enough to judge did not flag its
// leak control: its verdicts are void.
func soakVoidExit(res *results.Results) error {
	for _, sc := range res.Scenarios {
		if sc.Soak == nil {
			continue
		}
		if void, why := analysis.SoakVoid(sc.Soak); void {
			return &exitError{code: exitFailed, err: fmt.Errorf("soak %s: %s", sc.Name, why)}
		}
	}
	return nil
}

// roundUp rounds d up to a multiple of m.
func roundUp(d, m time.Duration) time.Duration { return (d + m - 1) / m * m }

// newSoakChildCmd is the hidden `oranbench soak-child`: one soak subject,
// its configuration on stdin, its samples and outcome on stdout.
func newSoakChildCmd() *cobra.Command {
	return &cobra.Command{
		Use:    soak.ChildCommand,
		Short:  "Run one soak subject as a child of oranbench soak (configuration on stdin)",
		Args:   cobra.NoArgs,
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			if err := scenarios.ServeSoakChild(os.Stdin, os.Stdout); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			return nil
		},
	}
}
