package scenarios

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oranbench/oranbench/internal/soak"
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

func TestASoakSamplesEveryArmAndTheWatcherAndFitsSlopes(t *testing.T) {
	t.Parallel() // asserts counts and structure, not timing; its own mock
	s := mustParse(t, soakDoc)
	res, err := Run(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sk := res.Soak
	if sk == nil || sk.Partial || len(sk.Phases) != 3 {
		t.Fatalf("soak = %+v; want 3 complete phases", sk)
	}
	for i, want := range []string{"default", "tuned", scenario.WatcherPhase} {
		ph := sk.Phases[i]
		if ph.Name != want || ph.Requests < 30 || len(ph.Series) != len(soak.Names()) {
			t.Fatalf("phase %d = %s with %d requests and %d series; want %s with ≥ 30 requests and %d series", i, ph.Name, ph.Requests, len(ph.Series), want, len(soak.Names()))
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
		if i < 2 && ph.Failures == 0 {
			t.Errorf("phase %s: no failures; the mock injects 5%% HTTP 500", ph.Name)
		}
	}
	if !strings.Contains(sk.Load, "HTTP 500") || !strings.Contains(sk.Layout, "one after another") {
		t.Fatalf("load %q, layout %q; want the faults and the layout named", sk.Load, sk.Layout)
	}
}

func TestAnInterruptedSoakKeepsWhatRanAndSaysItIsPartial(t *testing.T) {
	t.Parallel() // mostly waits for its cancel; the 4 s bound on stopping is generous
	s := mustParse(t, strings.Replace(soakDoc, "duration: 9s", "duration: 60s", 1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled atomic.Int64 // when, in Unix nanoseconds
	// 5 s into the first phase (20 s): past its warm-up, with samples to fit
	// even on a loaded machine.
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
	if d := time.Since(time.Unix(0, cancelled.Load())); d > 4*time.Second {
		t.Fatalf("the soak ran on for %s after the cancel; want it to stop promptly", d)
	}
	sk := res.Soak
	if sk == nil || !sk.Partial || len(sk.Phases) != 1 {
		t.Fatalf("soak = %+v; want one partial phase", sk)
	}
	if se := sk.Phases[0].Series[1]; se.Slope == nil { // heap: measured everywhere
		t.Fatalf("heap series of the interrupted phase has no slope: %+v", se)
	}
}
