package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios"
)

// refusedScenario writes a copy of testdata/tiny.yaml named name whose
// target refuses every connection.
func refusedScenario(t *testing.T, dir, name string) string {
	t.Helper()
	doc, err := os.ReadFile("testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(doc), "name: tiny", "name: "+name, 1)
	s = strings.Replace(s, "  tls: true\n  latency: 20ms\n", "  target: http://127.0.0.1:1\n", 1)
	// Its reads' objects would be there already: the run creates nothing on
	// an external backend unless asked.
	s += "fixtures: none\n"
	path := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func oneLineOf(t *testing.T, stderr string) {
	t.Helper()
	if n := strings.Count(strings.TrimSpace(stderr), "\n"); n != 0 {
		t.Errorf("want one line on stderr, got %d:\n%s", n+1, stderr)
	}
}

// F1: a scenario that cannot run (its target refuses connections) is
// recorded as failed, the scenarios after it still run, everything that
// finished is written, and the run exits 2 with one line.
func TestAScenarioThatFailsToRunKeepsTheOthersAndExitsTwo(t *testing.T) {
	dir := t.TempDir()
	refused := refusedScenario(t, dir, "refused")
	out := filepath.Join(dir, "out")
	code, stdout, stderr := run(t, "run", "--quiet", "--leakcheck-cycles", "0", "--out", out, refused, "testdata/tiny.yaml")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d; stderr: %s", code, exitUsage, stderr)
	}
	oneLineOf(t, stderr)
	for _, w := range []string{"scenario refused", "connection refused", "1 of 2 scenarios failed"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q lacks %q", stderr, w)
		}
	}
	if !strings.Contains(stdout, "REPORT.md") {
		t.Errorf("stdout %q does not say where the report is", stdout)
	}
	res, err := results.ReadResults(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Scenarios) != 2 {
		t.Fatalf("results.json holds %d scenarios, want the failed one and tiny", len(res.Scenarios))
	}
	f, tiny := res.Scenarios[0], res.Scenarios[1]
	if !f.Failed() || !strings.Contains(f.Error, "connection refused") || strings.Contains(f.Error, "\n") || len(f.Arms) != 0 {
		t.Errorf("failed scenario = %+v, want a one-line error and no figures", f)
	}
	if tiny.Name != "tiny" || tiny.Failed() || len(tiny.Arms) != 2 || tiny.Arms[1].Total.Requests == 0 {
		t.Errorf("tiny did not run after the failed scenario: %+v", tiny)
	}
	md, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"## Scenario `refused`: FAILED", "**refused**: **FAILED**", "1 of 2 scenarios failed to run", "## Scenario `tiny`"} {
		if !strings.Contains(string(md), w) {
			t.Errorf("REPORT.md lacks %q", w)
		}
	}
	// report re-renders it and exits as run did.
	if code, _, stderr := run(t, "report", out); code != exitUsage || !strings.Contains(stderr, "scenario refused failed to run") {
		t.Errorf("report of a run with a failed scenario: exit %d, stderr %q; want 2 naming it", code, stderr)
	}
}

