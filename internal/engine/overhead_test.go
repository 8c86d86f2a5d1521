package engine

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
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

// The same over TLS through a loopback server, where net/http calls the
// connection hooks that an in-memory transport never reaches (GetConn,
// GotConn, PutIdleConn, GotFirstResponseByte), on the transport the
// harness measures (profile tuned), 50 workers as in `make bench-engine`:
//
//	go test -run '^$' -bench 'TLS' -benchtime 20000x ./internal/engine
//
// The server runs in the same process, so ns/op holds its work too; the
// differences between the three are the engine's and tracing's. A
// regression in tracing's cost shows as Traced moving away from
// Untraced in ns/op or allocs/op.

func tlsLoopback(b testing.TB) (url string, inst *transport.Instrumented) {
	b.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(memBody)
	}))
	b.Cleanup(srv.Close)
	prof, err := transport.NewRegistry().Lookup(transport.ProfileTuned)
	if err != nil {
		b.Fatal(err)
	}
	tlsConf := srv.Client().Transport.(*http.Transport).TLSClientConfig
	inst, err = prof.TryInstrument(tlsConf)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(inst.Close)
	return srv.URL + "/x", inst
}

func BenchmarkBareLoopTLS(b *testing.B) {
	url, inst := tlsLoopback(b)
	client := &http.Client{Transport: inst.Transport, Timeout: 30 * time.Second}
	b.ReportAllocs()
	b.ResetTimer()
	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
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

// BenchmarkClosedEngineTLSUntraced is `oranbench attack --no-trace`.
func BenchmarkClosedEngineTLSUntraced(b *testing.B) {
	url, inst := tlsLoopback(b)
	benchEngineTLS(b, url, &http.Client{Transport: inst.Transport, Timeout: 30 * time.Second}, nil)
}

// BenchmarkClosedEngineTLSTraced is `oranbench attack`: the tracer's
// wrapper and hooks, each worker's trace bound once.
func BenchmarkClosedEngineTLSTraced(b *testing.B) {
	url, inst := tlsLoopback(b)
	benchEngineTLS(b, url, inst.Client, inst.Tracer.Bind)
}

func benchEngineTLS(b *testing.B, url string, client *http.Client, bind func(context.Context) context.Context) {
	b.ReportAllocs()
	b.ResetTimer()
	rec, err := Run(context.Background(), Attack{Targeter: vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: url}),
		Client: client, Model: Closed, Concurrency: 50, Duration: time.Hour, MaxHits: uint64(b.N), WorkerContext: bind})
	if err != nil {
		b.Fatal(err)
	}
	if rec.Successes != int64(b.N) {
		b.Fatalf("%d of %d requests succeeded: %v", rec.Successes, b.N, rec.Errors)
	}
}

// F26: through a real TLS connection, where the hooks run, a traced
// request allocates what an untraced one does (the wrapper attaches
// nothing per request to a bound context, and the timeout costs no
// goroutine, channel or timer of net/http's). Allocations, not time, so a
// loaded machine cannot make it flaky.
func TestTracingAllocatesNothingPerRequestOverTLS(t *testing.T) {
	url, inst := tlsLoopback(t)
	const hits = 2000
	perRequest := func(client *http.Client, bind func(context.Context) context.Context) float64 {
		a := Attack{Targeter: vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: url}),
			Client: client, Model: Closed, Concurrency: 4, Duration: time.Hour, MaxHits: hits, WorkerContext: bind}
		if _, err := Run(context.Background(), a); err != nil { // warm: connections, pools
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rec, err := Run(context.Background(), a)
		runtime.ReadMemStats(&after)
		if err != nil || rec.Successes != hits {
			t.Fatalf("err %v, %d of %d succeeded: %v", err, rec.Successes, hits, rec.Errors)
		}
		return float64(after.Mallocs-before.Mallocs) / hits
	}
	untraced := perRequest(&http.Client{Transport: inst.Transport, Timeout: 30 * time.Second}, nil)
	traced := perRequest(inst.Client, inst.Tracer.Bind)
	t.Logf("allocations per request (client and in-process server): untraced %.1f, traced %.1f", untraced, traced)
	if traced > untraced+1 {
		t.Fatalf("a traced request allocates %.1f times, an untraced one %.1f: tracing allocates per request again", traced, untraced)
	}
	if s := inst.Tracer.Stats(); s.ConnsReused+s.ConnsNew != 2*hits || s.Requests != 2*hits {
		t.Fatalf("tracer saw %d requests, %d connections obtained; want %d each", s.Requests, s.ConnsReused+s.ConnsNew, 2*hits)
	}
}
