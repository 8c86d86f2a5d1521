package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// editResults rewrites the results.json in dir with f.
func editResults(t *testing.T, dir string, f func(*results.Results)) {
	t.Helper()
	p := filepath.Join(dir, results.ResultsFile)
	r, err := results.ReadJSON(p)
	if err != nil {
		t.Fatal(err)
	}
	f(r)
	if err := results.WriteJSON(p, r); err != nil {
		t.Fatal(err)
	}
}

func oneLine(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && !strings.Contains(s, "\n")
}

// F5: NaN and infinite percentages compared false with every bound, so
// "NaN%" passed the range check and switched the gate off (exit 0 on a run
// that lost 20% of its req/s).
func TestComparePercentFlagsRefuseNaNAndInfinities(t *testing.T) {
	root := t.TempDir()
	old, regressed := filepath.Join(root, "old"), filepath.Join(root, "new")
	compareFixture(t, old, 1)
	compareFixture(t, regressed, 0.8)
	for _, args := range [][]string{
		{"--tolerance", "NaN%"}, {"--tolerance", "nan"}, {"--tolerance", "Inf%"}, {"--tolerance", "-Inf"}, {"--tolerance", "+Infinity%"},
		{"--noise-floor", "NaN%"}, {"--noise-floor", "Inf"}, {"--noise-floor", "p50=NaN%"}, {"--noise-floor", "req_per_s=inf%,5%"},
		{"--cross-machine-floor", "NaN%"}, {"--cross-machine-floor", "Inf%"}, {"--cross-machine-floor", "-5%"},
	} {
		code, _, stderr := run(t, append(append([]string{"compare"}, args...), old, regressed)...)
		if code != exitUsage || !oneLine(stderr) || !strings.Contains(stderr, args[0]) || !strings.Contains(stderr, "percentage") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line naming the flag", args, code, stderr)
		}
	}
	if code, _, _ := run(t, "compare", "--tolerance", "5%", "--noise-floor", "10%", old, regressed); code != exitFailed {
		t.Errorf("finite percentages: exit %d, want 1 on the regression", code)
	}
}

