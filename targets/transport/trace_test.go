package transport

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// runWorkload sends workers x perWorker GETs, each worker sequential, all workers
// concurrent, and waits for them.
func runWorkload(t *testing.T, c *http.Client, url string, workers, perWorker int) {
	t.Helper()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWorker {
				if code := get(t, c, url); code != http.StatusOK {
					t.Errorf("status %d, want 200", code)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// barrierHandler holds the first n requests until all n are in the handler at once, so
// exactly n connections exist before any is released; then every request sleeps delay
// so that workers overlap.
func barrierHandler(n int64, delay time.Duration) http.HandlerFunc {
	var arrived atomic.Int64
	release := make(chan struct{})
	return func(w http.ResponseWriter, r *http.Request) {
		if k := arrived.Add(1); k <= n {
			if k == n {
				close(release)
			}
			select {
			case <-release:
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Second): // bounded: a stuck client fails the counts
			}
		}
		time.Sleep(delay)
		io.WriteString(w, "ok")
	}
}

func TestTracerCountsMatchTheServersOwnCounts(t *testing.T) {
	const workers, perWorker = 20, 10
	const total = workers * perWorker
	tests := []struct {
		profile string
		useTLS  bool
		// check asserts what the profile does with 20 concurrent workers.
		check func(t *testing.T, s TraceStats)
	}{
		{profile: "default", useTLS: true, check: func(t *testing.T, s TraceStats) {
			// MaxIdleConnsPerHost 2 limits idle connections, not active ones: the
			// transport dials past 2 and closes what the idle pool cannot keep.
			if s.Dials <= 2 {
				t.Errorf("default dialed %d connections for %d concurrent workers, want > 2", s.Dials, workers)
			}
			if s.IdleRejected == 0 {
				t.Error("default rejected no connection from its idle pool, want > 0")
			}
		}},
		{profile: "default", useTLS: false, check: func(t *testing.T, s TraceStats) {
			if s.Dials <= 2 {
				t.Errorf("default dialed %d connections for %d concurrent workers, want > 2", s.Dials, workers)
			}
		}},
		{profile: "tuned", useTLS: true, check: func(t *testing.T, s TraceStats) {
			// The barrier forces one connection per worker; after that every worker
			// finds an idle one, since 50 may stay idle.
			if s.Dials != workers {
				t.Errorf("tuned dialed %d connections, want exactly %d (one per worker)", s.Dials, workers)
			}
			if want := int64(total - workers); s.ConnsReused != want {
				t.Errorf("tuned reused %d connections, want %d", s.ConnsReused, want)
			}
			if s.IdleRejected != 0 {
				t.Errorf("tuned rejected %d idle connections, want 0", s.IdleRejected)
			}
		}},
		{profile: "tuned", useTLS: false, check: func(t *testing.T, s TraceStats) {
			if s.Dials != workers {
				t.Errorf("tuned dialed %d connections, want exactly %d", s.Dials, workers)
			}
		}},
	}
	reg := NewRegistry()
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s with TLS %v", tt.profile, tt.useTLS), func(t *testing.T) {
			srv := newCountingServer(t, tt.useTLS, barrierHandler(workers, time.Millisecond))
			p, err := reg.Lookup(tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			inst := p.Instrument(srv.clientTLS())
			defer inst.Close()

			runWorkload(t, inst.Client, srv.URL, workers, perWorker)

			s := inst.Tracer.Stats()
			var srvStats serverStats
			// A dial started for a request that another connection served goes on in
			// the background after the workload ends: wait until its handshake is done.
			matched := eventually(5*time.Second, func() bool {
				srvStats = srv.stats()
				s = inst.Tracer.Stats()
				settled := !tt.useTLS || s.TLSHandshakes+s.TLSErrors == s.Dials
				return settled && s.Dials == srvStats.Conns && s.TLSHandshakes == srvStats.Handshakes
			})
			t.Logf("%s TLS=%v: client %+v; server %+v; reuse %.1f%%, mean conn wait %s, mean TTFB %s",
				tt.profile, tt.useTLS, s, srvStats, s.ReusePercent(), s.MeanConnWait(), s.MeanTTFB())
			if !matched {
				t.Errorf("client dials %d / TLS handshakes %d, server new conns %d / handshakes %d: want equal",
					s.Dials, s.TLSHandshakes, srvStats.Conns, srvStats.Handshakes)
			}
			if s.Requests != total || srvStats.Requests != total {
				t.Errorf("requests: client %d, server %d, want %d", s.Requests, srvStats.Requests, total)
			}
			if got := s.ConnsReused + s.ConnsNew; got != total {
				t.Errorf("reused %d + new %d = %d, want %d", s.ConnsReused, s.ConnsNew, got, total)
			}
			if s.ConnsNew > s.Dials {
				t.Errorf("new conns %d > dials %d: a request cannot get a new conn that was not dialed", s.ConnsNew, s.Dials)
			}
			if !tt.useTLS && s.TLSHandshakes != 0 {
				t.Errorf("TLS handshakes = %d without TLS, want 0", s.TLSHandshakes)
			}
			if tt.useTLS && s.TLSHandshakes != s.Dials {
				t.Errorf("TLS handshakes %d != dials %d, want one handshake per connection", s.TLSHandshakes, s.Dials)
			}
			if s.DialErrors != 0 || s.TLSErrors != 0 || s.TLSResumed != 0 {
				t.Errorf("dial errors %d, TLS errors %d, resumed %d: want 0", s.DialErrors, s.TLSErrors, s.TLSResumed)
			}
			if s.TTFBCount != total {
				t.Errorf("TTFBCount = %d, want %d", s.TTFBCount, total)
			}
			if s.TTFB < time.Duration(total)*time.Millisecond {
				t.Errorf("TTFB sum = %s, want >= %s (each handler sleeps 1ms)", s.TTFB, time.Duration(total)*time.Millisecond)
			}
			if s.ConnWaitMax <= 0 || s.ConnWaitMax > s.ConnWait {
				t.Errorf("ConnWaitMax = %s with ConnWait sum %s, want 0 < max <= sum", s.ConnWaitMax, s.ConnWait)
			}
			tt.check(t, s)
		})
	}
}

