package leakcheck

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/targets/transport"
)

func TestTheShippedTargetsPassFiftyCycles(t *testing.T) {
	// Default cycle count; a lighter load per cycle keeps the test quick
	// under -race (the CLI runs the defaults).
	opts := Options{Requests: 16, Concurrency: 4}
	rep, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	profiles := transport.NewRegistry().Profiles()
	if len(rep.Phases) != 1+len(profiles) {
		t.Fatalf("%d phases, want the watcher plus %d profiles", len(rep.Phases), len(profiles))
	}
	for _, ph := range rep.Phases {
		wantWork := int64(DefaultCycles * opts.Requests)
		if ph.Name == "watcher" {
			wantWork = DefaultCycles * DefaultFilesPerCycle
		}
		t.Logf("%-24s cycles %d work %d dials %d close p50 %v p99 %v max %v goroutines %d→%d",
			ph.Name, ph.Cycles, ph.Work, ph.Dials, ph.CloseP50, ph.CloseP99, ph.CloseMax, ph.GoroutinesBefore, ph.GoroutinesAfter)
		if ph.Cycles != DefaultCycles || ph.Work != wantWork || ph.Errors != 0 {
			t.Errorf("%s: %d cycles, work %d, errors %d (%s); want %d cycles, work %d, no errors",
				ph.Name, ph.Cycles, ph.Work, ph.Errors, ph.FirstError, DefaultCycles, wantWork)
		}
		if len(ph.LeakedStacks) != 0 {
			t.Errorf("%s leaked:\n%s", ph.Name, strings.Join(ph.LeakedStacks, "\n\n"))
		}
	}
	if rep.Phases[0].CloseMax > time.Second {
		t.Errorf("slowest watcher Close took %v, want well under the 1 s metrics-shutdown bound", rep.Phases[0].CloseMax)
	}
	if rep.Leaked() || rep.Errors() != 0 || rep.GoroutinesAfter > rep.GoroutinesBefore {
		t.Fatalf("Leaked %v, errors %d, goroutines %d→%d; want no leak, no error, no growth",
			rep.Leaked(), rep.Errors(), rep.GoroutinesBefore, rep.GoroutinesAfter)
	}
	t.Logf("goroutines %d→%d, heap %d→%d bytes, %v", rep.GoroutinesBefore, rep.GoroutinesAfter, rep.HeapBefore, rep.HeapAfter, rep.Duration)
}

// TestALeakedGoroutineIsReportedWithItsStack is the negative control: a
// goroutine started on purpose after one cycle must make the report fail and
// name the phase it leaked in.
func TestALeakedGoroutineIsReportedWithItsStack(t *testing.T) {
	release := make(chan struct{})
	exited := make(chan struct{})
	leaked := false
	opts := Options{
		Cycles:   3,
		Requests: 4,
		Profiles: []transport.Profile{transport.DefaultProfile(), transport.TunedProfile()},
		afterCycle: func(phase string, cycle int) {
			if phase == "transport/default" && cycle == 1 {
				leaked = true
				go leakOnPurpose(release, exited)
			}
		},
	}
	rep, err := Run(context.Background(), opts)
	close(release)
	if leaked {
		<-exited
	}
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !rep.Leaked() || len(rep.LeakedStacks) != 1 || !strings.Contains(rep.LeakedStacks[0], "leakOnPurpose") {
		t.Fatalf("Leaked %v with %d stacks %q, want exactly the leakOnPurpose goroutine", rep.Leaked(), len(rep.LeakedStacks), rep.LeakedStacks)
	}
	byName := map[string]int{}
	for _, ph := range rep.Phases {
		byName[ph.Name] = len(ph.LeakedStacks)
	}
	want := map[string]int{"watcher": 0, "transport/default": 1, "transport/tuned": 1}
	for name, n := range want {
		if byName[name] != n {
			t.Errorf("phase %s reports %d leaked goroutines, want %d (all: %v)", name, byName[name], n, byName)
		}
	}
	data, err := json.Marshal(rep)
	if err != nil || !strings.Contains(string(data), `"leaked_stacks":["Goroutine`) {
		t.Fatalf("JSON report = %.200s (err %v), want leaked stacks in it", data, err)
	}
}

func leakOnPurpose(release <-chan struct{}, exited chan<- struct{}) {
	defer close(exited)
	<-release
}

func TestRunRejectsBadOptions(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"negative cycles", Options{Cycles: -1}, "Cycles = -1"},
		{"negative concurrency", Options{Concurrency: -2}, "Concurrency = -2"},
		{"negative request timeout", Options{RequestTimeout: -time.Second}, "RequestTimeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Run(context.Background(), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) || len(rep.Phases) != 0 {
				t.Fatalf("Run error = %v with %d phases, want an error naming %q and no phase run", err, len(rep.Phases), tc.want)
			}
		})
	}
}

func TestACancelledContextStopsTheCycles(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := Run(ctx, Options{Cycles: 5})
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("Run error = %v, want context canceled", err)
	}
	for _, ph := range rep.Phases {
		if ph.Cycles != 0 {
			t.Fatalf("phase %s ran %d cycles after cancel, want 0", ph.Name, ph.Cycles)
		}
	}
	if rep.Leaked() {
		t.Fatalf("a cancelled run leaked: %v", rep.LeakedStacks)
	}
}

func TestQuantilesUseNearestRank(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	cases := []struct {
		name          string
		in            []time.Duration
		p50, p99, max time.Duration
	}{
		{"no samples give zeros", nil, 0, 0, 0},
		{"one sample is every quantile", ms(7), 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond},
		{"unsorted input is sorted first", ms(5, 1, 3, 2, 4), 3 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p50, p99, mx := quantiles(tc.in)
			if p50 != tc.p50 || p99 != tc.p99 || mx != tc.max {
				t.Fatalf("quantiles = %v %v %v, want %v %v %v", p50, p99, mx, tc.p50, tc.p99, tc.max)
			}
		})
	}
}
