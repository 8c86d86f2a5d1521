package soak

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
)

// The negative controls: variants that leak on purpose, built only here.
// Each runs the sampler at a sub-second interval while it leaks and must
// yield a slope whose 95% interval lies above 0 for the leaking series.

const (
	controlInterval = 25 * time.Millisecond
	controlRun      = 1500 * time.Millisecond
	leakEvery       = 50 * time.Millisecond
)

// sampleWhile samples this process while leak runs once per leakEvery for
// controlRun, and returns the named series.
func sampleWhile(t *testing.T, name string, leak func()) Result {
	t.Helper()
	s := Start(context.Background(), Options{Interval: controlInterval, Sources: ProcessSources(netip.AddrPort{})})
	tick := time.NewTicker(leakEvery)
	defer tick.Stop()
	for end := time.Now().Add(controlRun); time.Now().Before(end); {
		<-tick.C
		leak()
	}
	for _, r := range s.Stop() {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no series %s", name)
	return Result{}
}

func slopeOf(t *testing.T, r Result) analysis.SlopeFit {
	t.Helper()
	if r.Unavailable != nil {
		if runtime.GOOS == "linux" {
			// Linux has every source: a series it cannot read is a bug,
			// not a reason for the control to pass silently.
			t.Fatalf("series %s not measured on linux: %v", r.Name, r.Unavailable)
		}
		t.Skipf("series %s cannot be read on %s: %v", r.Name, runtime.GOOS, r.Unavailable)
	}
	var xs, ys []float64
	for _, p := range r.Points {
		xs, ys = append(xs, p.T.Seconds()), append(ys, p.V)
	}
	f, ok := analysis.TheilSen(xs, ys, 0.95)
	if !ok {
		t.Fatalf("%s: no fit from %d points", r.Name, len(r.Points))
	}
	return f
}

func TestTheGoroutineLeakingControlIsDetected(t *testing.T) {
	stop := make(chan struct{})
	done := make(chan struct{})
	n := 0
	r := sampleWhile(t, Goroutines, func() {
		n++
		go func() { <-stop; done <- struct{}{} }() // leaked until the test ends
	})
	close(stop)
	for range n {
		<-done
	}
	f := slopeOf(t, r)
	// 1 goroutine per 50 ms is 20/s.
	if f.Lo <= 0 || f.Slope < 10 || f.Slope > 30 {
		t.Fatalf("goroutine slope %.2f/s in [%.2f, %.2f]; want an interval above 0 near 20/s", f.Slope, f.Lo, f.Hi)
	}
}

var retained [][]byte

func TestTheMemoryLeakingControlIsDetected(t *testing.T) {
	defer func() { retained = nil }()
	r := sampleWhile(t, Heap, func() {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = byte(i) // touched, so resident too
		}
		retained = append(retained, b)
	})
	f := slopeOf(t, r)
	// 1 MiB per 50 ms is 20 MiB/s.
	const mib = 1 << 20
	if f.Lo <= 0 || f.Slope < 10*mib || f.Slope > 30*mib {
		t.Fatalf("heap slope %.1f MiB/s in [%.1f, %.1f]; want an interval above 0 near 20 MiB/s", f.Slope/mib, f.Lo/mib, f.Hi/mib)
	}
}

func TestTheFDLeakingControlIsDetected(t *testing.T) {
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	r := sampleWhile(t, FDs, func() {
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Error(err)
			return
		}
		files = append(files, f)
	})
	f := slopeOf(t, r)
	if f.Lo <= 0 || f.Slope < 10 || f.Slope > 30 {
		t.Fatalf("fd slope %.2f/s in [%.2f, %.2f]; want an interval above 0 near 20/s", f.Slope, f.Lo, f.Hi)
	}
}

func TestAnUnreadableSourceIsNotMeasuredAndTheOthersRun(t *testing.T) {
	old := procSelf
	procSelf = t.TempDir() // no statm, no fd
	defer func() { procSelf = old }()
	s := Start(context.Background(), Options{Interval: 10 * time.Millisecond, Sources: ProcessSources(netip.AddrPort{})})
	time.Sleep(100 * time.Millisecond)
	for _, r := range s.Stop() {
		switch r.Name {
		case RSS, FDs, Threads, TimeWait:
			if !errors.Is(r.Unavailable, ErrUnavailable) || len(r.Points) != 0 {
				t.Errorf("%s: unavailable %v with %d points; want not measured", r.Name, r.Unavailable, len(r.Points))
			}
		default:
			if r.Unavailable != nil || len(r.Points) < 3 {
				t.Errorf("%s: unavailable %v with %d points; want it sampled", r.Name, r.Unavailable, len(r.Points))
			}
		}
	}
}
