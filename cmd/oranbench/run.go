package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oranbench/oranbench/internal/leakcheck"
	"github.com/oranbench/oranbench/reports"
	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/markdown"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios"
	"github.com/oranbench/oranbench/targets/transport"
)

// runOptions are the flags and arguments of oranbench run.
type runOptions struct {
	scenarios   []string // names or files; none: every built-in
	out         string
	quick       bool
	quiet       bool
	allowRemote bool
	leakCycles  int
	saveResults bool
	asJSON      bool
	shardFlag   string
	kubeconfig  string // --kubeconfig: every scenario against its server
	kubeContext string // --context
}

func newRunCmd(stdout, stderr io.Writer) *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run [NAME|FILE.yaml ...]",
		Short: "Run scenarios (all built-ins when none is named) and write REPORT.md and results.json",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.scenarios = args
			return runSuite(cmd.Context(), o, stdout, stderr)
		},
	}
	cmd.Flags().StringVar(&o.out, "out", filepath.Join("reports", "latest"), "directory for REPORT.md and results.json")
	cmd.Flags().BoolVar(&o.quick, "quick", false, "shorter durations and fewer repetitions (CI-sized)")
	cmd.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "no progress lines")
	cmd.Flags().BoolVar(&o.allowRemote, "allow-remote", false, "allow a scenario's backend.target or kubeconfig server outside loopback")
	cmd.Flags().StringVar(&o.kubeconfig, "kubeconfig", "", "run every scenario against this kubeconfig's API server, with its CA and credentials, instead of the mock (a scenario with its own backend.target or backend.kubeconfig is an error)")
	cmd.Flags().StringVar(&o.kubeContext, "context", "", "the kubeconfig context to use with --kubeconfig (default: its current-context)")
	cmd.Flags().IntVar(&o.leakCycles, "leakcheck-cycles", leakcheck.DefaultCycles, "watcher and transport create/close cycles checked for goroutine leaks before the scenarios (0: skip)")
	cmd.Flags().BoolVar(&o.saveResults, "save-results", false, "also stream every result, in vegeta's encoding, to DIR/vegeta/SCENARIO.ARM.bin (for vegeta report and vegeta plot)")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print results.json to stdout instead of the summary line")
	cmd.Flags().StringVar(&o.shardFlag, "shard", "", "run share i/N of each scenario's concurrency or rate (0 <= i < N); merge the shards with oranbench report --merge")
	return cmd
}

