package engine

import (
	"context"
	"io"
	"net/http"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// wrapRT is a RoundTripper net/http does not know, as a tracing wrapper is.
type wrapRT struct{ next http.RoundTripper }

func (w wrapRT) RoundTrip(r *http.Request) (*http.Response, error) { return w.next.RoundTrip(r) }

func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// F26: a client with a Timeout over a RoundTripper net/http does not know
// (the tracer's wrapper, client-go's) made net/http start two goroutines, a
// channel and a timer per request (setRequestCancel and
// awaitLegacyCancel): a quarter of the CPU of a traced request to a fast
// backend. The engine enforces the timeout through the request's context
// instead, as net/http does for its own transports: an attack starts
// goroutines per connection, not per request.
func TestClientTimeoutOverAWrapperStartsNoGoroutinePerRequest(t *testing.T) {
	srv, _ := sleepServer(t, 0)
	inner := newClient(t).Transport.(*http.Transport)
	inner.MaxIdleConnsPerHost = 8 // no churn: each worker keeps its connection
	const hits = 400
	// The same requests from a plain loop on the transport itself: what
	// the connections and the in-process server (which starts a
	// goroutine per request to watch the connection) start anyway.
	bareClient := &http.Client{Transport: inner, Timeout: 30 * time.Second}
	before := goroutinesCreated()
	for range hits {
		resp, err := bareClient.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	bare := goroutinesCreated() - before
	for _, model := range []Model{Closed, Open} {
		t.Run(string(model), func(t *testing.T) {
			client := &http.Client{Transport: wrapRT{inner}, Timeout: 30 * time.Second}
			before := goroutinesCreated()
			rec, err := Run(context.Background(), Attack{
				Targeter: target(srv.URL), Client: client, Model: model,
				Concurrency: 4, Pacer: ConstantRate{PerSec: 1e6}, Workers: 4, MaxWorkers: 4,
				Duration: time.Minute, MaxHits: hits,
			})
			if err != nil {
				t.Fatal(err)
			}
			created := goroutinesCreated() - before
			if rec.Successes != hits {
				t.Fatalf("successes %d, want %d (errors %v)", rec.Successes, hits, rec.Errors)
			}
			// Besides those: workers, their connections and the CPU
			// window, a few dozen whatever the request count. Two more per
			// request before the fix.
			if created > bare+hits/4 {
				t.Fatalf("%d goroutines started for %d requests, a plain loop starts %d: want at most %d", created, hits, bare, bare+hits/4)
			}
			if client.Timeout != 30*time.Second {
				t.Fatalf("the caller's client was changed: timeout %v", client.Timeout)
			}
		})
	}
}

// F26: the timeout still bounds every request, through the wrapper too,
// and its error reads as net/http's own.
func TestClientTimeoutStillBoundsEachRequest(t *testing.T) {
	url, _ := silentListener(t)
	client := &http.Client{Transport: wrapRT{newClient(t).Transport}, Timeout: 100 * time.Millisecond}
	start := time.Now()
	rec, err := Run(context.Background(), Attack{
		Targeter: target(url), Client: client, Model: Closed, Concurrency: 1,
		Duration: time.Minute, MaxHits: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Fatalf("two requests with a 100ms timeout took %v", took)
	}
	if rec.Hits != 2 || rec.Successes != 0 || len(rec.Errors) != 1 {
		t.Fatalf("hits %d, successes %d, errors %v: want 2 timed-out hits", rec.Hits, rec.Successes, rec.Errors)
	}
	for text := range rec.Errors {
		if !strings.Contains(text, "Client.Timeout exceeded while awaiting headers") {
			t.Fatalf("error %q does not say the client timeout ran out", text)
		}
	}
}