// F10: an --out that a live oranbench holds is refused; a lock left by a
// process that is gone is taken over; a reused --out keeps no plot, .hgrm
// or vegeta file of the earlier run, and no file oranbench did not write.
func TestRunLocksItsOutAndClearsOnlyItsOwnStaleFiles(t *testing.T) {
	out := t.TempDir()
	lock := filepath.Join(out, LockFile)
	// The test's parent process is alive and is not this one.
	if err := os.WriteFile(lock, []byte(fmt.Sprintf("%d\n", os.Getppid())), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "run", "--quiet", "--leakcheck-cycles", "0", "--out", out, "testdata/tiny.yaml")
	if code != exitUsage || !strings.Contains(stderr, fmt.Sprintf("pid %d", os.Getppid())) || !strings.Contains(stderr, "--out") {
		t.Fatalf("a held --out: exit %d, stderr %q; want 2 naming the holder", code, stderr)
	}
	oneLineOf(t, stderr)

	// A lock whose process has exited is stale.
	dead := exec.Command(os.Args[0], "-test.run=^$")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lock, []byte(fmt.Sprintf("%d\n", dead.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	stale := []string{"plots/old-scenario.percentiles.svg", "hgrm/old-scenario.tuned.service.hgrm", "vegeta/old-scenario.tuned.bin", "REPORT.md.tmp"}
	mine := []string{"notes.txt", "plots/my-drawing.png"}
	for _, f := range append(append([]string{}, stale...), mine...) {
		p := filepath.Join(out, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr = run(t, "run", "--quiet", "--leakcheck-cycles", "0", "--out", out, "testdata/tiny.yaml")
	if code != exitOK {
		t.Fatalf("a stale lock was not taken over: exit %d: %s", code, stderr)
	}
	for _, f := range stale {
		if _, err := os.Stat(filepath.Join(out, f)); !os.IsNotExist(err) {
			t.Errorf("stale %s is still next to the new report", f)
		}
	}
	for _, f := range mine {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s, not oranbench's, was removed: %v", f, err)
		}
	}
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Errorf("the lock is left behind after the run: %v", err)
	}
}

// F10: a merge whose --out is one of its inputs (by another path) is
// refused before anything is read or written.
func TestMergeRefusesAnOutThatIsOneOfItsInputs(t *testing.T) {
	dir := t.TempDir()
	s0, s1 := filepath.Join(dir, "s0"), filepath.Join(dir, "s1")
	for _, d := range []string{s0, s1} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, results.ResultsFile), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(s1, link); err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{s0, link, s1 + "/."} {
		code, _, stderr := run(t, "report", "--merge", "--out", o, s0, filepath.Join(s1, results.ResultsFile))
		if code != exitUsage || !strings.Contains(stderr, "is the input") {
			t.Errorf("--out %s: exit %d, stderr %q; want 2 naming the input", o, code, stderr)
		}
		oneLineOf(t, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(s1, results.ResultsFile)); string(b) != "{}" {
		t.Errorf("the input was written to: %q", b)
	}
}

// F13: a scenario file or a results.json that is a device, or larger than
// its cap, is refused with exit 2 and one line, before it is read whole.
func TestOversizeAndSpecialInputsExitTwo(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte(strings.Repeat("#", 1<<20+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero")
	if err := os.MkdirAll(zero, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(zero, results.ResultsFile)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"run", "--out", t.TempDir(), "/dev/zero"}, []string{"/dev/zero", "a device", "not a regular file"}},
		{[]string{"run", "--out", t.TempDir(), big}, []string{"big.yaml", "1048577 bytes", "limit of 1048576 bytes"}},
		{[]string{"report", zero}, []string{"results.json", "a device"}},
		{[]string{"compare", zero, zero}, []string{"results.json", "a device"}},
	}
	for _, c := range cases {
		code, _, stderr := run(t, c.args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want 2: %s", c.args, code, stderr)
			continue
		}
		oneLineOf(t, stderr)
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, stderr, w)
			}
		}
	}
}

// interruptWhen runs this test binary as oranbench with args, sends it
// SIGINT once a stderr line contains marker, and returns its exit code,
// stdout and stderr.
func interruptWhen(t *testing.T, marker string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), cliEnv+"=1", "CI=true")
	var out strings.Builder
	cmd.Stdout = &out
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log []string
	sc := bufio.NewScanner(pipe)
	sent := false
	for sc.Scan() {
		log = append(log, sc.Text())
		if !sent && strings.Contains(sc.Text(), marker) {
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			sent = true
		}
	}
	err = cmd.Wait()
	if !sent {
		t.Fatalf("%v never printed %q; stderr:\n%s", args, marker, strings.Join(log, "\n"))
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		code = 0
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return code, out.String(), strings.Join(log, "\n")
}

// F6: Ctrl-C during run's start-up leak check exits 130 with a partial
// report, not 2 with none.
func TestSIGINTDuringRunsLeakCheckWritesAPartialReportAndExits130(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := interruptWhen(t, "leakcheck:", "run", "--leakcheck-cycles", "1000000", "--out", out, "testdata/tiny.yaml")
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInterrupted, stderr)
	}
	if strings.Contains(stderr, "leakcheck: leakcheck:") || strings.Contains(stderr, "context canceled") {
		t.Errorf("stderr reports the interruption as an error:\n%s", stderr)
	}
	res, err := results.ReadResults(out)
	if err != nil {
		t.Fatalf("no partial results: %v", err)
	}
	if !res.Interrupted || res.Leakcheck != nil || len(res.Scenarios) != 0 {
		t.Errorf("results: interrupted %v, leakcheck %+v, %d scenarios; want interrupted, no leak verdict, no scenario", res.Interrupted, res.Leakcheck, len(res.Scenarios))
	}
	if md, err := os.ReadFile(filepath.Join(out, "REPORT.md")); err != nil || !strings.Contains(string(md), "interrupted, this report is partial") {
		t.Errorf("REPORT.md (%v) is not marked partial", err)
	}
}

