package scenarios

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oranbench/oranbench/internal/soak"
	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios/scenario"
)

const soakDoc = `apiVersion: oranbench/v1
kind: Scenario
name: short-soak
backend:
  isolation: in-process
  faults: {errorRates: {500: 0.05}}
mix:
  - route: a1.policy.put
  - route: e2.indications.list
load:
  model: soak
  rate: 100
  soak: {sampleEvery: 100ms, intentsPerSec: 20, workers: 2}
arms: [default, tuned]
duration: 9s
warmup: 200ms
`

// Issue 25: every subject runs at once in a child process of its own; the
// leak control, at an accelerated rate (every 100 ms instead of every
// minute), is flagged beside them.
func TestASoakRunsEverySubjectInItsOwnProcessAndFlagsTheLeakControl(t *testing.T) {
	// Not parallel: it sets the leak's speed-up, which the parallel soaks
	// read; they resume only once this has returned.
	defer func(old float64) { soakLeakSpeedup = old }(soakLeakSpeedup)
	soakLeakSpeedup = float64(soak.LeakEvery / (100 * time.Millisecond))
	s := mustParse(t, soakDoc)
	res, err := Run(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sk := res.Soak
	if sk == nil || sk.Partial || !sk.Concurrent || len(sk.Phases) != 5 {
		t.Fatalf("soak = %+v; want 5 complete phases: 2 arms, the watcher, the leak control and the harness", sk)
	}
	pids := map[int]bool{}
	for i, want := range []string{"default", "tuned", scenario.WatcherPhase, SoakControl, SoakHarness} {
		ph := sk.Phases[i]
		names := soak.ChildNames()
		if want == SoakHarness {
			names = soak.Names()
		}
		if ph.Name != want || len(ph.Series) != len(names) || ph.PID == 0 || pids[ph.PID] {
			t.Fatalf("phase %d = %s (pid %d) with %d series; want %s in a process of its own with %d series", i, ph.Name, ph.PID, len(ph.Series), want, len(names))
		}
		pids[ph.PID] = true
		if want != SoakHarness && (ph.Requests < 30 || ph.Elapsed < 8*time.Second) {
			t.Errorf("subject %s: %d requests in %s; want the whole 9 s of load", want, ph.Requests, ph.Elapsed)
		}
		for _, se := range ph.Series {
			if se.NotMeasured != "" {
				if runtime.GOOS == "linux" {
					t.Errorf("%s/%s not measured on Linux: %s", ph.Name, se.Name, se.NotMeasured)
				}
				continue
			}
			if se.Slope == nil || se.Slope.N < 8 || se.Slope.Lo > se.Slope.PerHour || se.Slope.Hi < se.Slope.PerHour || se.Slope.Resolution <= 0 {
				t.Errorf("%s/%s: slope %+v from %d points; want a fit with its interval and resolution", ph.Name, se.Name, se.Slope, len(se.Points))
			}
		}
	}
	if pids[os.Getpid()] != true {
		t.Errorf("no row is the harness's own process %d", os.Getpid())
	}
	if present, flagged, detail := analysis.LeakControl(sk); !present || !flagged {
		t.Fatalf("leak control present %v, flagged %v (%s); want it flagged", present, flagged, detail)
	}
	if !strings.Contains(sk.Load, "HTTP 500") || !strings.Contains(sk.Layout, "process of its own") {
		t.Fatalf("load %q, layout %q; want the faults and the layout named", sk.Load, sk.Layout)
	}
}

func TestAnInterruptedSoakKeepsWhatRanAndSaysItIsPartial(t *testing.T) {
	t.Parallel() // mostly waits for its cancel; the 4 s bound on stopping is generous
	s := mustParse(t, strings.Replace(soakDoc, "duration: 9s", "duration: 60s", 1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled atomic.Int64 // when, in Unix nanoseconds
	// 5 s into the soak: past its warm-up, with samples to fit even on a
	// loaded machine.
	onRun := func(RunInfo) ResultFunc {
		time.AfterFunc(5*time.Second, func() { cancelled.Store(time.Now().UnixNano()); cancel() })
		return nil
	}
	res, err := Run(ctx, s, Options{OnRun: func(ri RunInfo) ResultFunc {
		if ri.Arm == "default" {
			return onRun(ri)
		}
		return nil
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// Promptly: well before the 60 s the soak would run, and within the
	// children's grace. A child drains as it stops: beside another soak on
	// a loaded 2-CPU machine the watcher's child took up to 8.5 s.
	if d := time.Since(time.Unix(0, cancelled.Load())); d > 12*time.Second {
		t.Fatalf("the soak ran on for %s after the cancel; want it to stop promptly", d)
	}
	sk := res.Soak
	if sk == nil || !sk.Partial || len(sk.Phases) != 5 {
		t.Fatalf("soak = %+v; want every subject, partial", sk)
	}
	for _, ph := range sk.Phases {
		if ph.Name == SoakHarness {
			// The harness row samples this test process, which the
			// package's parallel tests share: its forced collections
			// may leave it too few points to fit in 5 s.
			continue
		}
		if se := ph.Series[1]; se.Slope == nil { // heap: measured in every child
			t.Fatalf("heap series of %s has no slope: %+v", ph.Name, se)
		}
	}
}

// Issue 25 item 6: a running soak hands out its figures so far at each
// checkpoint, marked as a checkpoint; the final result is not one.
func TestASoakHandsOutCheckpointsWhileItRuns(t *testing.T) {
	t.Parallel() // counts checkpoints, with a generous margin
	s := mustParse(t, soakDoc)
	var mu sync.Mutex
	var cps []results.Scenario
	res, err := Run(context.Background(), s, Options{SoakCheckpointEvery: time.Second, SoakCheckpoint: func(sc results.Scenario) {
		mu.Lock()
		defer mu.Unlock()
		cps = append(cps, sc)
	}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(cps) < 3 { // 9 s at one a second
		t.Fatalf("%d checkpoints in a 9 s soak; want one a second", len(cps))
	}
	for _, cp := range cps {
		if cp.Soak == nil || !cp.Soak.Partial || cp.Soak.Checkpoint <= 0 || len(cp.Soak.Phases) != 5 {
			t.Fatalf("checkpoint %+v; want the 5 rows so far, marked as a checkpoint", cp.Soak)
		}
	}
	if res.Soak.Checkpoint != 0 || res.Soak.Partial {
		t.Fatalf("final soak marked checkpoint %s, partial %v; want neither", res.Soak.Checkpoint, res.Soak.Partial)
	}
}