func TestTunedResumeResumesTLSSessionsOnNewConnections(t *testing.T) {
	const reconnects = 3
	tests := []struct {
		profile     string
		wantResumed int64
	}{
		{profile: "tuned-resume", wantResumed: reconnects},
		{profile: "tuned", wantResumed: 0},
		{profile: "default", wantResumed: 0},
	}
	reg := NewRegistry()
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s resumes %d of %d reconnections", tt.profile, tt.wantResumed, reconnects), func(t *testing.T) {
			srv := newCountingServer(t, true, nil)
			p, err := reg.Lookup(tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			inst := p.Instrument(srv.clientTLS())
			defer inst.Close()

			get(t, inst.Client, srv.URL) // full handshake; the server sends a ticket
			for range reconnects {
				inst.Close() // the next request must dial and handshake again
				get(t, inst.Client, srv.URL)
			}

			s := inst.Tracer.Stats()
			var srvStats serverStats
			eventually(5*time.Second, func() bool {
				srvStats = srv.stats()
				return srvStats.Handshakes == s.TLSHandshakes
			})
			t.Logf("%s: client handshakes %d resumed %d; server handshakes %d resumed %d",
				tt.profile, s.TLSHandshakes, s.TLSResumed, srvStats.Handshakes, srvStats.Resumed)
			if s.Dials != reconnects+1 || s.TLSHandshakes != reconnects+1 {
				t.Errorf("dials %d, handshakes %d, want %d each", s.Dials, s.TLSHandshakes, reconnects+1)
			}
			if s.TLSResumed != tt.wantResumed {
				t.Errorf("client TLSResumed = %d, want %d", s.TLSResumed, tt.wantResumed)
			}
			if srvStats.Resumed != tt.wantResumed || srvStats.Handshakes != reconnects+1 {
				t.Errorf("server saw %d handshakes, %d resumed; want %d and %d",
					srvStats.Handshakes, srvStats.Resumed, reconnects+1, tt.wantResumed)
			}
		})
	}
}

