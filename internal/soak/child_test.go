package soak

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func startTestChild(t *testing.T, c testConfig, interval time.Duration) *Child {
	t.Helper()
	ch, err := StartChild(ChildOptions{Name: "test", Binary: os.Args[0], Config: c, Interval: interval, Stderr: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ch.Close)
	return ch
}

func seriesOf(t *testing.T, rs []Result, name string) Result {
	t.Helper()
	for _, r := range rs {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no series %s in %d", name, len(rs))
	return Result{}
}

// The leak control, at an accelerated rate (every 20 ms instead of every
// minute), in a child sampled from outside and inside: each of its leaks
// shows as a slope whose interval lies above 0, and the child's outcome
// comes back.
func TestALeakingChildIsFlaggedOnHeapGoroutinesAndFDs(t *testing.T) {
	ch := startTestChild(t, testConfig{LeakPeriod: 20 * time.Millisecond, Run: 2 * time.Second}, 50*time.Millisecond)
	ch.Wait(context.Background())
	var out testOutcome
	if err := ch.Outcome(&out); err != nil || out.Ran < 2*time.Second {
		t.Fatalf("outcome %+v, %v; want the run of 2s", out, err)
	}
	rs := ch.Results()
	// 50 periods per second: 50 goroutines, 3.2 MiB, 5 fds per second.
	for _, w := range []struct {
		name   string
		lo, hi float64
	}{{Goroutines, 25, 75}, {Heap, 1.6 * (1 << 20), 4.8 * (1 << 20)}, {FDs, 2, 8}} {
		f := slopeOf(t, seriesOf(t, rs, w.name))
		if f.Lo <= 0 || f.Slope < w.lo || f.Slope > w.hi {
			t.Errorf("%s: slope %.3g/s in [%.3g, %.3g]; want an interval above 0 and a slope in [%g, %g]", w.name, f.Slope, f.Lo, f.Hi, w.lo, w.hi)
		}
	}
	if ch.GCCycles() < 10 {
		t.Errorf("%d collections; want one forced per sample", ch.GCCycles())
	}
}

// A child that does not leak has flat goroutines and fds: no interval
// above 0.
func TestAQuietChildIsNotFlagged(t *testing.T) {
	ch := startTestChild(t, testConfig{Run: 1500 * time.Millisecond}, 50*time.Millisecond)
	ch.Wait(context.Background())
	rs := ch.Results()
	for _, name := range []string{Goroutines, FDs} {
		if f := slopeOf(t, seriesOf(t, rs, name)); f.Lo > 0 {
			t.Errorf("%s: slope %.3g/s in [%.3g, %.3g]; want no growth in a child that does not leak", name, f.Slope, f.Lo, f.Hi)
		}
	}
}

// Closing a child that would run for an hour stops it promptly, its
// outcome still comes back, and the process is reaped.
func TestClosingAChildStopsAndReapsIt(t *testing.T) {
	ch := startTestChild(t, testConfig{Run: time.Hour}, 20*time.Millisecond)
	deadline := time.Now().Add(30 * time.Second)
	for len(seriesOf(t, ch.Results(), Heap).Points) < 3 {
		if time.Now().After(deadline) {
			t.Fatal("no 3 samples within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	began := time.Now()
	ch.Close()
	if d := time.Since(began); d > ChildGrace/2 {
		t.Fatalf("Close took %s; want the child to stop when its stdin closes", d)
	}
	var out testOutcome
	if err := ch.Outcome(&out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(ch.Pid())); err == nil {
		t.Fatalf("child %d still there after Close", ch.Pid())
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Skip("no /proc here:", err)
	}
}

func TestAFailingChildSaysWhy(t *testing.T) {
	ch := startTestChild(t, testConfig{Fail: "no such profile"}, 50*time.Millisecond)
	ch.Wait(context.Background())
	var out testOutcome
	if err := ch.Outcome(&out); err == nil || !strings.Contains(err.Error(), "no such profile") {
		t.Fatalf("err = %v; want the child's error", err)
	}
}
