package mockbackend

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// Benchmarks (go test -run '^$' -bench . -benchtime 2s ./mockbackend):
//
//   - BenchmarkServeHTTP: handler overhead without the network, the mock's
//     full pipeline on a no-latency route against a bare hello handler.
//   - BenchmarkThroughput: plain-HTTP req/s of the same two handlers over
//     loopback with one client loop; BenchmarkThroughputRatio interleaves
//     them (A B A B) and reports mock/bare, which the issue wants >= 0.8.
//   - BenchmarkLatency*: measured percentiles against the configured model.
//   - BenchmarkSleepAccuracy: the injected latency alone, without the network.
//
// RTT means one round trip: with RTT 20ms each direction gets 10ms, so a
// request on an open connection costs 1 RTT on the wire. With the 20ms
// handler latency of the accuracy target, a keep-alive request
// therefore takes 20 + 20 = 40ms (the "within 5% of 40 ms"), and a
// request on a new TLS 1.3 connection pays one more RTT for the handshake:
// 60ms. TLS 1.2 would pay two (80ms).

const benchPolicy = "/A1-P/v2/policytypes/1000/policies/bench"

func bareHello(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"qos":5}`))
}

// benchMock starts a plain-HTTP mock with one stored policy to GET.
func benchMock(b *testing.B, cfg Config) *Server {
	b.Helper()
	s := startServer(b, cfg)
	c := newClient(b, s, nil)
	if resp := do(b, c, "PUT", s.URL()+benchPolicy, `{"qos":5}`); resp.code != 201 {
		b.Fatalf("seed policy: %d", resp.code)
	}
	return s
}

func BenchmarkServeHTTP(b *testing.B) {
	s := benchMock(b, Config{})
	cases := []struct {
		name string
		h    http.Handler
	}{
		{"bare-hello", http.HandlerFunc(bareHello)},
		{"mock-a1-policy-get", s},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", benchPolicy, nil)
			w := &discardWriter{h: make(http.Header)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				w.code = 0
				tc.h.ServeHTTP(w, req)
				if w.code != 200 {
					b.Fatalf("code %d", w.code)
				}
			}
		})
	}
}

// discardWriter is the cheapest ResponseWriter, so BenchmarkServeHTTP
// measures the handlers rather than httptest's header snapshots.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}

// loopClient is the one client loop both arms are measured with.
func loopClient(b *testing.B, workers int) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// hammer sends n GETs of url from workers goroutines and returns req/s.
func hammer(b *testing.B, c *http.Client, url string, n, workers int) float64 {
	var wg sync.WaitGroup
	next := make(chan struct{}, n)
	for range n {
		next <- struct{}{}
	}
	close(next)
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for range next {
				resp, err := c.Get(url)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

// bareServer serves bareHello on loopback with the same server settings.
func bareServer(b *testing.B) string { return bareServerWith(b, http.HandlerFunc(bareHello)) }

// bareServerWith serves h on loopback with the mock's server settings.
func bareServerWith(b *testing.B, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: DefaultReadHeaderTimeout}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	b.Cleanup(func() { srv.Close(); <-done })
	return "http://" + ln.Addr().String()
}

const benchWorkers = 16

func BenchmarkThroughput(b *testing.B) {
	s := benchMock(b, Config{})
	for _, arm := range []struct{ name, url string }{
		{"bare-hello", bareServer(b) + benchPolicy},
		{"mock-a1-policy-get", s.URL() + benchPolicy},
	} {
		b.Run(arm.name, func(b *testing.B) {
			c := loopClient(b, benchWorkers)
			hammer(b, c, arm.url, 200, benchWorkers) // warm the pool
			b.ResetTimer()
			rps := hammer(b, c, arm.url, b.N, benchWorkers)
			b.ReportMetric(rps, "req/s")
		})
	}
}

// BenchmarkThroughputRatio runs both arms interleaved in short rounds,
// alternating which goes first (A B, B A, ...) so drift and other load on
// the machine hit both alike, and reports the median per-round mock/bare
// req/s ratio.
func BenchmarkThroughputRatio(b *testing.B) {
	const rounds, perRound = 9, 4000
	s := benchMock(b, Config{})
	bare, mock := bareServer(b)+benchPolicy, s.URL()+benchPolicy
	for b.Loop() {
		c := loopClient(b, benchWorkers)
		hammer(b, c, bare, 500, benchWorkers)
		hammer(b, c, mock, 500, benchWorkers)
		ratios := make([]float64, 0, rounds)
		var bareSum, mockSum float64
		for i := range rounds {
			var br, mr float64
			if i%2 == 0 {
				br = hammer(b, c, bare, perRound, benchWorkers)
				mr = hammer(b, c, mock, perRound, benchWorkers)
			} else {
				mr = hammer(b, c, mock, perRound, benchWorkers)
				br = hammer(b, c, bare, perRound, benchWorkers)
			}
			ratios = append(ratios, mr/br)
			bareSum, mockSum = bareSum+br, mockSum+mr
		}
		slices.Sort(ratios)
		b.ReportMetric(ratios[rounds/2], "mock/bare")
		b.ReportMetric(bareSum/rounds, "bare-req/s")
		b.ReportMetric(mockSum/rounds, "mock-req/s")
	}
}

// measure sends n requests from workers goroutines and returns sorted
// latencies.
func measure(b *testing.B, c *http.Client, url string, n, workers int) []time.Duration {
	var mu sync.Mutex
	out := make([]time.Duration, 0, n)
	var wg sync.WaitGroup
	next := make(chan struct{}, n)
	for range n {
		next <- struct{}{}
	}
	close(next)
	for range workers {
		wg.Go(func() {
			for range next {
				start := time.Now()
				resp, err := c.Get(url)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(start)
				mu.Lock()
				out = append(out, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(out)
	return out
}

func reportLatency(b *testing.B, xs []time.Duration, want time.Duration) {
	if len(xs) == 0 {
		return
	}
	p50 := xs[len(xs)/2]
	p99 := xs[len(xs)*99/100]
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(p99), "p99-ms")
	b.ReportMetric(100*(ms(p50)-ms(want))/ms(want), "p50-err-%")
}

// BenchmarkLatencyAccuracy: fixed 20ms handler latency, RTT 0, 8 concurrent
// clients (about 400 req/s, far below what the mock serves, so well under
// half of capacity). Target: p50 within 2% of 20ms. It also reports the
// same loop's p50 against a 0ms route (rtt0-p50-ms): what the client and
// loopback add on their own, and net-err-%, the error without it. The
// "precise" arm turns on Config.PreciseLatency; "bare-sleep" is a bare
// net/http handler that calls time.Sleep(20ms), measured the same way: what
// any Go server sleeping 20 ms shows on this machine.
func BenchmarkLatencyAccuracy(b *testing.B) {
	for _, arm := range []string{"timer", "precise", "bare-sleep"} {
		b.Run(arm, func(b *testing.B) {
			var url, zero string
			if arm == "bare-sleep" {
				url = bareServerWith(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Query().Get("latency") == "" {
						time.Sleep(20 * time.Millisecond)
					}
					bareHello(w, r)
				}))
				zero = url + "?latency=0s"
			} else {
				s := benchMock(b, Config{Latency: 20 * time.Millisecond, PreciseLatency: arm == "precise"})
				url, zero = s.URL()+benchPolicy, s.URL()+benchPolicy+"?latency=0s"
			}
			c := loopClient(b, 8)
			measure(b, c, url, 16, 8)
			base := measure(b, c, zero, 400, 8)
			b.ResetTimer()
			xs := measure(b, c, url, max(b.N, 8), 8)
			b.StopTimer()
			reportLatency(b, xs, 20*time.Millisecond)
			rtt0 := base[len(base)/2]
			b.ReportMetric(float64(rtt0)/float64(time.Millisecond), "rtt0-p50-ms")
			b.ReportMetric(100*float64(xs[len(xs)/2]-rtt0-20*time.Millisecond)/float64(20*time.Millisecond), "net-err-%")
		})
	}
}

// BenchmarkSleepAccuracy: the mock's own latency injection, without the
// network: 8 goroutines each wait 20ms in Server.sleep, as 8 concurrent
// requests would. p50-late-us is how much later than asked the median wait
// ended, p50-err-% the same as a share of 20ms.
func BenchmarkSleepAccuracy(b *testing.B) {
	for _, precise := range []bool{false, true} {
		b.Run(map[bool]string{false: "timer", true: "precise"}[precise], func(b *testing.B) {
			s := &Server{cfg: Config{PreciseLatency: precise}, closing: make(chan struct{})}
			const d = 20 * time.Millisecond
			var mu sync.Mutex
			var late []time.Duration
			next := make(chan struct{}, max(b.N, 8))
			for range cap(next) {
				next <- struct{}{}
			}
			close(next)
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					for range next {
						start := time.Now()
						s.sleep(b.Context(), d)
						l := time.Since(start) - d
						mu.Lock()
						late = append(late, l)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			slices.Sort(late)
			p50 := late[len(late)/2]
			b.ReportMetric(float64(p50)/float64(time.Microsecond), "p50-late-us")
			b.ReportMetric(float64(late[len(late)*99/100])/float64(time.Microsecond), "p99-late-us")
			b.ReportMetric(100*float64(p50)/float64(d), "p50-err-%")
		})
	}
}

// BenchmarkLatencyRTT: 20ms handler latency behind Toxiproxy with RTT 20ms.
// Keep-alive: 1 RTT + 20ms = 40ms (target within 5%). New TLS 1.3
// connection per request: one more RTT for the handshake, 60ms, plus the
// handshake's CPU and the proxy's connection setup.
func BenchmarkLatencyRTT(b *testing.B) {
	cases := []struct {
		name      string
		keepAlive bool
		precise   bool
		want      time.Duration
	}{
		{"keep-alive", true, false, 40 * time.Millisecond},
		{"keep-alive-precise", true, true, 40 * time.Millisecond},
		{"new-tls13-conn", false, false, 60 * time.Millisecond},
		{"new-tls13-conn-precise", false, true, 60 * time.Millisecond},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			s := startServer(b, Config{TLS: true, TLSVersion: TLS13, Latency: 20 * time.Millisecond, PreciseLatency: tc.precise, RTT: 20 * time.Millisecond})
			c := newClient(b, s, func(tr *http.Transport) { tr.DisableKeepAlives = !tc.keepAlive })
			measure(b, c, s.URL()+"/A1-P/v2/policytypes", 8, 4)
			b.ResetTimer()
			reportLatency(b, measure(b, c, s.URL()+"/A1-P/v2/policytypes", max(b.N, 8), 4), tc.want)
		})
	}
}