func TestInstrumented(t *testing.T) {
	srv := newCountingServer(t, true, nil)
	reg := NewRegistry()
	for _, p := range reg.Profiles() {
		t.Run(p.Name+" closes idle connections idempotently and traces through its client", func(t *testing.T) {
			inst := p.Instrument(srv.clientTLS(), WithCAPEM(srv.caPEM()))
			if inst.Client.Timeout != p.ClientTimeout() {
				t.Errorf("client timeout = %s, want %s", inst.Client.Timeout, p.ClientTimeout())
			}
			if inst.Client.Transport == inst.Transport {
				t.Error("client sends through the bare transport, want the tracer's wrapper")
			}
			get(t, inst.Client, srv.URL)
			get(t, inst.Client, srv.URL)
			if s := inst.Tracer.Stats(); s.Dials != 1 || s.ConnsReused != 1 {
				t.Fatalf("before Close: dials %d reused %d, want 1 and 1", s.Dials, s.ConnsReused)
			}
			inst.Close()
			inst.Close()
			get(t, inst.Client, srv.URL)
			if s := inst.Tracer.Stats(); s.Dials != 2 {
				t.Fatalf("after Close: dials %d, want 2 (the idle connection was closed)", s.Dials)
			}
			// http.Client.CloseIdleConnections must reach the transport through the wrapper.
			inst.Client.CloseIdleConnections()
			get(t, inst.Client, srv.URL)
			if s := inst.Tracer.Stats(); s.Dials != 3 {
				t.Fatalf("after Client.CloseIdleConnections: dials %d, want 3", s.Dials)
			}
			inst.Close()
		})
	}
	var nilInst *Instrumented
	nilInst.Close() // must not panic
}

func TestWrapKeepsATraceAlreadyInTheRequestContext(t *testing.T) {
	srv := newCountingServer(t, false, nil)
	inst := TunedProfile().Instrument(nil)
	defer inst.Close()

	var callerGotConn atomic.Int64
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { callerGotConn.Add(1) },
	})
	for range 3 {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := inst.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	// Requests without a trace of their own after those: recycled per-request
	// state must not carry the caller's hooks over to them.
	for range 3 {
		resp, err := inst.Client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if got := callerGotConn.Load(); got != 3 {
		t.Errorf("caller's GotConn hook ran %d times, want 3 (only for the caller's own requests)", got)
	}
	if s := inst.Tracer.Stats(); s.ConnsNew != 1 || s.ConnsReused != 5 {
		t.Errorf("tracer new %d reused %d, want 1 and 5", s.ConnsNew, s.ConnsReused)
	}
}

func TestWrapWithNilNextUsesTheDefaultTransport(t *testing.T) {
	srv := newCountingServer(t, false, nil)
	tracer := NewTracer()
	c := &http.Client{Transport: tracer.Wrap(nil)}
	defer c.CloseIdleConnections()
	get(t, c, srv.URL)
	if s := tracer.Stats(); s.Requests != 1 || s.ConnsNew+s.ConnsReused != 1 {
		t.Fatalf("stats %+v, want 1 request and 1 connection", s)
	}
}

func TestTraceStatsArithmetic(t *testing.T) {
	tests := []struct {
		name       string
		s          TraceStats
		wantReuse  float64
		wantWait   time.Duration
		wantTTFB   time.Duration
		wantString string
	}{
		{name: "no requests give zeros, not NaN", s: TraceStats{}},
		{name: "all reused is 100 percent", s: TraceStats{ConnsReused: 4, ConnWait: 8 * time.Millisecond, TTFB: 40 * time.Millisecond, TTFBCount: 4},
			wantReuse: 100, wantWait: 2 * time.Millisecond, wantTTFB: 10 * time.Millisecond},
		{name: "one of four reused is 25 percent", s: TraceStats{ConnsReused: 1, ConnsNew: 3, ConnWait: 4 * time.Millisecond, TTFB: 6 * time.Millisecond, TTFBCount: 3},
			wantReuse: 25, wantWait: time.Millisecond, wantTTFB: 2 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.ReusePercent(); got != tt.wantReuse {
				t.Errorf("ReusePercent() = %v, want %v", got, tt.wantReuse)
			}
			if got := tt.s.MeanConnWait(); got != tt.wantWait {
				t.Errorf("MeanConnWait() = %s, want %s", got, tt.wantWait)
			}
			if got := tt.s.MeanTTFB(); got != tt.wantTTFB {
				t.Errorf("MeanTTFB() = %s, want %s", got, tt.wantTTFB)
			}
		})
	}
}

