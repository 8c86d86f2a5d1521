package mockbackend

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestStatsSubKeepsGaugesAndDiffsCounters(t *testing.T) {
	prev := Stats{ConnsAccepted: 3, ConnsActive: 2, TLSHandshakes: 3, TLSResumed: 1, Requests: 10, InFlight: 4, Queued: 1,
		Routes: map[string]RouteStats{"a": {Requests: 10, Codes: map[int]int64{200: 8, 503: 2}, InFlight: 4}}}
	now := Stats{ConnsAccepted: 5, ConnsActive: 1, TLSHandshakes: 6, TLSResumed: 3, Requests: 25, InFlight: 0, Queued: 0,
		Routes: map[string]RouteStats{"a": {Requests: 20, Codes: map[int]int64{200: 18, 503: 2}}, "b": {Requests: 5, Codes: map[int]int64{201: 5}}}}
	d := now.Sub(prev)
	if d.ConnsAccepted != 2 || d.TLSHandshakes != 3 || d.TLSResumed != 2 || d.Requests != 15 || d.TLSFull() != 1 {
		t.Errorf("counters: %+v", d)
	}
	if d.ConnsActive != 1 || d.InFlight != 0 || d.Queued != 0 {
		t.Errorf("gauges: active %d in flight %d queued %d, want the current 1, 0, 0", d.ConnsActive, d.InFlight, d.Queued)
	}
	if a := d.Routes["a"]; a.Requests != 10 || a.Codes[200] != 10 || len(a.Codes) != 1 {
		t.Errorf("route a: %+v, want 10 requests, only 200s changed", a)
	}
	if b := d.Routes["b"]; b.Codes[201] != 5 {
		t.Errorf("new route b: %+v", b)
	}
	if prev.Routes["a"].Codes[200] != 8 {
		t.Errorf("Sub modified its argument")
	}
}

// TestConcurrentMixedWorkloadIsCountedExactly drives several APIs at once
// (the race detector watches the stores) and checks that the server counted
// exactly what the clients sent, by route and code.
func TestConcurrentMixedWorkloadIsCountedExactly(t *testing.T) {
	const workers, perWorker = 8, 15
	s := startServer(t, Config{TLS: true, HTTP2: true})
	c := newClient(t, s, func(tr *http.Transport) { tr.ForceAttemptHTTP2 = true })
	if r := do(t, c, "POST", s.URL()+"/e2ap/v1/nodes/n1/register", `{}`); r.code != 201 {
		t.Fatalf("register: %d", r.code)
	}
	before := s.Stats()
	var sent, failed atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				id := fmt.Sprintf("w%d-%d", w, i)
				reqs := []struct{ method, path, body string }{
					{"PUT", "/A1-P/v2/policytypes/1000/policies/" + id, `{"i":1}`},
					{"GET", "/a1-p/v2/policytypes/1000/policies/" + id + "/status", ""},
					{"POST", "/api/v1/repositories/r/packages", `{"spec":{"intent":"x"}}`},
					{"POST", "/e2ap/v1/nodes/n1/subscriptions", `{"ran_function_id":1,"actions":[{}]}`},
				}
				for _, rq := range reqs {
					sent.Add(1)
					if r := do(t, c, rq.method, s.URL()+rq.path, rq.body); r.code >= 300 {
						failed.Add(1)
					}
				}
			}
		})
	}
	wg.Wait()
	d := s.Stats().Sub(before)
	n := int64(workers * perWorker)
	if failed.Load() != 0 || d.Requests != sent.Load() {
		t.Errorf("client sent %d (%d failed), server counted %d", sent.Load(), failed.Load(), d.Requests)
	}
	for route, code := range map[string]int{"a1.policy.put": 201, "a1.policy.status": 200, "porch.package.create": 201, "e2.subscription.create": 201} {
		if got := d.Routes[route].Codes[code]; got != n {
			t.Errorf("%s: %d×%d, want %d", route, got, code, n)
		}
	}
	if got := s.porch.rest.len(); got != int(n) {
		t.Errorf("Porch holds %d revisions, want %d (generated names never collide)", got, n)
	}
}

func TestCloseLetsInFlightRequestsFinish(t *testing.T) {
	s, err := Start(Config{Latency: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, s, nil)
	got := make(chan int, 1)
	go func() {
		resp, err := c.Get(s.URL() + "/A1-P/v2/policytypes")
		if err != nil {
			got <- 0
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	waitFor(t, func() bool { return s.Stats().InFlight == 1 })
	if err := s.Close(); err != nil {
		t.Errorf("graceful Close: %v", err)
	}
	if code := <-got; code != 200 {
		t.Errorf("in-flight request during Close: %d, want 200", code)
	}
	if _, err := c.Get(s.URL() + "/healthz"); err == nil {
		t.Errorf("a request after Close succeeded")
	}
}
