package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/oranbench/oranbench/reports/markdown"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios"
)

// parseShard parses --shard "i/N" (0 <= i < N); "" means no sharding.
func parseShard(s string) (*results.Shard, error) {
	if s == "" {
		return nil, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("--shard %q: want i/N with 0 <= i < N, e.g. 0/4 (a Kubernetes Indexed Job passes $JOB_COMPLETION_INDEX as i)", s)
	}
	return &results.Shard{Index: i, Count: n}, nil
}

// shardScenarios gives each scenario shard sh's share of its load.
func shardScenarios(list []*scenarios.Plan, sh *results.Shard) ([]*scenarios.Plan, error) {
	if sh == nil {
		return list, nil
	}
	out := make([]*scenarios.Plan, len(list))
	for i, s := range list {
		c, err := s.Shard(sh.Index, sh.Count)
		if err != nil {
			return nil, fmt.Errorf("--shard %s: %w", sh, err)
		}
		out[i] = c
	}
	return out, nil
}

// thresholdsDecide reports whether the run's thresholds set its exit code:
// a shard carries part of the load, so absolute thresholds are judged on
// the merged result (oranbench report --merge), not on each shard.
func thresholdsDecide(res *results.Results) bool { return res.Shard == nil }

// printRunOutput tells where the report is, or prints results.json with
// --json.
func printRunOutput(stdout io.Writer, dir string, res *results.Results, asJSON bool) error {
	if asJSON {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		_, err = stdout.Write(append(b, '\n'))
		return err
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", filepath.Join(dir, markdown.ReportFile), filepath.Join(dir, results.ResultsFile))
	if res.Shard != nil {
		fmt.Fprintf(stdout, "shard %s: thresholds are judged on the merged result: oranbench report --merge --out DIR SHARD-DIRS...\n", res.Shard)
	}
	return nil
}
