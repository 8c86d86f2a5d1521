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

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios"
	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

// Soak defaults: make soak runs DefaultSoakDuration.
const (
	DefaultSoakDuration = 10 * time.Minute
	// maxSoakWarmup caps the warm-up each phase leaves out of its fits;
	// below the cap it is a fifth of the phase.
	maxSoakWarmup = time.Minute
	soakWarmupDiv = 5
	// maxSoakDuration is the bound a soak scenario's YAML has too.
	maxSoakDuration = 7 * 24 * time.Hour
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
}

func newSoakCmd(stdout, stderr io.Writer) *cobra.Command {
	var o soakOptions
	cmd := &cobra.Command{
		Use:   "soak",
		Short: "Hold a steady load on each arm and on the watcher for a while and report the slope of RSS, heap, goroutines, fds and TIME_WAIT",
		Long: `soak runs the soak scenario (the built-in "soak" unless --scenario names
another) for --duration, split evenly between one phase per transport arm
and one for the watcher, against the mock injecting faults. It samples the
process every --interval and fits a Theil–Sen slope with a 95% interval to
each series after each phase's warm-up. REPORT.md, results.json and one SVG
plot per series are written to --out. Ctrl-C stops early: the slopes so far
are written, the report is marked partial, and the exit code is 130.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.warmupSet, o.rateSet = cmd.Flags().Changed("warmup"), cmd.Flags().Changed("rate")
			return runSoak(cmd.Context(), o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.DurationVar(&o.duration, "duration", DefaultSoakDuration, "the whole soak's wall time, split evenly between one phase per arm and one for the watcher")
	f.DurationVar(&o.interval, "interval", time.Second, "sampling interval")
	f.DurationVar(&o.warmup, "warmup", 0, "start of each phase left out of the fits (default: a fifth of the phase, at most 1m)")
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
	phases := len(spec.ArmSpecs)
	if w := spec.Load.Soak.Watcher; w == nil || *w {
		phases++
	}
	// Each phase needs analysis.MinSlopePoints samples after its
	// warm-up.
	need := time.Duration(analysis.MinSlopePoints) * o.interval
	var minimum time.Duration
	var why string
	if o.warmupSet {
		minimum = time.Duration(phases) * (o.warmup + need)
		why = fmt.Sprintf("%d phases × (warm-up %s + %d samples × %s)", phases, o.warmup, analysis.MinSlopePoints, o.interval)
	} else {
		// A fifth of each phase is warm-up: the rest must hold the samples.
		minimum = time.Duration(phases) * need * soakWarmupDiv / (soakWarmupDiv - 1)
		why = fmt.Sprintf("%d phases × %d samples × %s, after a warm-up of a fifth of each phase", phases, analysis.MinSlopePoints, o.interval)
	}
	if o.duration < minimum {
		return usageErr("--duration %s: below the minimum %s needed to fit a slope (%s)", o.duration, minimum, why)
	}
	if !o.warmupSet {
		o.warmup = min(maxSoakWarmup, o.duration/time.Duration(phases)/soakWarmupDiv).Round(time.Millisecond)
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
	r, runErr := scenarios.Run(ctx, plan, scenarios.Options{Log: prog.Log(), BackendBinary: self, OnRun: runHooks(prog.onRun, nil)})
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
	return nil
}
