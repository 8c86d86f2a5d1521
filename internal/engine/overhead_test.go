package engine

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/targets/transport"
)

// The engine's own cost per request, without a network: the closed model
// against a transport that answers from memory, beside a bare loop doing
// only client.Do and a drain on the same transport (GOMAXPROCS=1 go test
// -run '^$' -bench InMemory ./internal/engine). The difference per op is
// what the engine adds to every request of a real run.

// memRT answers every request from memory, at once.
type memRT struct{}

var memBody = []byte(`{"ok":true}`)

func (memRT) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Status: "200 OK", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{},
		Body: io.NopCloser(bytes.NewReader(memBody)), ContentLength: int64(len(memBody)), Request: r}, nil
}

func BenchmarkClosedEngineInMemory(b *testing.B) {
	benchEngine(b, memRT{}, nil)
}

// The same with httptrace on, as the harness measures every arm.
// BenchmarkClosedEngineInMemoryTraced traces as runs do: each worker binds
// the tracer's state to its context once.
func BenchmarkClosedEngineInMemoryTraced(b *testing.B) {
	t := transport.NewTracer()
	benchEngine(b, t.Wrap(memRT{}), t.Bind)
}

// BenchmarkClosedEngineInMemoryTracedPerRequest traces without Bind: the
// wrapper attaches a trace to every request.
func BenchmarkClosedEngineInMemoryTracedPerRequest(b *testing.B) {
	benchEngine(b, transport.NewTracer().Wrap(memRT{}), nil)
}

func benchEngine(b *testing.B, rt http.RoundTripper, bind func(context.Context) context.Context) {
	client := &http.Client{Transport: rt, Timeout: 30 * time.Second}
	tgt := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: "http://127.0.0.1:1/x"})
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := Run(context.Background(), Attack{Targeter: tgt, Client: client, Model: Closed, Concurrency: 50, Duration: time.Hour, MaxHits: uint64(b.N), WorkerContext: bind}); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkBareLoopInMemory(b *testing.B) {
	client := &http.Client{Transport: memRT{}, Timeout: 30 * time.Second}
	b.ReportAllocs()
	b.ResetTimer()
	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	for range 50 { // the closed model's 50 workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/x", nil)
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
}
