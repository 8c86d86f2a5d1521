package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oranbench/oranbench/reports"
	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/markdown"
	"github.com/oranbench/oranbench/reports/results"
)

func newReportCmd(stdout io.Writer) *cobra.Command {
	var (
		merge bool
		out   string
	)
	cmd := &cobra.Command{
		Use:   "report DIR... | report --merge --out DIR SHARD-DIR|GLOB...",
		Short: "Re-render REPORT.md, plots, .hgrm files and bench.txt from results.json; or merge shards into one report",
		Long: `report re-renders every file of a result directory from its results.json alone:
REPORT.md, the SVG plots, the .hgrm percentile distributions and bench.txt.

With --merge it combines the result directories of the shards of one run
(oranbench run --shard i/N, all N of them) into one report in --out: counters and
rates add up, histograms merge without loss, and statistics, thresholds and the
verdict are computed again. A quoted glob ("/results/shard-*") is expanded
without a shell. It exits 1 when a required threshold fails on the merged result.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !merge {
				if out != "" {
					return usageErr("--out is for --merge; without it each DIR is re-rendered in place")
				}
				var all []*results.Results
				for _, a := range args {
					r, err := results.ReadResults(a)
					if err != nil {
						return usageErr("%v", err)
					}
					dir := resultDir(a)
					if err := rerender(dir, r); err != nil {
						return usageErr("%s: %v", dir, err)
					}
					fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(dir, markdown.ReportFile))
					printResultNotes(stdout, dir, r)
					all = append(all, r)
				}
				return resultsExit(all...)
			}
			if out == "" {
				return usageErr("--merge needs --out DIR for the merged report")
			}
			dirs, err := expandGlobs(args)
			if err != nil {
				return usageErr("%v", err)
			}
			for _, a := range dirs {
				if sameDir(out, resultDir(a)) {
					return usageErr("--out %s: is the input %s; merging into it would overwrite that shard: give a new directory", out, a)
				}
			}
			var shards []*results.Results
			for _, a := range dirs {
				r, err := results.ReadResults(a)
				if err != nil {
					return usageErr("%v", err)
				}
				shards = append(shards, r)
			}
			m, err := analysis.MergeShards(shards)
			if err != nil {
				return usageErr("%v", err)
			}
			lock, err := prepareOut(out)
			if err != nil {
				return usageErr("--out %s: %v", out, err)
			}
			defer lock.Unlock()
			if err := reports.WriteAll(out, m); err != nil {
				return usageErr("%v", err)
			}
			if err := markdown.AppendStepSummary(os.Getenv(markdown.StepSummaryEnv), m); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "oranbench: warning: %v\n", err)
			}
			fmt.Fprintf(stdout, "merged %d shards: wrote %s and %s\n", len(shards), filepath.Join(out, markdown.ReportFile), filepath.Join(out, results.ResultsFile))
			for i, r := range shards {
				if r.Interrupted {
					fmt.Fprintf(stdout, "shard %s (%s) was interrupted: the merged report is partial\n", r.Shard, dirs[i])
				}
			}
			printResultNotes(stdout, out, m)
			return resultsExit(m)
		},
	}
	cmd.Flags().BoolVar(&merge, "merge", false, "merge the shard directories given into one report in --out")
	cmd.Flags().StringVar(&out, "out", "", "directory for the merged report (with --merge)")
	return cmd
}

// resultDir is the directory of a result given as a directory or as its
// results.json.
func resultDir(arg string) string {
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		return arg
	}
	return filepath.Dir(arg)
}

// expandGlobs expands arguments holding a glob pattern ("/results/shard-*"),
// so the merge step needs no shell; other arguments are kept as given.
func expandGlobs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if !strings.ContainsAny(a, "*?[") {
			out = append(out, a)
			continue
		}
		m, err := filepath.Glob(a)
		if err != nil {
			return nil, fmt.Errorf("%q: %v", a, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("%q matches no result directory", a)
		}
		out = append(out, m...)
	}
	return out, nil
}

// rerender renders dir's report again from r, under dir's lock, with the
// files an earlier rendering left (a plot of a scenario no longer in r)
// removed first.
func rerender(dir string, r *results.Results) error {
	lock, err := lockOut(dir)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	if err := reports.RemoveArtifacts(dir); err != nil {
		return err
	}
	return reports.WriteArtifacts(dir, r)
}

// printResultNotes says on stdout what makes a result other than a whole,
// judged run: interrupted, or holding scenarios that failed to run.
func printResultNotes(stdout io.Writer, dir string, r *results.Results) {
	if r.Interrupted {
		fmt.Fprintf(stdout, "%s: the run was interrupted: the report is partial and its thresholds do not set the exit code\n", dir)
	}
	for _, s := range r.Failed() {
		fmt.Fprintf(stdout, "%s: scenario %s failed to run: %s\n", dir, s.Name, s.Error)
	}
}

// resultsExit is the exit a set of results calls for, as run would have
// given it: 2 when a scenario failed to run, 1 when a required threshold
// failed on a complete result that is not a shard; an interrupted result's
// thresholds, judged on partial figures, do not count.
func resultsExit(rs ...*results.Results) error {
	var failedRuns []string
	var failed []string
	for _, r := range rs {
		for _, s := range r.Failed() {
			failedRuns = append(failedRuns, fmt.Sprintf("scenario %s failed to run: %s", s.Name, s.Error))
		}
		if r.Interrupted || !thresholdsDecide(r) {
			continue
		}
		for _, f := range analysis.FailedRequired(r) {
			failed = append(failed, f.String())
		}
	}
	switch {
	case len(failedRuns) > 0:
		return &exitError{code: exitUsage, err: errors.New(strings.Join(failedRuns, "; "))}
	case len(failed) > 0:
		return &exitError{code: exitFailed, err: fmt.Errorf("%d required threshold(s) failed: %s", len(failed), strings.Join(failed, "; "))}
	}
	return nil
}

// sameDir reports whether a and b are the same directory (through
// symlinks, relative paths or hard links); false when either does not
// exist.
func sameDir(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false
	}
	return os.SameFile(sa, sb)
}
