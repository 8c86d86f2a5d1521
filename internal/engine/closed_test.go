package engine

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Both models must record one request the same way: the closed model's own
// loop and the open model's vegeta attacker give the same codes, error
// texts, byte counts and redirect handling against the same server.
func TestClosedAndOpenModelsRecordOutcomesAlike(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 100<<10) // beyond MaxBody's 64 KiB
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(big) })
	mux.HandleFunc("/busy", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	for _, path := range []string{"/ok", "/busy", "/moved"} {
		closed := Attack{Targeter: vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodPost, URL: srv.URL + path, Body: []byte("abc")}),
			Client: newClient(t), Model: Closed, Concurrency: 2, Duration: 5 * time.Second, MaxHits: 20}
		open := closed
		open.Model, open.Concurrency, open.Pacer = Open, 0, vegeta.Rate{Freq: 200, Per: time.Second}
		var got [2]*Recording
		for i, a := range []Attack{closed, open} {
			rec, err := Run(context.Background(), a)
			if err != nil {
				t.Fatal(err)
			}
			got[i] = rec
		}
		c, o := got[0], got[1]
		if c.Hits != 20 || o.Hits != 20 {
			t.Fatalf("%s: hits closed %d open %d, want 20 each", path, c.Hits, o.Hits)
		}
		if len(c.Codes) != 1 || len(o.Codes) != 1 || c.Codes[firstKey(o.Codes)] != 20 {
			t.Errorf("%s: codes closed %v open %v", path, c.Codes, o.Codes)
		}
		if strings.Join(c.ErrorTexts(), "|") != strings.Join(o.ErrorTexts(), "|") || c.Successes != o.Successes {
			t.Errorf("%s: errors closed %v (%d ok) open %v (%d ok)", path, c.Errors, c.Successes, o.Errors, o.Successes)
		}
		if c.BytesOut != 20*3 || o.BytesOut != 20*3 {
			t.Errorf("%s: bytes out closed %d open %d, want 60", path, c.BytesOut, o.BytesOut)
		}
		if path == "/ok" && c.BytesIn != 20*uint64(len(big)) {
			// vegeta counts only the MaxBody it keeps; the closed model
			// drains and counts every byte.
			t.Errorf("%s: closed model counted %d bytes in, want every byte: %d", path, c.BytesIn, 20*len(big))
		}
	}
}

func firstKey(m map[uint16]int64) uint16 {
	for k := range m {
		return k
	}
	return 0
}

func TestClosedModelStopsEveryWorkerWhenTheTargeterFails(t *testing.T) {
	srv, served := sleepServer(t, 0)
	var calls atomic.Int64
	tr := func(tgt *vegeta.Target) error {
		if calls.Add(1) > 5 {
			return errors.New("no more targets")
		}
		tgt.Method, tgt.URL = http.MethodGet, srv.URL
		return nil
	}
	rec, err := Run(context.Background(), Attack{Targeter: tr, Client: newClient(t), Model: Closed, Concurrency: 4, Duration: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if served.Load() != 5 || rec.Successes != 5 || rec.Errors["no more targets"] < 1 || rec.Hits > 5+4 {
		t.Fatalf("served %d, recorded %d hits (%d ok), errors %v: want 5 served and the workers stopped", served.Load(), rec.Hits, rec.Successes, rec.Errors)
	}
}

func TestClosedModelWorkersShareAFewRecordings(t *testing.T) {
	if n := recordShards(1000); n > 1000 || n < 1 || n > 4*64 {
		t.Fatalf("recordShards(1000) = %d", n)
	}
	if n := recordShards(3); n > 3 {
		t.Fatalf("recordShards(3) = %d, want at most one per worker", n)
	}
	srv, served := sleepServer(t, 0)
	rec, err := Run(context.Background(), Attack{Targeter: target(srv.URL), Client: newClient(t), Model: Closed, Concurrency: 50, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Hits == 0 || rec.Hits != served.Load() || rec.Service.TotalCount() != rec.Hits {
		t.Fatalf("hits %d, served %d, histogram holds %d", rec.Hits, served.Load(), rec.Service.TotalCount())
	}
}

// TestClosedModelDerivesEachWorkersContextOnceAndAfterEachFailure: a
// worker's requests carry the context WorkerContext gave it, and a worker
// asks again after a request that failed.
func TestClosedModelDerivesEachWorkersContextOnceAndAfterEachFailure(t *testing.T) {
	const workers, hits, failEvery = 4, 200, 10
	type key struct{}
	var calls, n, unbound atomic.Int64
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if _, ok := r.Context().Value(key{}).(int64); !ok {
			unbound.Add(1)
		}
		if n.Add(1)%failEvery == 0 {
			return nil, errors.New("refused")
		}
		return memRT{}.RoundTrip(r)
	})
	rec, err := Run(context.Background(), Attack{
		Targeter: vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: "http://127.0.0.1:1/x"}),
		Client:   &http.Client{Transport: rt}, Model: Closed, Concurrency: workers,
		Duration: time.Minute, MaxHits: hits,
		WorkerContext: func(ctx context.Context) context.Context {
			return context.WithValue(ctx, key{}, calls.Add(1))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	failed := int64(hits / failEvery)
	if rec.Hits != hits || int64(rec.Hits-rec.Successes) != failed {
		t.Fatalf("hits %d, successes %d, want %d and %d", rec.Hits, rec.Successes, hits, hits-failed)
	}
	if got := unbound.Load(); got != 0 {
		t.Errorf("%d requests without the worker's context", got)
	}
	// Each worker once, plus once per failure (a worker that failed on
	// its last hit asks once more before it stops).
	if got, want := calls.Load(), workers+failed; got != want {
		t.Errorf("WorkerContext called %d times, want %d (%d workers + %d failures)", got, want, workers, failed)
	}
}

// roundTripFunc adapts a func to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