// F6: Ctrl-C during leakcheck exits 130 with the cycles that ran, and the
// cancelled cycle is not counted as an error; "leakcheck:" is said once.
func TestSIGINTDuringLeakcheckPrintsAPartialReportAndExits130(t *testing.T) {
	code, stdout, stderr := interruptWhen(t, "leakcheck:", "leakcheck", "--cycles", "1000000", "--skip-transports")
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInterrupted, stderr)
	}
	for _, w := range []string{"SUBJECT", "watcher", "interrupted", "partial"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, stdout)
		}
	}
	if strings.Contains(stdout+stderr, "context canceled") || strings.Contains(stderr, "leakcheck: leakcheck:") {
		t.Errorf("the interruption is reported as an error:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}

// F15: counts that meant "the default" when 0 or that were accepted when
// negative are refused with one line.
func TestZeroAndNegativeCountsAreRefused(t *testing.T) {
	for _, args := range [][]string{
		{"leakcheck", "--cycles", "0"},
		{"leakcheck", "--requests", "-1"},
		{"run", "--leakcheck-cycles", "-5", "--out", t.TempDir(), "testdata/tiny.yaml"},
		{"soak", "--duration", "200h", "--out", t.TempDir()},
	} {
		code, _, stderr := run(t, args...)
		if code != exitUsage || !strings.Contains(stderr, args[1]) {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming %s", args, code, stderr, args[1])
		}
		oneLineOf(t, stderr)
	}
}

// F15: a scenario named twice on the command line (by two paths) would run
// twice under one name, its plots and .hgrm files overwriting each other.
func TestAScenarioGivenTwiceIsRefused(t *testing.T) {
	code, _, stderr := run(t, "run", "--out", t.TempDir(), "testdata/tiny.yaml", "./testdata/tiny.yaml")
	if code != exitUsage || !strings.Contains(stderr, "scenario tiny given twice") {
		t.Fatalf("exit %d, stderr %q; want 2 naming the scenario", code, stderr)
	}
	oneLineOf(t, stderr)
}

// F15: --save-results write errors (ENOSPC, from /dev/full) are returned
// by Close, naming the file.
func TestSaveResultsReportsAWriteError(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/dev/full, which fails every write with ENOSPC, is Linux's")
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, VegetaDir), 0o755); err != nil {
		t.Fatal(err)
	}
	info := scenarios.RunInfo{Scenario: "tiny", Arm: "tuned"}
	path := resultPath(filepath.Join(dir, VegetaDir), info)
	if err := os.Symlink("/dev/full", path); err != nil {
		t.Fatal(err)
	}
	s := newResultFiles(dir)
	fn := s.onRun(info)
	if fn == nil {
		t.Fatal("no sink for the run")
	}
	for range 10 {
		fn(&vegeta.Result{Code: 200, URL: "http://127.0.0.1/x"})
	}
	err := s.Close()
	if err == nil || !strings.Contains(err.Error(), "--save-results") || !strings.Contains(err.Error(), "tiny.tuned.bin") || !strings.Contains(err.Error(), "no space") {
		t.Fatalf("Close = %v; want the ENOSPC naming the file", err)
	}
}

// F15: merging an interrupted shard exited 0 without a word on stdout.
func TestMergingAnInterruptedShardSaysSo(t *testing.T) {
	dir := t.TempDir()
	var args []string
	for i := range 2 {
		d := filepath.Join(dir, fmt.Sprintf("shard-%d", i))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		r := &results.Results{SchemaVersion: results.SchemaVersion, Tool: "oranbench", Shard: &results.Shard{Index: i, Count: 2}, Interrupted: i == 1}
		if err := results.WriteJSON(filepath.Join(d, results.ResultsFile), r); err != nil {
			t.Fatal(err)
		}
		args = append(args, d)
	}
	code, stdout, stderr := run(t, append([]string{"report", "--merge", "--out", filepath.Join(dir, "merged")}, args...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "shard 1/2") || !strings.Contains(stdout, "was interrupted: the merged report is partial") {
		t.Errorf("stdout does not say a shard was interrupted:\n%s", stdout)
	}
}
