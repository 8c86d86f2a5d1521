package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
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

// artifactPatterns are the files WriteArtifacts renders, as globs relative
// to a report directory: the ones RemoveArtifacts may delete.
var artifactPatterns = []string{
	markdown.ReportFile,
	benchfmt.BenchFile,
	benchfmt.BenchBiggerFile,
	benchfmt.BenchSmallerFile,
	filepath.Join(plots.PlotsDir, "*.svg"),
	filepath.Join(hgrm.HgrmDir, "*.hgrm"),
	filepath.Join(markdown.ScenarioDir, "*.md"),
}

// RemoveArtifacts deletes what WriteArtifacts wrote into dir before (and the
// temporary files a failed write of them left), so a re-rendered or reused
// directory holds no plot or .hgrm file of an earlier run next to the new
// report. Only those names are touched, never other files; the plots/ and
// hgrm/ directories are removed when that leaves them empty.
func RemoveArtifacts(dir string) error {
	return RemoveOwn(dir, artifactPatterns...)
}

// RemoveOwn deletes the files in dir matching the patterns (globs relative
// to dir), with the .tmp files of their atomic writes, then removes the
// sub-directories of the patterns that this leaves empty.
func RemoveOwn(dir string, patterns ...string) error {
	var errs []error
	subdirs := map[string]bool{}
	for _, pat := range patterns {
		for _, g := range []string{pat, pat + ".tmp"} {
			m, err := filepath.Glob(filepath.Join(dir, g))
			if err != nil {
				return err
			}
			for _, f := range m {
				if st, err := os.Lstat(f); err != nil || st.IsDir() {
					continue
				}
				if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, err)
				}
			}
		}
		if d := filepath.Dir(pat); d != "." {
			subdirs[filepath.Join(dir, d)] = true
		}
	}
	for d := range subdirs {
		if entries, err := os.ReadDir(d); err == nil && len(entries) == 0 {
			_ = os.Remove(d)
		}
	}
	return errors.Join(errs...)
}
