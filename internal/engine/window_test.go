package engine

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// F26: CPU per request is measured over the attack's steady part, in the
// process itself: the first WindowSkip of the attack is left out, and the
// window ends with the last request, before any teardown.
func TestSteadyWindowLeavesOutTheStart(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no getrusage")
	}
	srv, _ := sleepServer(t, time.Millisecond)
	const d = 500 * time.Millisecond
	rec, err := Run(context.Background(), Attack{Targeter: target(srv.URL), Client: newClient(t), Model: Closed, Concurrency: 2, Duration: d})
	if err != nil {
		t.Fatal(err)
	}
	w := rec.Steady
	if w.Requests <= 0 || w.Requests >= rec.Hits {
		t.Fatalf("window holds %d of %d requests: want some, not all (the first %v are left out)", w.Requests, rec.Hits, WindowSkip(d))
	}
	// It starts after the skip and ends with the attack: at most d - skip,
	// plus the last requests' completion on a loaded machine.
	if w.Wall <= 0 || w.Wall > d-WindowSkip(d)+5*time.Second {
		t.Fatalf("window wall %v for a %v attack skipping %v", w.Wall, d, WindowSkip(d))
	}
	if w.CPU <= 0 || w.PerRequest() <= 0 {
		t.Fatalf("window CPU %v, per request %v: want > 0", w.CPU, w.PerRequest())
	}
}

// F26: an attack bounded by its request count that ends before the skip
// is measured from its first request.
func TestSteadyWindowOfAShortAttackIsTheWholeAttack(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no getrusage")
	}
	srv, _ := sleepServer(t, 0)
	rec, err := Run(context.Background(), Attack{Targeter: target(srv.URL), Client: newClient(t), Model: Closed, Concurrency: 1, Duration: time.Hour, MaxHits: 20})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Steady.Requests != 20 {
		t.Fatalf("window holds %d requests, want all 20", rec.Steady.Requests)
	}
}
