package main

import (
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
				for _, a := range args {
					r, err := results.ReadResults(a)
					if err != nil {
						return usageErr("%v", err)
					}
					dir := resultDir(a)
					if err := reports.WriteArtifacts(dir, r); err != nil {
						return usageErr("%s: %v", dir, err)
					}
					fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(dir, markdown.ReportFile))
				}
				return nil
			}
			if out == "" {
				return usageErr("--merge needs --out DIR for the merged report")
			}
			dirs, err := expandGlobs(args)
			if err != nil {
				return usageErr("%v", err)
			}
			var shards []*results.Results
			for _, a := range dirs {
				r, err := results.ReadResults(a)
				if err != nil {
					return usageErr("%v", err)
				}
				shards = append(shards, r)
			}
			m, err := analysis.Merge(shards)
			if err != nil {
				return usageErr("%v", err)
			}
			if err := checkWritableDir(out); err != nil {
				return usageErr("--out %s: %v", out, err)
			}
			if err := reports.WriteAll(out, m); err != nil {
				return usageErr("%v", err)
			}
			if err := markdown.AppendStepSummary(os.Getenv(markdown.StepSummaryEnv), m); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "oranbench: warning: %v\n", err)
			}
			fmt.Fprintf(stdout, "merged %d shards: wrote %s and %s\n", len(shards), filepath.Join(out, markdown.ReportFile), filepath.Join(out, results.ResultsFile))
			if failed := analysis.FailedRequired(m); len(failed) > 0 {
				msgs := make([]string, len(failed))
				for i, f := range failed {
					msgs[i] = f.String()
				}
				return &exitError{code: exitFailed, err: fmt.Errorf("%d required threshold(s) failed: %s", len(failed), strings.Join(msgs, "; "))}
			}
			return nil
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
