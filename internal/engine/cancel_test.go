package engine

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"
)

// silentListener accepts connections and never answers on them, as a hung
// backend does. It accepts until the test ends, then closes the listener
// and every connection it holds and waits for its accept loop.
func silentListener(t *testing.T) (url string, accepted func() int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return // closed by the cleanup below
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String() + "/", func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(conns)
	}
}

// F7: against a backend that accepts and never answers, CancelAtEnd ends
// the attack at its duration, not at the 30 s request timeout, and the
// requests it cut off are counted as cancelled, not as backend errors.
func TestCancelAtEndEndsTheAttackAtItsDurationAgainstAHungBackend(t *testing.T) {
	for _, model := range []Model{Closed, Open} {
		t.Run(string(model), func(t *testing.T) {
			url, _ := silentListener(t)
			a := Attack{
				Targeter: target(url), Client: newClient(t), Model: model,
				Concurrency: 2, Pacer: ConstantRate{PerSec: 20}, MaxWorkers: 4,
				Duration: 300 * time.Millisecond, CancelAtEnd: true,
			}
			start := time.Now()
			rec, err := Run(context.Background(), a)
			if err != nil {
				t.Fatal(err)
			}
			// The request timeout is 30 s; 10 s leaves a loaded machine room.
			if took := time.Since(start); took > 10*time.Second {
				t.Fatalf("attack of 300ms took %v", took)
			}
			if rec.Cancelled < 2 || rec.Hits != 0 || len(rec.Errors) != 0 || rec.Interrupted {
				t.Fatalf("cancelled %d, hits %d, errors %v, interrupted %v: want >= 2 cancelled, nothing else",
					rec.Cancelled, rec.Hits, rec.Errors, rec.Interrupted)
			}
		})
	}
}

// F8: an interrupted attack counts the requests it cut off as cancelled,
// not as errors, and says it was interrupted.
func TestInterruptionCountsCutOffRequestsAsCancelledNotErrors(t *testing.T) {
	url, accepted := silentListener(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	var rec *Recording
	var err error
	go func() {
		defer close(done)
		rec, err = Run(ctx, Attack{Targeter: target(url), Client: newClient(t), Model: Closed, Concurrency: 2, Duration: time.Minute})
	}()
	for accepted() < 2 {
		select {
		case <-done:
			t.Fatal("attack ended before it was interrupted")
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Interrupted || rec.Cancelled != 2 || rec.Hits != 0 || len(rec.Errors) != 0 {
		t.Fatalf("interrupted %v, cancelled %d, hits %d, errors %v: want interrupted, 2 cancelled, no hit or error",
			rec.Interrupted, rec.Cancelled, rec.Hits, rec.Errors)
	}
}

// F7: a hit due after the end is not waited for. At 0.04/s the first hit
// is due at 25 s; an attack of 200ms must end at once with none sent.
func TestOpenModelDoesNotWaitForAHitDueAfterTheEnd(t *testing.T) {
	srv, served := sleepServer(t, 0)
	start := time.Now()
	rec, err := Run(context.Background(), Attack{
		Targeter: target(srv.URL), Client: newClient(t),
		Model: Open, Pacer: ConstantRate{PerSec: 0.04}, Duration: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("attack of 200ms at 0.04/s took %v", took)
	}
	if rec.Hits != 0 || served.Load() != 0 {
		t.Fatalf("hits %d, served %d: want 0 (the first hit is due at 25s)", rec.Hits, served.Load())
	}
}
