// Package scenariotest runs an oranbench scenario from `go test`: the way an
// operator's own repository checks its transport factory in CI.
//
//	func TestPorchClient(t *testing.T) {
//		reg := transport.NewRegistry()
//		reg.MustRegister(transport.FromFunc("mine", "our factory", myfactory.New))
//		scenariotest.Run(t, "testdata/porch.yaml", reg)
//	}
//
// Run parses and runs the scenario, writes REPORT.md and results.json into
// the test's artifact directory (kept with go test -artifacts), and fails
// the test on every required threshold that failed.
package scenariotest

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/markdown"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios"
	"github.com/oranbench/oranbench/targets/transport"
)

// Options tune Run; the zero value runs the scenario as written.
type Options struct {
	// Quick runs the scenario's quick variant.
	Quick bool
}

// Run reads the scenario at file, runs it with the profiles of reg (nil:
// the built-in ones), writes REPORT.md and results.json into
// t.ArtifactDir(), and fails t once per failed required threshold. It
// returns the results for further checks.
func Run(t *testing.T, file string, reg *transport.Registry, opts ...Options) *results.Results {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("scenariotest: %v", err)
	}
	return RunYAML(t, file, data, reg, opts...)
}

// RunYAML is Run on a scenario given as YAML; file names it in errors.
func RunYAML(t *testing.T, file string, data []byte, reg *transport.Registry, opts ...Options) *results.Results {
	t.Helper()
	var opt Options
	if len(opts) > 0 {
		opt = opts[0]
	}
	if reg == nil {
		reg = transport.NewRegistry()
	}
	s, err := scenarios.Parse(file, data, reg)
	if err != nil {
		t.Fatalf("scenariotest: %v", err)
	}
	res := &results.Results{
		SchemaVersion: results.SchemaVersion, Tool: "oranbench", StartedAt: time.Now().UTC(), Quick: opt.Quick,
		Machine: results.Machine{GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
			NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0)},
	}
	r, err := scenarios.Run(context.Background(), s, scenarios.Options{Quick: opt.Quick})
	res.FinishedAt = time.Now().UTC()
	if len(r.Arms) > 0 || r.Sweep != nil {
		res.Scenarios = append(res.Scenarios, r)
	}
	res.Claims = analysis.Claims(res)
	dir := t.ArtifactDir()
	if werr := results.WriteJSON(dir+"/results.json", res); werr != nil {
		t.Errorf("scenariotest: %v", werr)
	}
	if werr := markdown.WriteReport(dir+"/REPORT.md", res); werr != nil {
		t.Errorf("scenariotest: %v", werr)
	}
	if err != nil {
		t.Fatalf("scenariotest: %v (partial report in %s)", err, dir)
	}
	for _, f := range analysis.FailedRequired(res) {
		t.Errorf("scenariotest: required threshold failed: %s (report in %s)", f.String(), dir)
	}
	return res
}