func TestTraceStatsSubIsTheDeltaAndKeepsTheLatestMax(t *testing.T) {
	prev := TraceStats{Requests: 10, ConnsReused: 6, ConnsNew: 4, ConnsWasIdle: 6, Dials: 4, DialErrors: 1,
		TLSHandshakes: 4, TLSResumed: 1, TLSErrors: 1, IdleReturned: 9, IdleRejected: 1,
		ConnWait: time.Second, ConnWaitMax: 300 * time.Millisecond, TTFB: 2 * time.Second, TTFBCount: 10}
	cur := TraceStats{Requests: 25, ConnsReused: 20, ConnsNew: 5, ConnsWasIdle: 19, Dials: 5, DialErrors: 1,
		TLSHandshakes: 5, TLSResumed: 2, TLSErrors: 3, IdleReturned: 22, IdleRejected: 3,
		ConnWait: 3 * time.Second, ConnWaitMax: 500 * time.Millisecond, TTFB: 5 * time.Second, TTFBCount: 25,
		Protocols: map[string]int64{"HTTP/1.1": 10, "HTTP/2.0": 15}}
	prev.Protocols = map[string]int64{"HTTP/1.1": 10, "HTTP/2.0": 5}
	want := TraceStats{Requests: 15, ConnsReused: 14, ConnsNew: 1, ConnsWasIdle: 13, Dials: 1, DialErrors: 0,
		TLSHandshakes: 1, TLSResumed: 1, TLSErrors: 2, IdleReturned: 13, IdleRejected: 2,
		ConnWait: 2 * time.Second, ConnWaitMax: 500 * time.Millisecond, TTFB: 3 * time.Second, TTFBCount: 15,
		Protocols: map[string]int64{"HTTP/2.0": 10}}
	if got := cur.Sub(prev); !reflect.DeepEqual(got, want) {
		t.Fatalf("Sub\n got %+v\nwant %+v", got, want)
	}
}

// roundTripperFunc adapts a func to http.RoundTripper.
type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestWrapAllocatesAFixedSmallNumberPerRequest isolates the wrapper's own cost: next
// returns a prepared response without allocating, so every allocation counted is
// Wrap's: the request copy and the trace contexts (4); the per-request state and its
// hooks (4 more) are recycled. The limit leaves room for the race detector, whose
// sync.Pool drops a quarter of what is put back, and for a GC emptying the pool.
func TestWrapAllocatesAFixedSmallNumberPerRequest(t *testing.T) {
	const maxAllocs = 6
	resp := &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}
	rt := NewTracer().Wrap(roundTripperFunc(func(*http.Request) (*http.Response, error) { return resp, nil }))
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := rt.RoundTrip(req); err != nil {
			t.Error(err)
		}
	})
	t.Logf("Wrap allocations per request: %.0f (limit %d)", allocs, maxAllocs)
	if allocs > maxAllocs {
		t.Errorf("Wrap allocates %.0f times per request, want <= %d", allocs, maxAllocs)
	}
}

