package main

import (
	"bufio"
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

func TestASoakTooShortToFitASlopeExitsTwoNamingTheMinimum(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"with the default warm-up", []string{"soak", "--duration", "5s", "--out", t.TempDir()}, "minimum 30s"},
		{"with a given warm-up", []string{"soak", "--duration", "10s", "--warmup", "2s", "--out", t.TempDir()}, "minimum 30s"},
		{"at a faster interval", []string{"soak", "--duration", "1s", "--interval", "100ms", "--out", t.TempDir()}, "minimum 3s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := run(t, c.args...)
			if code != exitUsage || !strings.Contains(errOut, "--duration") || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stderr %q; want %d naming --duration and the %s", code, errOut, exitUsage, c.want)
			}
		})
	}
}

// childrenOf lists the processes pid has started and not yet reaped.
func childrenOf(pid int) []string {
	tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "children"))
	var out []string
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		out = append(out, strings.Fields(string(b))...)
	}
	return out
}

func TestSIGINTDuringASoakWritesAPartialReportExits130AndLeavesNoChild(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads a process's children from /proc/PID/task/*/children, which only Linux has; this is " + runtime.GOOS)
	}
	out := t.TempDir()
	cmd := exec.Command(os.Args[0], "soak", "--duration", "60s", "--interval", "50ms", "--warmup", "250ms", "--out", out)
	cmd.Env = append(os.Environ(), cliEnv+"=1", "CI=true")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var log []string
	deadline := time.After(60 * time.Second)
	for started := false; !started; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("oranbench ended before the first phase; stderr:\n%s", strings.Join(log, "\n"))
			}
			log = append(log, l)
			started = strings.Contains(l, "phase 1/3")
		case <-deadline:
			_ = cmd.Process.Kill()
			t.Fatalf("no phase started within 60s; stderr:\n%s", strings.Join(log, "\n"))
		}
	}
	// Into the first phase (20 s) far enough for 8 samples after its warm-up
	// (0.65 s; 20 samples are due every second): six times that, for a
	// loaded machine.
	time.Sleep(4 * time.Second)
	kids := childrenOf(cmd.Process.Pid)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for l := range lines {
		log = append(log, l)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want %d; stderr:\n%s", err, exitInterrupted, strings.Join(log, "\n"))
	}
	if !strings.Contains(strings.Join(log, "\n"), "partial") {
		t.Errorf("stderr does not say the report is partial:\n%s", strings.Join(log, "\n"))
	}
	report, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil || !strings.Contains(string(report), "**Partial:**") || !strings.Contains(string(report), "interrupted, this report is partial") {
		t.Fatalf("REPORT.md (%v) is not marked partial:\n%s", err, report)
	}
	res, err := results.ReadJSON(filepath.Join(out, results.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Scenarios) != 1 || res.Scenarios[0].Soak == nil || !res.Scenarios[0].Soak.Partial || len(res.Scenarios[0].Soak.Phases) != 1 {
		t.Fatalf("results.json holds %+v; want the soak, partial, with its first phase", res.Scenarios)
	}
	for _, se := range res.Scenarios[0].Soak.Phases[0].Series {
		if se.Name == results.SoakHeap && se.Slope == nil {
			t.Errorf("the interrupted phase's heap series has no slope: %+v", se)
		}
	}
	// The mock ran as a child; it must be gone (stopped and reaped), not
	// left running or as a zombie.
	if len(kids) == 0 {
		t.Fatalf("oranbench had no child process during the soak; want the isolated mock (stderr:\n%s)", strings.Join(log, "\n"))
	}
	for _, k := range kids {
		if _, err := os.Stat(filepath.Join("/proc", k)); !errors.Is(err, os.ErrNotExist) {
			b, _ := os.ReadFile(filepath.Join("/proc", k, "stat"))
			t.Errorf("child %s is still there after oranbench exited: %s", k, b)
		}
	}
}

// F15: soak --rate -1, 0 and NaN were dropped for the scenario's rate; they
// are refused with the bound a scenario's load.rate gets.
func TestASoakRefusesARateAScenarioWouldRefuse(t *testing.T) {
	for _, r := range []string{"-1", "0", "NaN", "Inf"} {
		code, _, errOut := run(t, "soak", "--rate", r, "--out", t.TempDir())
		if code != exitUsage || !strings.Contains(errOut, "--rate") || !strings.Contains(errOut, "<= 1e6") {
			t.Errorf("--rate %s: exit %d, stderr %q; want %d naming --rate and its bound", r, code, errOut, exitUsage)
		}
	}
}
