package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/results"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = execute(args, &o, &e)
	return code, o.String(), e.String()
}

func TestScenariosListsTheBuiltIns(t *testing.T) {
	code, out, _ := run(t, "scenarios")
	if code != exitOK || !strings.Contains(out, "seed-20-concurrent") || !strings.Contains(out, "closed 20") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

// The reference the CLI prints is the one the README links to.
func TestScenariosReferencePrintsTheReferenceFile(t *testing.T) {
	code, out, errOut := run(t, "scenarios", "--reference")
	want, err := os.ReadFile("../../scenarios/REFERENCE.md")
	if err != nil {
		t.Fatal(err)
	}
	if code != exitOK || out != string(want) {
		t.Fatalf("exit %d (stderr %q); output differs from scenarios/REFERENCE.md (%d vs %d bytes)", code, errOut, len(out), len(want))
	}
}

func TestBadUsageExitsTwoWithOneClearLine(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"an unknown scenario lists the valid ones", []string{"run", "--out", t.TempDir(), "no-such"},
			[]string{`unknown scenario "no-such"`, "seed-20-concurrent"}},
		{"an --out that is a file", []string{"run", "--out", filepath.Join(file, "sub"), "seed-20-concurrent"},
			[]string{"--out", "a-file"}},
		{"a missing scenario file", []string{"run", "--out", t.TempDir(), "missing.yaml"},
			[]string{"missing.yaml"}},
		{"an unknown flag", []string{"run", "--turbo"}, []string{"--turbo"}},
		{"--max-workers without an open model", []string{"attack", "--url", "http://127.0.0.1:1/", "--concurrency", "2", "--max-workers", "3"},
			[]string{"--max-workers 3", "--rate"}},
		{"a mock h2 stream limit out of range", []string{"mock", "--tls", "--http2", "--h2-max-streams", "-3"},
			[]string{"h2MaxStreams", "-3", "1 to 1048576"}},
		{"an unknown command", []string{"fly"}, []string{"fly"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := run(t, c.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr: %s", code, exitUsage, errOut)
			}
			if n := strings.Count(strings.TrimSpace(errOut), "\n"); n != 0 {
				t.Errorf("want one error line, got %d:\n%s", n+1, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
			if out != "" {
				t.Errorf("nothing should be written to stdout, got %q", out)
			}
		})
	}
}

func TestRunWritesTheReportAndResults(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report")
	code, stdout, stderr := run(t, "run", "--quiet", "--leakcheck-cycles", "3", "--out", out, "testdata/tiny.yaml")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	md, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "## Scenario `tiny`") || !strings.Contains(string(md), "`tuned` / `default`") {
		t.Fatalf("REPORT.md:\n%s", md)
	}
	res, err := results.ReadJSON(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if lc := res.Leakcheck; lc == nil || lc.Cycles != 3 || lc.Leaked || lc.GoroutinesAfter != lc.GoroutinesBefore {
		t.Fatalf("results.json leakcheck = %+v, want 3 cycles and no leak", lc)
	}
	if !strings.Contains(stdout, "REPORT.md") {
		t.Errorf("stdout %q does not say where the report is", stdout)
	}
}
