package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRequiredThresholdsDecideTheExitCode(t *testing.T) {
	doc, err := os.ReadFile("testdata/threshold.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		edit     func(string) string
		code     int
		inReport string
	}{
		{"a failing informative threshold still exits 0", func(s string) string { return s }, exitOK,
			"All 1 required thresholds hold."},
		{"a failing required threshold exits 1", func(s string) string { return strings.Replace(s, "p99 < 10s", "p99 < 1us", 1) }, exitFailed,
			"**1 of 1 required thresholds failed** (exit code 1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "threshold.yaml")
			if err := os.WriteFile(file, []byte(c.edit(string(doc))), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out")
			code, _, stderr := run(t, "run", "--quiet", "--leakcheck-cycles", "0", "--out", out, file)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, c.code, stderr)
			}
			md, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(md), c.inReport) {
				t.Fatalf("REPORT.md lacks %q", c.inReport)
			}
			if c.code == exitFailed && !strings.Contains(stderr, "`p99 < 1us` on tuned: measured") {
				t.Fatalf("stderr must name the failed threshold and its measured value: %s", stderr)
			}
			// F15: report re-rendering the run exits as the run and as
			// report --merge do (it exited 0 on a failed required threshold).
			if code, _, stderr := run(t, "report", out); code != c.code {
				t.Fatalf("report %s: exit %d, want %d as run gave; stderr: %s", out, code, c.code, stderr)
			}
		})
	}
}

func TestABadScenarioExitsTwoBeforeAnyLoad(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(file, []byte("apiVersion: oranbench/v1\nkind: Scenario\nname: bad\nmix:\n  - route: a1.policy.put\nload:\n  model: closed\n  concurrency: 2\narms: [default]\nduration: soon\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := run(t, "run", "--quiet", "--leakcheck-cycles", "0", "--out", out, file)
	if code != exitUsage || !strings.Contains(stderr, "bad.yaml:10: duration: \"soon\"") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("--out was created for a scenario that never ran: %v", err)
	}
}
