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

func newRunCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		out         string
		quick       bool
		quiet       bool
		allowRemote bool
		leakCycles  int
		saveResults bool
		asJSON      bool
		shardFlag   string
	)
	cmd := &cobra.Command{
		Use:   "run [NAME|FILE.yaml ...]",
		Short: "Run scenarios (all built-ins when none is named) and write REPORT.md and results.json",
		RunE: func(cmd *cobra.Command, args []string) error {
			reg := transport.NewRegistry()
			list, err := loadScenarios(args, reg)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			for _, s := range list {
				if err := s.CheckBackend(allowRemote); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
				if err := s.CheckLimits(quick); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
			}
			shard, err := parseShard(shardFlag)
			if err != nil {
				return usageErr("%v", err)
			}
			if list, err = shardScenarios(list, shard); err != nil {
				return usageErr("%v", err)
			}
			if err := checkWritableDir(out); err != nil {
				return usageErr("--out %s: %v", out, err)
			}
			prog := newProgress(stderr, quiet, plannedTime(list, quick))
			defer prog.Close()
			log := prog.Log()
			var saver *resultFiles
			var saveHook func(scenarios.RunInfo) scenarios.ResultFunc
			if saveResults {
				saver = newResultFiles(out)
				defer saver.Close()
				saveHook = saver.onRun
			}
			res := &results.Results{
				SchemaVersion: results.SchemaVersion,
				Tool:          "oranbench",
				StartedAt:     time.Now().UTC(),
				Machine:       machine(),
				Quick:         quick,
				Shard:         shard,
			}
			ctx := cmd.Context()
			// The leak check runs first, while the process has nothing else
			// running: any goroutine it finds afterwards is its subjects'.
			if leakCycles > 0 {
				fmt.Fprintf(log, "leakcheck: %d create/use/close cycles of the watcher and each transport profile\n", leakCycles)
				lr, err := leakcheck.Run(ctx, leakcheck.Options{Cycles: leakCycles})
				if err != nil {
					return usageErr("leakcheck: %v", err)
				}
				sum := lr.Summary()
				res.Leakcheck = &sum
			}
			// A process-isolated backend is this binary as `mock --child`.
			self, _ := os.Executable()
			var runErr error
			for _, s := range list {
				r, err := scenarios.Run(ctx, s, scenarios.Options{Quick: quick, Log: log, AllowRemote: allowRemote, BackendBinary: self,
					OnRun: runHooks(prog.onRun, saveHook)})
				if len(r.Arms) > 0 || r.Sweep != nil || r.Soak != nil {
					res.Scenarios = append(res.Scenarios, r)
				}
				if err != nil {
					runErr = err
					break
				}
			}
			prog.Close()
			if err := finishResults(ctx, out, res, runErr); err != nil {
				return err
			}
			if saver != nil {
				if err := saver.Close(); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
			}
			if err := markdown.AppendStepSummary(os.Getenv(markdown.StepSummaryEnv), res); err != nil {
				fmt.Fprintf(stderr, "oranbench: warning: %v\n", err)
			}
			if err := printRunOutput(stdout, out, res, asJSON); err != nil {
				return err
			}
			if res.Interrupted {
				return &exitError{code: exitInterrupted, err: errors.New("interrupted: the report is partial")}
			}
			if failed := analysis.FailedRequired(res); len(failed) > 0 && thresholdsDecide(res) {
				msgs := make([]string, len(failed))
				for i, f := range failed {
					msgs[i] = f.String()
				}
				return &exitError{code: exitFailed, err: fmt.Errorf("%d required threshold(s) failed: %s", len(failed), strings.Join(msgs, "; "))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", filepath.Join("reports", "latest"), "directory for REPORT.md and results.json")
	cmd.Flags().BoolVar(&quick, "quick", false, "shorter durations and fewer repetitions (CI-sized)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress lines")
	cmd.Flags().BoolVar(&allowRemote, "allow-remote", false, "allow a scenario's backend.target outside loopback")
	cmd.Flags().IntVar(&leakCycles, "leakcheck-cycles", leakcheck.DefaultCycles, "watcher and transport create/close cycles checked for goroutine leaks before the scenarios (0: skip)")
	cmd.Flags().BoolVar(&saveResults, "save-results", false, "also stream every result, in vegeta's encoding, to DIR/vegeta/SCENARIO.ARM.bin (for vegeta report and vegeta plot)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print results.json to stdout instead of the summary line")
	cmd.Flags().StringVar(&shardFlag, "shard", "", "run share i/N of each scenario's concurrency or rate (0 <= i < N); merge the shards with oranbench report --merge")
	return cmd
}

func loadScenarios(args []string, reg *transport.Registry) ([]*scenarios.Plan, error) {
	if len(args) == 0 {
		args = scenarios.BuiltinNames()
	}
	var out []*scenarios.Plan
	for _, a := range args {
		s, err := scenarios.Load(a, reg)
		if err != nil {
			return nil, err
		}
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