// TestWrapAddsFewAllocationsToARealRoundTrip measures whole round trips on a reused
// loopback connection with and without the tracer. The server runs in this process, so
// its allocations appear in both numbers and mostly cancel out; the limit leaves room
// for one or two allocations of noise.
func TestWrapAddsFewAllocationsToARealRoundTrip(t *testing.T) {
	const maxExtra = 7
	srv := newCountingServer(t, false, nil)
	tr := TunedProfile().NewTransport(nil)
	defer CloseIdle(tr)
	plain := &http.Client{Transport: tr}
	traced := &http.Client{Transport: NewTracer().Wrap(tr)}
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip := func(c *http.Client) func() {
		return func() {
			resp, err := c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	roundTrip(plain)() // dial once; both clients share this connection
	base := testing.AllocsPerRun(300, roundTrip(plain))
	wrapped := testing.AllocsPerRun(300, roundTrip(traced))
	extra := wrapped - base
	t.Logf("allocations per request over loopback: unwrapped %.0f, wrapped %.0f, extra %.0f (limit %d)", base, wrapped, extra, maxExtra)
	if extra > maxExtra {
		t.Errorf("Wrap adds %.0f allocations per request, want <= %d", extra, maxExtra)
	}
	if got := srv.conns.Load(); got != 1 {
		t.Errorf("server saw %d connections, want 1 (the measurement must not dial)", got)
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	srv := httptestServer(b)
	for _, wrapped := range []bool{false, true} {
		b.Run(fmt.Sprintf("traced=%v", wrapped), func(b *testing.B) {
			tr := TunedProfile().NewTransport(nil)
			defer CloseIdle(tr)
			var rt http.RoundTripper = tr
			if wrapped {
				rt = NewTracer().Wrap(tr)
			}
			c := &http.Client{Transport: rt}
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.Get(srv)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}

// TestBindAttachesNothingPerRequest: with a bound context the wrapper hands
// the caller's own request to next, and allocates nothing for it.
func TestBindAttachesNothingPerRequest(t *testing.T) {
	resp := &http.Response{StatusCode: http.StatusOK, ProtoMajor: 1, ProtoMinor: 1, Body: http.NoBody}
	var seen *http.Request
	tracer := NewTracer()
	rt := tracer.Wrap(roundTripperFunc(func(r *http.Request) (*http.Response, error) { seen = r; return resp, nil }))
	req, err := http.NewRequestWithContext(tracer.Bind(context.Background()), http.MethodGet, "http://127.0.0.1/", nil)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := rt.RoundTrip(req); err != nil {
			t.Error(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Wrap allocates %.0f times per request of a bound context, want 0", allocs)
	}
	if seen != req {
		t.Error("next got a copy of the request, want the caller's own")
	}
	if s := tracer.Stats(); s.Requests != 1001 || s.Protocols[ProtoHTTP11] != 1001 {
		t.Errorf("requests %d, HTTP/1.1 responses %d, want 1001 each", s.Requests, s.Protocols[ProtoHTTP11])
	}
	// Another tracer's bound context is not this one's: it gets its own trace.
	other := NewTracer().Bind(context.Background())
	req2, err := http.NewRequestWithContext(other, http.MethodGet, "http://127.0.0.1/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.RoundTrip(req2); err != nil {
		t.Fatal(err)
	}
	if seen == req2 {
		t.Error("a context bound to another tracer passed through untraced")
	}
}

// TestBoundWorkersCountLikeUnboundOnes runs the same TLS workload with each
// worker's requests on a bound context and on plain ones: every connection
// event and response is counted alike, and a caller's own trace still runs.
func TestBoundWorkersCountLikeUnboundOnes(t *testing.T) {
	const workers, perWorker = 10, 20
	const total = workers * perWorker
	run := func(t *testing.T, bind bool) TraceStats {
		srv := newCountingServer(t, true, barrierHandler(workers, time.Millisecond))
		inst := TunedProfile().Instrument(srv.clientTLS())
		defer inst.Close()
		var callerGotConn atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
					GotConn: func(httptrace.GotConnInfo) { callerGotConn.Add(1) },
				})
				if bind {
					ctx = inst.Tracer.Bind(ctx)
				}
				for range perWorker {
					req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
					if err != nil {
						t.Error(err)
						return
					}
					resp, err := inst.Client.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		if got := callerGotConn.Load(); got != total {
			t.Errorf("caller's GotConn ran %d times, want %d", got, total)
		}
		var s TraceStats
		if !eventually(5*time.Second, func() bool {
			s = inst.Tracer.Stats()
			return s.TLSHandshakes == s.Dials && s.Dials == srv.stats().Conns
		}) {
			t.Errorf("client dials %d, handshakes %d; server conns %d: want equal", s.Dials, s.TLSHandshakes, srv.stats().Conns)
		}
		return s
	}
	for _, bind := range []bool{false, true} {
		t.Run(fmt.Sprintf("bind=%v", bind), func(t *testing.T) {
			s := run(t, bind)
			if s.Requests != total || s.TTFBCount != total || s.ConnsNew+s.ConnsReused != total || s.Protocols[ProtoHTTP11] != total {
				t.Errorf("requests %d, TTFB count %d, conns %d+%d, HTTP/1.1 %d: want %d each",
					s.Requests, s.TTFBCount, s.ConnsNew, s.ConnsReused, s.Protocols[ProtoHTTP11], total)
			}
			// tuned keeps one connection per worker after the barrier.
			if s.Dials != workers || s.ConnsNew != workers {
				t.Errorf("dials %d, new conns %d, want %d each", s.Dials, s.ConnsNew, workers)
			}
			if s.ConnWaitMax <= 0 || s.TTFB < total*time.Millisecond {
				t.Errorf("conn wait max %s, TTFB sum %s: want > 0 and >= %s", s.ConnWaitMax, s.TTFB, total*time.Millisecond)
			}
		})
	}
}
