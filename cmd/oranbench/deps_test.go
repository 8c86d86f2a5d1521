package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestTheBinaryShipsNoTestHelpers: the leak check served its subjects from
// net/http/httptest and the watcher's test Porch (watchertest), so both were
// linked into oranbench. The binary's dependencies hold neither now.
func TestTheBinaryShipsNoTestHelpers(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH to list the binary's dependencies")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps listed %d packages, want the binary's whole graph", len(deps))
	}
	for _, d := range deps {
		if d == "net/http/httptest" || strings.HasSuffix(d, "/watchertest") {
			t.Errorf("oranbench links the test helper %s", d)
		}
	}
}
