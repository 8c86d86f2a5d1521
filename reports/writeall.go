package reports

import (
	"bytes"
	"fmt"
	"path/filepath"

	"github.com/oranbench/oranbench/reports/benchfmt"
	"github.com/oranbench/oranbench/reports/hgrm"
	"github.com/oranbench/oranbench/reports/markdown"
	"github.com/oranbench/oranbench/reports/plots"
	"github.com/oranbench/oranbench/reports/results"
)

// WriteAll writes every file of a run into dir: results.json first, then
// everything WriteArtifacts renders from it.
func WriteAll(dir string, r *results.Results) error {
	if err := results.WriteJSON(filepath.Join(dir, results.ResultsFile), r); err != nil {
		return fmt.Errorf("write %s: %w", results.ResultsFile, err)
	}
	return WriteArtifacts(dir, r)
}

// WriteArtifacts renders r into dir: REPORT.md, the SVG plots under plots/,
// one .hgrm percentile distribution per arm (and per sweep point) under
// hgrm/, bench.txt and the github-action-benchmark files. Everything comes
// from r alone, so `oranbench report` re-renders a directory from its
// results.json.
func WriteArtifacts(dir string, r *results.Results) error {
	if err := markdown.WriteReport(filepath.Join(dir, markdown.ReportFile), r); err != nil {
		return fmt.Errorf("write %s: %w", markdown.ReportFile, err)
	}
	if err := plots.WritePlots(dir, r); err != nil {
		return err
	}
	if err := hgrm.WriteHgrmFiles(dir, r); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := benchfmt.WriteBench(&buf, r); err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, benchfmt.BenchFile), buf.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", benchfmt.BenchFile, err)
	}
	return benchfmt.WriteActionBenchFiles(dir, r)
}
