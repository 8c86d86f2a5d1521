package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/benchfmt"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/markdown"
	"github.com/oranbench/oranbench/reports/results"
)

func TestWriteAllWritesEveryFileAndReRendersFromResultsJSONAlone(t *testing.T) {
	r := synth.Results(t, 1, 1, synth.Spread5)
	dir := t.TempDir()
	if err := WriteAll(dir, r); err != nil {
		t.Fatal(err)
	}
	want := []string{results.ResultsFile, markdown.ReportFile, benchfmt.BenchFile, benchfmt.BenchBiggerFile, benchfmt.BenchSmallerFile,
		"plots/seed-20-concurrent.percentiles.svg", "plots/seed-20-concurrent.reqps.svg", "plots/seed-20-concurrent.timeline.svg",
		"plots/conditions-sweep.ratio-tuned.svg",
		"hgrm/seed-20-concurrent.default.service.hgrm", "hgrm/seed-20-concurrent.tuned.service.hgrm",
		"hgrm/conditions-sweep_concurrency=50_tls=off.tuned.service.hgrm",
	}
	for _, f := range want {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	md, err := os.ReadFile(filepath.Join(dir, markdown.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{"](plots/seed-20-concurrent.percentiles.svg)", "](plots/conditions-sweep.ratio-tuned.svg)",
		"[tuned service](hgrm/seed-20-concurrent.tuned.service.hgrm)"} {
		if !strings.Contains(string(md), link) {
			t.Errorf("REPORT.md lacks the link %q", link)
		}
	}

	// Re-render into a fresh directory from results.json alone.
	back, err := results.ReadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	again := t.TempDir()
	if err := WriteArtifacts(again, back); err != nil {
		t.Fatal(err)
	}
	for _, f := range want[1:] {
		a, _ := os.ReadFile(filepath.Join(dir, f))
		b, err := os.ReadFile(filepath.Join(again, f))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s re-rendered from results.json differs (%d vs %d bytes): %v", f, len(a), len(b), err)
		}
	}
}
