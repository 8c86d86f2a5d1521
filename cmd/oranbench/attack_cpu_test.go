package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// F26: attack reports its own CPU per request over the steady part of the
// attack (start-up and printing excluded), which `make bench-engine` reads
// instead of the whole process's user+sys, and --cpuprofile profiles the
// attack.
func TestAttackReportsItsSteadyCPUAndProfilesTheAttack(t *testing.T) {
	url, _ := countingServer(t)
	prof := filepath.Join(t.TempDir(), "cpu.pprof")
	code, out, errOut := run(t, "attack", "--url", url, "--concurrency", "4", "--duration", "20s",
		"--max-requests", "200", "--json", "--cpuprofile", prof)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	res := attackJSON(t, out)
	s := res.Steady
	// 200 requests end long before the window's 1 s skip: the window is
	// the whole attack.
	if s == nil || s.Requests != 200 || s.CPUPerRequestMus <= 0 || s.WallSeconds <= 0 {
		t.Fatalf("steady %+v: want 200 requests with CPU and wall time", s)
	}
	if fi, err := os.Stat(prof); err != nil || fi.Size() == 0 {
		t.Fatalf("cpu profile: %v (size %v)", err, fi)
	}
	code, out, errOut = run(t, "attack", "--url", url, "--concurrency", "2", "--duration", "20s", "--max-requests", "20")
	if code != exitOK || !strings.Contains(out, "CPU (steady window)") {
		t.Fatalf("exit %d, text output lacks the CPU line:\n%s%s", code, out, errOut)
	}
}