// runSuite is oranbench run without its command line: the leak check, then
// each scenario, then the report in o.out, and the error whose exitError
// carries the exit code (nil: 0).
func runSuite(ctx context.Context, o runOptions, stdout, stderr io.Writer) error {
	reg := transport.NewRegistry()
	list, err := loadScenarios(o.scenarios, reg)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if list, err = withKubeconfig(list, o, reg); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	for _, s := range list {
		if err := scenarios.CheckBackend(s, o.allowRemote); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		if err := scenarios.CheckLimits(s, o.quick); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
	}
	shard, err := parseShard(o.shardFlag)
	if err != nil {
		return usageErr("%v", err)
	}
	if list, err = shardScenarios(list, shard); err != nil {
		return usageErr("%v", err)
	}
	if o.leakCycles < 0 {
		return usageErr("--leakcheck-cycles %d: want 0 (skip the leak check) or more", o.leakCycles)
	}
	lock, err := prepareOut(o.out)
	if err != nil {
		return usageErr("--out %s: %v", o.out, err)
	}
	defer lock.Unlock()
	prog := newProgress(stderr, o.quiet, plannedTime(list, o.quick))
	defer prog.Close()
	log := prog.Log()
	var saver *resultFiles
	var saveHook func(scenarios.RunInfo) scenarios.ResultFunc
	if o.saveResults {
		saver = newResultFiles(o.out)
		defer saver.Close()
		saveHook = saver.onRun
	}
	res := &results.Results{
		SchemaVersion: results.SchemaVersion,
		Tool:          "oranbench",
		StartedAt:     time.Now().UTC(),
		Machine:       machine(),
		Quick:         o.quick,
		Shard:         shard,
	}
	// The leak check runs first, while the process has nothing else
	// running: any goroutine it finds afterwards is its subjects'.
	runErr, err := runLeakcheck(ctx, o.leakCycles, log, res)
	if err != nil {
		return err
	}
	// A process-isolated backend is this binary as `mock --child`.
	self, _ := os.Executable()
	// A scenario that fails to run (an unreachable target, a backend
	// that will not start) is recorded as failed and the next one
	// runs; an interruption stops the run.
	var failures []error
	for _, s := range list {
		if runErr != nil {
			break
		}
		r, err := scenarios.Run(ctx, s, scenarios.Options{Quick: o.quick, Log: log, AllowRemote: o.allowRemote, BackendBinary: self,
			OnRun: runHooks(prog.onRun, saveHook)})
		if failed := addScenario(ctx, res, s, r, err); failed != nil {
			failures = append(failures, failed)
		} else if err != nil {
			runErr = err
		}
	}
	prog.Close()
	saveErr := error(nil)
	if saver != nil {
		saveErr = saver.Close()
	}
	// A --save-results error is said whatever else ends the run.
	if saveErr != nil {
		fmt.Fprintf(stderr, "oranbench: %s\n", errLine(saveErr))
	}
	if err := finishResults(ctx, o.out, res, runErr); err != nil {
		return err
	}
	if err := markdown.AppendStepSummary(os.Getenv(markdown.StepSummaryEnv), res); err != nil {
		fmt.Fprintf(stderr, "oranbench: warning: %v\n", err)
	}
	if err := printRunOutput(stdout, o.out, res, o.asJSON); err != nil {
		return err
	}
	if !o.asJSON {
		if err := markdown.Summary(stdout, res, filepath.Join(o.out, markdown.ReportFile)); err != nil {
			return err
		}
	}
	return suiteExit(stderr, res, failures, saveErr)
}

// runLeakcheck runs the leak check of cycles cycles (none when 0) and keeps
// its summary in res. An interruption is returned as runErr, which ends the
// run with a partial report; a check that cannot run is err, a usage exit.
func runLeakcheck(ctx context.Context, cycles int, log io.Writer, res *results.Results) (runErr, err error) {
	if cycles == 0 {
		return nil, nil
	}
	fmt.Fprintf(log, "leakcheck: %d create/use/close cycles of the watcher and each transport profile\n", cycles)
	lr, err := leakcheck.Run(ctx, leakcheck.Options{Cycles: cycles})
	switch {
	case ctx.Err() != nil:
		// Interrupted: the check did not finish, so it proves nothing;
		// the report says it was not measured.
		return ctx.Err(), nil
	case err != nil:
		return nil, usageErr("%v", err)
	}
	sum := lr.Summary()
	res.Leakcheck = &sum
	return nil, nil
}

// suiteExit is the error that ends a run whose report is written, by
// precedence: interrupted (130), a failed scenario or --save-results (2), a
// required threshold failed (1); nil for exit 0.
func suiteExit(stderr io.Writer, res *results.Results, failures []error, saveErr error) error {
	if res.Interrupted {
		return &exitError{code: exitInterrupted, err: errors.New("interrupted: the report is partial")}
	}
	if err := failureExit(stderr, failures, len(res.Scenarios)); err != nil {
		return err
	}
	if saveErr != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("the report is complete but --save-results failed (above)")}
	}
	if failed := analysis.FailedRequired(res); len(failed) > 0 && thresholdsDecide(res) {
		msgs := make([]string, len(failed))
		for i, f := range failed {
			msgs[i] = f.String()
		}
		return &exitError{code: exitFailed, err: fmt.Errorf("%d required threshold(s) failed: %s", len(failed), strings.Join(msgs, "; "))}
	}
	return nil
}

