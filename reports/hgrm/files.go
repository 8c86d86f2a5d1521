package hgrm

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/oranbench/oranbench/reports/results"
)

// HgrmDir is the sub-directory of a report that holds its .hgrm files.
const HgrmDir = "hgrm"

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
func HgrmFiles(r *results.Results) []HgrmFile {
	var out []HgrmFile
	add := func(scenario, point string, arms []results.Arm) {
		stem := results.FileStem(results.RunLabel(scenario, point))
		for _, a := range arms {
			for _, k := range []struct{ kind, enc string }{{"service", a.ServiceHDR}, {"response", a.ResponseHDR}} {
				if k.enc == "" {
					continue
				}
				out = append(out, HgrmFile{
					Path:     fmt.Sprintf("%s/%s.%s.%s.hgrm", HgrmDir, stem, results.FileStem(a.Name), k.kind),
					Scenario: scenario, Point: point, Arm: a.Name, Kind: k.kind, encoded: k.enc,
				})
			}
		}
	}
	r.EachRun(func(scenario, point string, s results.Scenario) { add(scenario, point, s.Arms) })
	return out
}

// WriteHgrmFiles writes the .hgrm files of r (HgrmFiles) into dir.
func WriteHgrmFiles(dir string, r *results.Results) error {
	for _, f := range HgrmFiles(r) {
		h, err := results.DecodeHDR(f.encoded)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		var buf bytes.Buffer
		if err := WriteHgrm(&buf, h); err != nil {
			return err
		}
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		if err := results.WriteFileAtomic(path, buf.Bytes()); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
	}
	return nil
}
