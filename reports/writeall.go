package reports

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Files of a report directory.
const (
	ResultsFile = "results.json"
	ReportFile  = "REPORT.md"
	BenchFile   = "bench.txt"
	HgrmDir     = "hgrm"
)

// Files of a report directory for benchmark-action/github-action-benchmark
// (see benchaction.go): req/s for its tool customBiggerIsBetter, p50 and p99
// in ms for customSmallerIsBetter.
const (
	BenchBiggerFile  = "benchmark-bigger.json"
	BenchSmallerFile = "benchmark-smaller.json"
)

// WriteAll writes every file of a run into dir: results.json first, then
// everything WriteArtifacts renders from it.
func WriteAll(dir string, r *Results) error {
	if err := WriteJSON(filepath.Join(dir, ResultsFile), r); err != nil {
		return fmt.Errorf("write %s: %w", ResultsFile, err)
	}
	return WriteArtifacts(dir, r)
}

// WriteArtifacts renders r into dir: REPORT.md, the SVG plots under plots/,
// one .hgrm percentile distribution per arm (and per sweep point) under
// hgrm/, and bench.txt. Everything comes from r alone, so `oranbench
// report` re-renders a directory from its results.json.
func WriteArtifacts(dir string, r *Results) error {
	if err := WriteMarkdown(filepath.Join(dir, ReportFile), r); err != nil {
		return fmt.Errorf("write %s: %w", ReportFile, err)
	}
	if err := WritePlots(dir, r); err != nil {
		return err
	}
	for _, f := range HgrmFiles(r) {
		h, err := DecodeHDR(f.encoded)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		var buf bytes.Buffer
		if err := WriteHgrm(&buf, h); err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(dir, filepath.FromSlash(f.Path)), buf.Bytes()); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
	}
	var buf bytes.Buffer
	if err := WriteBench(&buf, r); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, BenchFile), buf.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", BenchFile, err)
	}
	if err := WriteActionBenchFiles(dir, r); err != nil {
		return err
	}
	return nil
}

// HgrmFile is one arm's percentile distribution file.
type HgrmFile struct {
	// Path is relative to the report directory, e.g.
	// "hgrm/seed-20-concurrent.tuned.service.hgrm".
	Path            string
	Scenario, Point string
	Arm             string
	// Kind is "service" or "response" (open model: from the intended send).
	Kind    string
	encoded string
}

// HgrmFiles lists the .hgrm files of r: service time for every arm with a
// histogram, and response time where the open model measured it.
func HgrmFiles(r *Results) []HgrmFile {
	var out []HgrmFile
	add := func(scenario, point string, arms []Arm) {
		stem := FileStem(RunLabel(scenario, point))
		for _, a := range arms {
			for _, k := range []struct{ kind, enc string }{{"service", a.ServiceHDR}, {"response", a.ResponseHDR}} {
				if k.enc == "" {
					continue
				}
				out = append(out, HgrmFile{
					Path:     fmt.Sprintf("%s/%s.%s.%s.hgrm", HgrmDir, stem, FileStem(a.Name), k.kind),
					Scenario: scenario, Point: point, Arm: a.Name, Kind: k.kind, encoded: k.enc,
				})
			}
		}
	}
	r.EachRun(func(scenario, point string, s Scenario) { add(scenario, point, s.Arms) })
	return out
}

// writeFileAtomic is writeAtomic that first creates the file's directory.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return writeAtomic(path, data)
}
