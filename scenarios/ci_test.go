package scenarios

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

// The CI-sized set covers what a change to the shipped code can break: the
// pool, HTTP/2 negotiation, a latency-bound case. Each scenario has a
// baseline arm and another, so within-run ratios gate, and enough
// repetitions that --rerun's rounds pool past the test's minimum p-value.
func TestTheCISetParsesAndStaysSmall(t *testing.T) {
	set, err := scenario.CISet()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var total time.Duration
	for _, f := range set {
		names = append(names, f.Name)
		p, err := Load(f.Name, transport.NewRegistry())
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if arms := p.Arms(); len(arms) < 2 || arms[0] != transport.ProfileDefault {
			t.Errorf("%s: arms %v, want the default transport first and another arm", f.Name, arms)
		}
		if _, _, reps := p.Effective(false); reps < 3 {
			t.Errorf("%s: %d repetitions, want at least 3 (x 4 rounds of --rerun: 12 a side)", f.Name, reps)
		}
		total += p.Planned(false)
	}
	if !slices.Equal(names, []string{"ci-h2", "ci-latency", "ci-pool"}) {
		t.Errorf("CI set %v", names)
	}
	// 4 rounds of two builds run the set 8 times: keep it to about 2 minutes
	// on two CPUs, start-up included.
	if total > 16*time.Second {
		t.Errorf("the CI set plans %v of load per run, want at most 16s", total)
	}
	for _, b := range BuiltinNames() {
		if slices.Contains(names, b) {
			t.Errorf("%s is both built in and in the CI set", b)
		}
	}
	dir := t.TempDir()
	paths, err := WriteCISet(dir)
	if err != nil || len(paths) != len(set) {
		t.Fatalf("WriteCISet: %v, %v", paths, err)
	}
	for _, p := range paths {
		if _, err := Load(p, transport.NewRegistry()); err != nil || filepath.Dir(p) != dir {
			t.Errorf("%s: %v", p, err)
		}
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
}
