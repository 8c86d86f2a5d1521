package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oranbench/oranbench/reports"
)

func newCompareCmd(stdout io.Writer) *cobra.Command {
	var (
		tolerance string
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "compare OLD NEW",
		Short: "Compare two runs (result directories or results.json files); exit 1 on a significant regression",
		Long: `compare matches scenarios, sweep points and arms of OLD and NEW and prints, as
markdown, each arm's req/s, p50, p95 and p99: the medians of the repetitions, the
change NEW/OLD and its two-sided Mann-Whitney U p-value; "~" means the change is not
significant. It exits 1 when a metric got significantly worse by more than
--tolerance, 0 otherwise, 2 on bad input. With $GITHUB_STEP_SUMMARY set, the table
is appended to it too.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			tol, err := parseTolerance(tolerance)
			if err != nil {
				return usageErr("%v", err)
			}
			old, err := reports.ReadResults(args[0])
			if err != nil {
				return usageErr("OLD: %v", err)
			}
			cur, err := reports.ReadResults(args[1])
			if err != nil {
				return usageErr("NEW: %v", err)
			}
			d := reports.CompareResults(old, cur, reports.CompareOptions{Tolerance: tol, OldName: args[0], NewName: args[1]})
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(d); err != nil {
					return err
				}
			} else if err := d.Markdown(stdout); err != nil {
				return err
			}
			if err := reports.AppendCompareSummary(os.Getenv(reports.StepSummaryEnv), d); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "oranbench: warning: %v\n", err)
			}
			if regs := d.Regressions(); len(regs) > 0 {
				msgs := make([]string, len(regs))
				for i, r := range regs {
					msgs[i] = strings.ReplaceAll(r.String(), "`", "")
				}
				return &exitError{code: exitFailed, err: fmt.Errorf("%d regression(s) beyond %s: %s", len(regs), tolerance, strings.Join(msgs, "; "))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&tolerance, "tolerance", "5%", "how much worse a metric may get before a significant change is a regression, in percent")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the comparison as JSON instead of markdown")
	return cmd
}

// parseTolerance reads "5%" or "5" as 5 percent and returns 0.05.
func parseTolerance(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), 64)
	if err != nil || v < 0 || v >= 100 {
		return 0, fmt.Errorf("--tolerance %q: want a percentage from 0 to 100, e.g. 5%%", s)
	}
	return v / 100, nil
}
