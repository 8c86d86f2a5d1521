package mockbackend

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestCapacityQueuesThenRefuses(t *testing.T) {
	const hold = 300 * time.Millisecond
	s := startServer(t, Config{Routes: map[string]Behavior{
		"a1.types.list": {Capacity: Capacity{MaxInFlight: 2, QueueDepth: 1}},
	}})
	c := newClient(t, s, nil)
	url := s.URL() + "/A1-P/v2/policytypes?latency=" + hold.String()

	// Fill both slots, then queue one, then one more that finds no room.
	type result struct {
		code int
		took time.Duration
	}
	results := make([]result, 4)
	var wg sync.WaitGroup
	launch := func(i int) {
		wg.Go(func() {
			start := time.Now()
			resp := do(t, c, "GET", url, "")
			results[i] = result{resp.code, time.Since(start)}
		})
	}
	launch(0)
	launch(1)
	waitFor(t, func() bool { return s.Stats().Routes["a1.types.list"].InFlight == 2 })
	launch(2)
	waitFor(t, func() bool { return s.Stats().Queued == 1 })
	if q := s.Stats().Routes["a1.types.list"].Queued; q != 1 {
		t.Errorf("route queue depth = %d, want 1", q)
	}
	launch(3)
	wg.Wait()

	for i := range 2 {
		if results[i].code != 200 {
			t.Errorf("request %d (had a slot): code %d, want 200", i, results[i].code)
		}
	}
	if r := results[2]; r.code != 200 || r.took < hold {
		t.Errorf("queued request: code %d after %v, want 200 after waiting for a slot and holding it %v", r.code, r.took, hold)
	}
	if r := results[3]; r.code != 503 || r.took > hold {
		t.Errorf("request beyond the queue: code %d after %v, want an immediate 503", r.code, r.took)
	}
	st := s.Stats()
	if st.Queued != 0 || st.Routes["a1.types.list"].Codes[503] != 1 || st.Routes["a1.types.list"].Codes[200] != 3 {
		t.Errorf("after the burst: queued %d, codes %v; want 0 queued, 3×200 and 1×503", st.Queued, st.Routes["a1.types.list"].Codes)
	}
}

func TestCapacityQueueTimeoutAnswers503WithRetryAfter(t *testing.T) {
	s := startServer(t, Config{Routes: map[string]Behavior{
		"a1": {Capacity: Capacity{MaxInFlight: 1, QueueDepth: 5, QueueTimeout: 100 * time.Millisecond}},
	}})
	c := newClient(t, s, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		do(t, c, "GET", s.URL()+"/A1-P/v2/policytypes?latency=500ms", "")
	}()
	waitFor(t, func() bool { return s.Stats().Routes["a1.types.list"].InFlight == 1 })
	start := time.Now()
	// Another a1 route shares the group's limit.
	resp := do(t, c, "GET", s.URL()+"/A1-P/v2/policytypes/1000", "")
	took := time.Since(start)
	<-done
	if resp.code != http.StatusServiceUnavailable || resp.header.Get("Retry-After") != "1" {
		t.Errorf("code %d Retry-After %q, want 503 with Retry-After 1", resp.code, resp.header.Get("Retry-After"))
	}
	if took < 100*time.Millisecond || took > 450*time.Millisecond {
		t.Errorf("refused after %v, want after the 100ms queue timeout", took)
	}
}
