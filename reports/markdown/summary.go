package markdown

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
)

// StepSummaryEnv names the file GitHub Actions shows as a job's summary.
const StepSummaryEnv = "GITHUB_STEP_SUMMARY"

// WriteStepSummary writes the part of the report a CI job summary shows:
// the verdict on the seed's claims, one verdict line per scenario, a
// compact table of every scenario's arms and the threshold results. The
// full REPORT.md stays in the result directory.
func WriteStepSummary(w io.Writer, r *results.Results) error {
	p := &printer{w: w, brief: true}
	p.f("# oranbench\n\n")
	p.f("%s/%s, %d CPUs%s, %s", r.Machine.GOOS, r.Machine.GOARCH, r.Machine.NumCPU, results.CPUModelSuffix(r.Machine.CPUModel), r.Machine.GoVersion)
	for _, n := range runNotes(r) {
		p.f("; %s", n)
	}
	p.f(".\n\n")
	p.claims(r, p.judge(r))
	p.f("## Verdict\n\n")
	for _, s := range r.Scenarios {
		p.f("- %s\n", verdictLine(s))
	}
	p.f("\n")
	var rows [][]string
	for _, s := range r.Scenarios {
		if s.Sweep != nil {
			continue
		}
		for i, a := range s.Arms {
			name := ""
			if i == 0 {
				name = "`" + s.Name + "`"
			}
			t := a.Total
			rows = append(rows, []string{name, "`" + a.Name + "`", armValue(s, a.Name, results.MetricReqPerSec, t.SuccessPerSec), armValue(s, a.Name, results.MetricP50, float64(t.Latency.P50)), armValue(s, a.Name, results.MetricP99, float64(t.Latency.P99)),
				results.Pct(t.SuccessPct), results.Int(t.Client.Dials), results.Pct(t.Client.ReusePct)})
		}
	}
	if len(rows) > 0 {
		p.f("## Arms\n\n")
		p.table([]string{"scenario", "arm", "req/s", "p50", "p99", "success", "dials", "reuse"}, rows)
	}
	return p.err
}

// AppendStepSummary appends WriteStepSummary's output to the file at path,
// normally $GITHUB_STEP_SUMMARY; an empty path does nothing.
func AppendStepSummary(path string, r *results.Results) error {
	if path == "" {
		return nil
	}
	var b bytes.Buffer
	if err := WriteStepSummary(&b, r); err != nil {
		return err
	}
	return appendFile(path, b.Bytes())
}

// AppendCompareSummary appends a comparison's markdown to the file at path;
// an empty path does nothing.
func AppendCompareSummary(path string, d analysis.Delta) error {
	if path == "" {
		return nil
	}
	var b bytes.Buffer
	if err := Compare(&b, d); err != nil {
		return err
	}
	return appendFile(path, b.Bytes())
}

func appendFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("%s %s: %w", StepSummaryEnv, path, err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("%s %s: %w", StepSummaryEnv, path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s %s: %w", StepSummaryEnv, path, err)
	}
	return nil
}