// Runs from different CPU models do not gate by default: ratios move with
// the CPU too. One warning line says so and points at --rerun.
func TestCompareAcrossMachinesWarnsExitsZeroAndGatesOnlyWithAFloor(t *testing.T) {
	root := t.TempDir()
	old, regressed := filepath.Join(root, "old"), filepath.Join(root, "new")
	compareFixture(t, old, 1)
	compareFixture(t, regressed, 0.8) // tuned 20% fewer req/s, 25% slower
	editResults(t, old, func(r *results.Results) { r.Machine.CPUModel = "AMD EPYC" })
	editResults(t, regressed, func(r *results.Results) { r.Machine.CPUModel = "Intel Xeon" })

	code, stdout, stderr := run(t, "compare", old, regressed)
	if code != exitOK || !oneLine(stderr) || !strings.Contains(stderr, `CPU model "AMD EPYC" vs "Intel Xeon"`) || !strings.Contains(stderr, "--rerun") {
		t.Fatalf("different CPU models: exit %d, stderr %q; want 0 and one warning naming the CPUs and --rerun", code, stderr)
	}
	if !strings.Contains(stdout, "nothing gates") || !strings.Contains(stdout, "-20.0%") {
		t.Errorf("the table should still show the change and say nothing gates:\n%s", stdout)
	}
	// A floor the user gives gates anyway: 20% and 25% exceed 10% ...
	code, _, stderr = run(t, "compare", "--cross-machine-floor", "10%", old, regressed)
	if code != exitFailed || !strings.Contains(stderr, "tuned/default req/s ratio -20.0%") || strings.Contains(stderr, "warning") {
		t.Fatalf("--cross-machine-floor 10%%: exit %d, stderr %q; want 1 on the ratio regression", code, stderr)
	}
	// ... but not 30%.
	if code, stdout, stderr := run(t, "compare", "--cross-machine-floor", "30%", old, regressed); code != exitOK {
		t.Fatalf("--cross-machine-floor 30%%: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// Go version and CPU count count as another machine too.
	editResults(t, regressed, func(r *results.Results) {
		r.Machine.CPUModel, r.Machine.GoVersion, r.Machine.NumCPU = "AMD EPYC", "go1.99.0", 64
	})
	if code, _, stderr := run(t, "compare", old, regressed); code != exitOK || !strings.Contains(stderr, "2 vs 64 CPUs") || !strings.Contains(stderr, "go1.99.0") {
		t.Fatalf("different Go and CPU count: exit %d, stderr %q", code, stderr)
	}
}

// The committed example against a copy of itself "run" on another CPU.
func TestCompareTheExampleWithAFakedCPUModelWarnsAndExitsZero(t *testing.T) {
	src := filepath.Join("..", "..", "reports", "examples", results.ResultsFile)
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, results.ResultsFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	editResults(t, other, func(r *results.Results) { r.Machine.CPUModel = "Intel Xeon" })
	code, stdout, stderr := run(t, "compare", src, other)
	if code != exitOK || !oneLine(stderr) || !strings.Contains(stderr, "warning: runs from different machines") || !strings.Contains(stderr, `"Intel Xeon"`) {
		t.Fatalf("exit %d, stderr %q; want 0 and one warning", code, stderr)
	}
	if !strings.Contains(stdout, `**Not gated**: the runs come from different machines or Go versions (OLD and NEW: CPU model "AMD EPYC" vs "Intel Xeon")`) {
		t.Errorf("want nothing gated:\n%s", stdout[:min(len(stdout), 2000)])
	}
}

// F14: a comparison with nothing in common passed as "No regression".
func TestCompareWithNothingInCommonExitsTwoNamingTheSide(t *testing.T) {
	root := t.TempDir()
	old := filepath.Join(root, "old")
	compareFixture(t, old, 1)
	fixture := func(name string, f func(*results.Results)) string {
		dir := filepath.Join(root, name)
		compareFixture(t, dir, 1)
		editResults(t, dir, f)
		return dir
	}
	empty := fixture("empty", func(r *results.Results) { r.Scenarios = []results.Scenario{} })
	other := fixture("other", func(r *results.Results) { r.Scenarios[0].Name = "porch-h2" })
	interrupted := fixture("interrupted", func(r *results.Results) {
		r.Interrupted = true
		r.Scenarios[0].Arms = r.Scenarios[0].Arms[:1]
	})
	noArm := fixture("noarm", func(r *results.Results) {
		for i := range r.Scenarios[0].Arms {
			r.Scenarios[0].Arms[i].Name += "-x"
		}
	})
	for _, c := range []struct {
		old, new string
		want     []string
	}{
		{old, empty, []string{"NEW " + empty, "no scenarios"}},
		{empty, old, []string{"OLD " + empty, "no scenarios"}},
		{old, other, []string{"no scenario in common", "OLD ran seed-20-concurrent", "NEW ran porch-h2"}},
		{old, interrupted, []string{"NEW " + interrupted, "interrupted"}},
		{interrupted, old, []string{"OLD " + interrupted, "interrupted"}},
		{old, noArm, []string{"no arm", "default, tuned"}},
	} {
		code, stdout, stderr := run(t, "compare", c.old, c.new)
		ok := code == exitUsage && oneLine(stderr) && !strings.Contains(stdout, "No regression")
		for _, w := range c.want {
			ok = ok && strings.Contains(stderr, w)
		}
		if !ok {
			t.Errorf("compare %s %s: exit %d, stderr %q, stdout %q; want 2 and one line with %q", filepath.Base(c.old), filepath.Base(c.new), code, stderr, stdout, c.want)
		}
	}
}

// F15: a failing --rerun child gave a three-line error. One line now, with
// the child's last line and where its whole log is.
func TestCompareRerunChildErrorIsOneLine(t *testing.T) {
	root := t.TempDir()
	bad := filepath.Join(root, "bad")
	if err := os.WriteFile(bad, []byte("#!/bin/sh\necho 'some progress'\necho 'oranbench: scenario x.yaml: field y: bad' >&2\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "runs")
	code, _, stderr := run(t, "compare", "--rerun", "--out", out, bad, bad, "seed-20-concurrent")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := lines[len(lines)-1]
	if code != exitUsage || !strings.Contains(last, "exited 2 in round 1/4: oranbench: scenario x.yaml: field y: bad") || !strings.Contains(last, filepath.Join(out, "old-1.log")) {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "compare --rerun: ") {
			t.Errorf("stray stderr line %q", l)
		}
	}
}

// procAlive reports whether pid is still a live process (not gone, not a
// zombie waiting for a reaper) 5 seconds on: a SIGKILL takes effect when
// the process is next scheduled, a moment after kill(2) returns.
func procAlive(t *testing.T, pid string) bool {
	t.Helper()
	live := func() bool {
		b, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
		if err != nil {
			return false
		}
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 && len(s) > i+2 {
			return s[i+2] != 'Z'
		}
		return true
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if !live() {
			return false
		}
		time.Sleep(20 * time.Millisecond) // another process's death: /proc is all there is to watch
	}
	return live()
}

// waitFile waits for a file a child writes and returns its trimmed text.
func waitFile(t *testing.T, path string, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if b, err := os.ReadFile(path); err == nil && strings.HasSuffix(string(b), "\n") {
			return strings.TrimSpace(string(b))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not written within %v", path, within)
		}
		time.Sleep(20 * time.Millisecond) // polling a file another process writes: no signal to wait on
	}
}

// wrapperScript writes a stand-in for a build: a shell script that starts a
// long sleep in the background (its "run", which, started in the
// background, ignores SIGINT), records both pids, and waits. With trapINT
// it exits 130 on SIGINT and notes it got one; without, it ignores SIGINT
// (a hung build).
func wrapperScript(t *testing.T, dir string, trapINT bool) string {
	t.Helper()
	trap := "trap '' INT"
	if trapINT {
		trap = "trap 'echo INT >> " + filepath.Join(dir, "signals") + "; exit 130' INT"
	}
	body := "#!/bin/sh\n" + trap + "\nsleep 300 &\necho $! > " + filepath.Join(dir, "sleeper.pid") + "\necho $$ > " + filepath.Join(dir, "script.pid") +
		"\nwhile :; do wait; done\n"
	p := filepath.Join(dir, "build")
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// F9: SIGINT to compare --rerun killed the child with SIGKILL (no partial
// report), left a wrapper's children running and exited 2. Now the child's
// process group gets the SIGINT, then everything in it is killed and
// reaped, and compare exits 130.
func TestSIGINTToCompareRerunForwardsItReapsTheGroupAndExits130(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks processes in /proc, which only Linux has; this is " + runtime.GOOS)
	}
	dir := t.TempDir()
	build := wrapperScript(t, dir, true)
	cmd := exec.Command(os.Args[0], "compare", "--rerun", "--out", filepath.Join(dir, "runs"), build, build, "seed-20-concurrent")
	cmd.Env = append(os.Environ(), cliEnv+"=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sleeper, script := waitFile(t, filepath.Join(dir, "sleeper.pid"), 30*time.Second), waitFile(t, filepath.Join(dir, "script.pid"), 30*time.Second)
	start := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want %d; stderr:\n%s", err, exitInterrupted, stderr.String())
	}
	if took := time.Since(start); took > rerunGrace {
		t.Errorf("took %v to stop; the child exits on SIGINT, so well within the %v grace", took, rerunGrace)
	}
	if got := waitFile(t, filepath.Join(dir, "signals"), 5*time.Second); got != "INT" {
		t.Errorf("the child got %q, want SIGINT", got)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "interrupted in round 1/4 while OLD ran") || !strings.Contains(last, filepath.Join(dir, "runs")) {
		t.Errorf("last stderr line %q", last)
	}
	for _, pid := range []string{script, sleeper} {
		if procAlive(t, pid) {
			t.Errorf("process %s of the child's group survived compare", pid)
		}
	}
}

// F9: a build that ignores SIGINT is killed, with everything it started,
// after the grace period.
func TestRerunChildThatIgnoresSIGINTIsKilledWithItsGroup(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks processes in /proc, which only Linux has; this is " + runtime.GOOS)
	}
	defer func(g time.Duration) { rerunGrace = g }(rerunGrace)
	rerunGrace = 300 * time.Millisecond
	dir := t.TempDir()
	build := wrapperScript(t, dir, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, err := runChild(ctx, build, []string{"run"}, filepath.Join(dir, "child.log"))
		done <- result{code, err}
	}()
	sleeper, script := waitFile(t, filepath.Join(dir, "sleeper.pid"), 30*time.Second), waitFile(t, filepath.Join(dir, "script.pid"), 30*time.Second)
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("runChild did not return 30s after cancel, with a grace of 300ms")
	}
	if !errors.Is(r.err, errRerunInterrupted) {
		t.Errorf("runChild: %d, %v; want interrupted", r.code, r.err)
	}
	for _, pid := range []string{script, sleeper} {
		if procAlive(t, pid) {
			t.Errorf("process %s of the child's group survived", pid)
		}
	}
	if _, err := strconv.Atoi(sleeper); err != nil {
		t.Fatalf("sleeper pid %q", sleeper)
	}
}