func loadScenarios(args []string, reg *transport.Registry) ([]*scenarios.Plan, error) {
	if len(args) == 0 {
		args = scenarios.BuiltinNames()
	}
	var out []*scenarios.Plan
	given := map[string]string{}
	for _, a := range args {
		s, err := scenarios.Load(a, reg)
		if err != nil {
			return nil, err
		}
		// Results, plots and .hgrm files are named after the scenario: a
		// second one of the same name would overwrite the first's.
		if prev, ok := given[s.Name()]; ok {
			return nil, fmt.Errorf("scenario %s given twice (%s and %s); name each scenario once per run", s.Name(), prev, a)
		}
		given[s.Name()] = a
		out = append(out, s)
	}
	return out, nil
}

// checkWritableDir creates dir if needed and proves a file can be written
// there, before any load is sent.
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".oranbench-write-check-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// addScenario records the outcome of one scenario in res. A result with
// figures is kept; a run error that is not an interruption makes the
// scenario a failed entry (its figures, if any, are dropped: they are of a
// run that broke) and is returned, to be reported once the run ends.
func addScenario(ctx context.Context, res *results.Results, p *scenarios.Plan, r results.Scenario, err error) error {
	interrupted := ctx.Err() != nil || errors.Is(err, context.Canceled)
	if err != nil && !interrupted {
		res.Scenarios = append(res.Scenarios, results.Scenario{Name: p.Name(), Description: strings.TrimSpace(p.Description()), Error: errLine(err)})
		return err
	}
	if len(r.Arms) > 0 || r.Sweep != nil || r.Soak != nil {
		res.Scenarios = append(res.Scenarios, r)
	}
	return nil
}

// failureExit prints one line per failed scenario and returns the exit 2
// that ends a run in which any failed; the last failure is the returned
// error's line.
func failureExit(stderr io.Writer, failures []error, total int) error {
	if len(failures) == 0 {
		return nil
	}
	for _, err := range failures[:len(failures)-1] {
		fmt.Fprintf(stderr, "oranbench: %s\n", errLine(err))
	}
	last := failures[len(failures)-1]
	if len(failures) > 1 || total > 1 {
		return &exitError{code: exitUsage, err: fmt.Errorf("%s (%d of %d scenarios failed; the report holds the others)", errLine(last), len(failures), total)}
	}
	return &exitError{code: exitUsage, err: errors.New(errLine(last))}
}

// errLine joins a multi-line error message (errors.Join's) into one line.
func errLine(err error) string {
	var parts []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}

// finishResults ends a run's results: it stamps the end, marks them
// interrupted when ctx was cancelled, judges the claims and writes the
// report to out. A run error other than the interruption is returned as a
// usage exit, before anything is written.
func finishResults(ctx context.Context, out string, res *results.Results, runErr error) error {
	res.FinishedAt = time.Now().UTC()
	res.Interrupted = errors.Is(runErr, context.Canceled) || ctx.Err() != nil
	if runErr != nil && !res.Interrupted {
		return &exitError{code: exitUsage, err: runErr}
	}
	res.Claims = analysis.Claims(res)
	if err := writeReport(out, res); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	return nil
}

func writeReport(dir string, res *results.Results) error {
	return reports.WriteAll(dir, res)
}

func machine() results.Machine {
	return results.Machine{
		GoVersion:  runtime.Version(),
		GOOS:       runtime.GOOS,
		GOARCH:     runtime.GOARCH,
		NumCPU:     runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		CPUModel:   cpuModel(),
	}
}

// cpuModel reads the processor name on Linux; empty elsewhere.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// withKubeconfig aims every scenario at --kubeconfig's server; a scenario
// naming a backend of its own conflicts with the flag.
func withKubeconfig(list []*scenarios.Plan, o runOptions, reg *transport.Registry) ([]*scenarios.Plan, error) {
	if o.kubeconfig == "" {
		if o.kubeContext != "" {
			return nil, fmt.Errorf("--context %s: needs --kubeconfig (a scenario's own kubeconfig takes backend.context)", o.kubeContext)
		}
		return list, nil
	}
	out := make([]*scenarios.Plan, len(list))
	for i, s := range list {
		p, err := s.WithKubeconfig(o.kubeconfig, o.kubeContext, reg)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}
