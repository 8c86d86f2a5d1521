package engine

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// sleepServer answers every request after d; it counts requests.
func sleepServer(t *testing.T, d time.Duration) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if d > 0 {
			time.Sleep(d)
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func newClient(t *testing.T) *http.Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func target(url string) vegeta.Targeter {
	return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: url})
}

func TestClosedModelStopsAtMaxHitsAndCountsEveryResult(t *testing.T) {
	srv, served := sleepServer(t, 0)
	rec, err := Run(context.Background(), Attack{
		Targeter: target(srv.URL), Client: newClient(t),
		Model: Closed, Concurrency: 4, Duration: 10 * time.Second, MaxHits: 37,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Hits != 37 || rec.Successes != 37 || served.Load() != 37 {
		t.Fatalf("hits=%d successes=%d served=%d, want 37 each", rec.Hits, rec.Successes, served.Load())
	}
	if rec.Codes[200] != 37 {
		t.Fatalf("codes=%v, want 37 x 200", rec.Codes)
	}
	if got := rec.Service.TotalCount(); got != 37 {
		t.Fatalf("service histogram holds %d values, want 37", got)
	}
	if rec.BytesIn != 37*uint64(len(`{"ok":true}`)) {
		t.Fatalf("bytes in = %d", rec.BytesIn)
	}
	if rec.Response != nil {
		t.Fatal("closed model must not record response time from an intended send time")
	}
}

// TestClosedModelPercentilesMatchAKnownHandlerLatency: a 20 ms handler must show
// as a p50 between 20 and 22 ms. Timer wake-ups on a machine busy with other test
// packages can add more than the 2 ms on their own, so the run is repeated up to
// three times and one run within the bound is required; a recording error (a wrong
// unit, a lost or doubled value) fails all three.
func TestClosedModelPercentilesMatchAKnownHandlerLatency(t *testing.T) {
	srv, _ := sleepServer(t, 20*time.Millisecond)
	var p50s []time.Duration
	for range 3 {
		rec, err := Run(context.Background(), Attack{
			Targeter: target(srv.URL), Client: newClient(t),
			Model: Closed, Concurrency: 2, Duration: 600 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Hits < 20 {
			t.Fatalf("only %d hits in 600 ms with 2 workers and a 20 ms handler", rec.Hits)
		}
		p50 := Quantile(rec.Service, 50)
		if p50 < 20*time.Millisecond {
			t.Fatalf("p50 = %v, below the 20 ms the handler sleeps", p50)
		}
		if p50 <= 22*time.Millisecond {
			return
		}
		p50s = append(p50s, p50)
	}
	t.Fatalf("p50 of three runs = %v, want one within 2 ms above the 20 ms handler", p50s)
}

func TestOpenModelMeasuresFromTheIntendedSendTime(t *testing.T) {
	// One worker cannot keep 100/s against a 30 ms handler: hits queue in the
	// generator. Service time stays ~30 ms; response time from the intended
	// send time shows the queueing, as coordinated omission must not hide.
	srv, _ := sleepServer(t, 30*time.Millisecond)
	rec, err := Run(context.Background(), Attack{
		Targeter: target(srv.URL), Client: newClient(t),
		Model: Open, Pacer: vegeta.Rate{Freq: 100, Per: time.Second},
		Workers: 1, MaxWorkers: 1, Duration: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	svc, resp := Quantile(rec.Service, 99), Quantile(rec.Response, 99)
	if svc > 60*time.Millisecond {
		t.Fatalf("service p99 = %v, want about 30 ms", svc)
	}
	if resp < 4*svc {
		t.Fatalf("response p99 = %v, service p99 = %v: the generator's queueing is hidden", resp, svc)
	}
	if Quantile(rec.Lag, 99) < 100*time.Millisecond {
		t.Fatalf("lag p99 = %v, want the generator to show itself late", Quantile(rec.Lag, 99))
	}
}

func TestOpenModelAtAnEasyRateHasResponseTimeCloseToServiceTime(t *testing.T) {
	srv, _ := sleepServer(t, 10*time.Millisecond)
	rec, err := Run(context.Background(), Attack{
		Targeter: target(srv.URL), Client: newClient(t),
		Model: Open, Pacer: vegeta.Rate{Freq: 50, Per: time.Second}, Duration: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Hits < 45 || rec.Hits > 51 {
		t.Fatalf("hits = %d, want about 50 at 50/s for 1 s", rec.Hits)
	}
	svc, resp := Quantile(rec.Service, 50), Quantile(rec.Response, 50)
	if resp < svc || resp > svc+5*time.Millisecond {
		t.Fatalf("response p50 %v vs service p50 %v: want within 5 ms", resp, svc)
	}
}

func TestRequestErrorsAreCountedNotFatal(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: every dial is refused
	rec, err := Run(context.Background(), Attack{
		Targeter: target("http://" + addr + "/"), Client: newClient(t),
		Model: Closed, Concurrency: 2, Duration: time.Second, MaxHits: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Hits != 10 || rec.Successes != 0 || rec.SuccessRatio() != 0 {
		t.Fatalf("hits=%d successes=%d", rec.Hits, rec.Successes)
	}
	if len(rec.Errors) == 0 || rec.Codes[0] != 10 {
		t.Fatalf("errors=%v codes=%v, want 10 refused requests recorded", rec.Errors, rec.Codes)
	}
}

func TestCancellingTheContextStopsTheAttackEarly(t *testing.T) {
	srv, _ := sleepServer(t, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	rec, err := Run(ctx, Attack{
		Targeter: target(srv.URL), Client: newClient(t),
		Model: Closed, Concurrency: 2, Duration: 30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("attack took %v after cancel", took)
	}
	if !rec.Interrupted || rec.Hits == 0 {
		t.Fatalf("interrupted=%v hits=%d", rec.Interrupted, rec.Hits)
	}
}

func TestNormalizeRejectsBadAttacks(t *testing.T) {
	ok := Attack{Targeter: target("http://127.0.0.1:1"), Client: http.DefaultClient, Duration: time.Second}
	cases := []struct {
		name string
		edit func(a *Attack)
	}{
		{"no duration", func(a *Attack) { a.Model = Closed; a.Concurrency = 1; a.Duration = 0 }},
		{"closed without concurrency", func(a *Attack) { a.Model = Closed }},
		{"open without pacer", func(a *Attack) { a.Model = Open }},
		{"unknown model", func(a *Attack) { a.Model = "burst" }},
		{"no targeter", func(a *Attack) { a.Model = Closed; a.Concurrency = 1; a.Targeter = nil }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := ok
			c.edit(&a)
			if _, err := a.Normalize(); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

// TestOpenModelAddsWorkersUpToMaxWorkersAndNoMore: against a slow handler
// the scheduler adds a worker whenever none is free, but never more than
// MaxWorkers are in flight at once, and every hit it sent is recorded and
// handed to OnResult in full.
func TestOpenModelAddsWorkersUpToMaxWorkersAndNoMore(t *testing.T) {
	var inFlight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
		inFlight.Add(-1)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	var results atomic.Int64
	rec, err := Run(context.Background(), Attack{
		Targeter: target(srv.URL), Client: newClient(t),
		Model: Open, Pacer: vegeta.Rate{Freq: 400, Per: time.Second},
		Workers: 1, MaxWorkers: 6, Duration: 400 * time.Millisecond,
		OnResult: func(res *vegeta.Result) {
			if res.Code == http.StatusOK && string(res.Body) == `{"ok":true}` {
				results.Add(1)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p != 6 {
		t.Errorf("peak requests in flight %d, want 6 (MaxWorkers)", p)
	}
	if rec.Hits == 0 || rec.Successes != rec.Hits || results.Load() != rec.Hits {
		t.Errorf("hits %d, successes %d, OnResult saw %d whole: want all equal and > 0", rec.Hits, rec.Successes, results.Load())
	}
	// 6 workers at 50 ms each sustain 120/s of the 400/s asked: hits wait
	// for a worker, and response time from the due time shows it.
	if Quantile(rec.Lag, 99) < 100*time.Millisecond || Quantile(rec.Response, 99) < Quantile(rec.Service, 99)+100*time.Millisecond {
		t.Errorf("lag p99 %s, response p99 %s, service p99 %s: want the wait for a worker to show",
			Quantile(rec.Lag, 99), Quantile(rec.Response, 99), Quantile(rec.Service, 99))
	}
}
