package mockbackend

import (
	"bufio"
	"crypto/tls"
	"io"
	"maps"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// getProto sends a GET and returns the protocol the response came over,
// after reading the whole body.
func getProto(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	return resp.Proto
}

func TestStatsProtocolsCountH2AndHTTP11Exactly(t *testing.T) {
	const n, m = 6, 4
	s := startServer(t, Config{TLS: true, HTTP2: true})
	if p := s.Stats().Protocols; p != nil {
		t.Fatalf("fresh server: Protocols = %v, want nil", p)
	}
	h2 := newClient(t, s, func(tr *http.Transport) { tr.ForceAttemptHTTP2 = true })
	h1 := newClient(t, s, func(tr *http.Transport) {
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{} // HTTP/1.1 only
	})
	for range n {
		if p := getProto(t, h2, s.URL()+"/healthz"); p != "HTTP/2.0" {
			t.Fatalf("h2 client got %s", p)
		}
	}
	for range m {
		if p := getProto(t, h1, s.URL()+"/e2ap/v1/service-models"); p != "HTTP/1.1" {
			t.Fatalf("HTTP/1.1 client got %s", p)
		}
	}
	st := s.Stats()
	if want := map[string]int64{"HTTP/2.0": n, "HTTP/1.1": m}; !maps.Equal(st.Protocols, want) {
		t.Errorf("Protocols = %v, want %v", st.Protocols, want)
	}
	if st.Requests != n+m {
		t.Errorf("Requests = %d, want %d", st.Requests, n+m)
	}

	// Sub over a live interval: only what was sent since.
	before := st
	for range 3 {
		getProto(t, h2, s.URL()+"/healthz")
	}
	d := s.Stats().Sub(before)
	if want := map[string]int64{"HTTP/2.0": 3}; !maps.Equal(d.Protocols, want) {
		t.Errorf("Sub: Protocols = %v, want %v (no zero entries)", d.Protocols, want)
	}
	if _, ok := d.Protocols["HTTP/1.1"]; ok {
		t.Errorf("Sub kept a zero HTTP/1.1 entry: %v", d.Protocols)
	}

	// /metrics shows the same counts; the scrape itself is one more HTTP/1.1
	// request, counted before the collector runs. Each client holds one idle
	// connection, so the peak is exactly two.
	body := string(do(t, h1, "GET", s.URL()+"/metrics", "").body)
	for _, want := range []string{
		`oranbench_mock_requests_by_protocol_total{protocol="HTTP/2.0"} 9`,
		`oranbench_mock_requests_by_protocol_total{protocol="HTTP/1.1"} 5`,
		`oranbench_mock_connections_peak 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestStatsProtocolsKeepHTTP10AsReported(t *testing.T) {
	s := startServer(t, Config{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.0\r\nHost: mock\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("HTTP/1.0 request: %d", resp.StatusCode)
	}
	getProto(t, newClient(t, s, nil), s.URL()+"/healthz")
	if got, want := s.Stats().Protocols, map[string]int64{"HTTP/1.0": 1, "HTTP/1.1": 1}; !maps.Equal(got, want) {
		t.Errorf("Protocols = %v, want %v", got, want)
	}
}

func TestStatsSubProtocolsPerKeyAndKeepsPeak(t *testing.T) {
	prev := Stats{ConnsPeak: 9, Protocols: map[string]int64{"HTTP/1.1": 3, "HTTP/2.0": 2}}
	now := Stats{ConnsPeak: 4, Protocols: map[string]int64{"HTTP/1.1": 3, "HTTP/2.0": 7, "HTTP/1.0": 1}}
	d := now.Sub(prev)
	if want := map[string]int64{"HTTP/2.0": 5, "HTTP/1.0": 1}; !maps.Equal(d.Protocols, want) {
		t.Errorf("Protocols = %v, want %v", d.Protocols, want)
	}
	if _, ok := d.Protocols["HTTP/1.1"]; ok {
		t.Errorf("a zero difference was kept: %v", d.Protocols)
	}
	if d.ConnsPeak != 4 {
		t.Errorf("ConnsPeak = %d, want the newer value 4", d.ConnsPeak)
	}
	if prev.Protocols["HTTP/2.0"] != 2 || now.Protocols["HTTP/2.0"] != 7 {
		t.Errorf("Sub modified its operands: prev %v now %v", prev.Protocols, now.Protocols)
	}
	if d := now.Sub(now); d.Protocols != nil {
		t.Errorf("no change: Protocols = %v, want nil", d.Protocols)
	}
	if d := (Stats{}).Sub(Stats{}); d.Protocols != nil {
		t.Errorf("empty operands: Protocols = %v, want nil", d.Protocols)
	}
}

func TestConnsPeakTracksSimultaneousConnectionsAndResets(t *testing.T) {
	const k = 7
	s := startServer(t, Config{})
	// k clients, each holding one idle keep-alive connection once its
	// request is done, so all k are open at the same time.
	clients := make([]*http.Client, k)
	for i := range clients {
		clients[i] = newClient(t, s, nil)
		getProto(t, clients[i], s.URL()+"/healthz")
	}
	// StateNew runs before a connection's first request is served, so the
	// counts are final once the responses are in.
	if st := s.Stats(); st.ConnsAccepted != k || st.ConnsActive != k || st.ConnsPeak != k {
		t.Fatalf("accepted %d active %d peak %d, want %d each", st.ConnsAccepted, st.ConnsActive, st.ConnsPeak, k)
	}
	for _, c := range clients {
		c.CloseIdleConnections()
	}
	waitFor(t, func() bool { return s.Stats().ConnsActive == 0 })
	if p := s.Stats().ConnsPeak; p != k {
		t.Errorf("after the connections closed: peak %d, want it to stay %d", p, k)
	}
	s.ResetConnsPeak()
	if p := s.Stats().ConnsPeak; p != 0 {
		t.Errorf("after ResetConnsPeak with nothing open: peak %d, want 0", p)
	}

	// The peak counts again from the reset, and a reset with connections
	// open starts from their number.
	getProto(t, clients[0], s.URL()+"/healthz")
	getProto(t, clients[1], s.URL()+"/healthz")
	if st := s.Stats(); st.ConnsActive != 2 || st.ConnsPeak != 2 {
		t.Errorf("two new connections: active %d peak %d, want 2, 2", st.ConnsActive, st.ConnsPeak)
	}
	clients[0].CloseIdleConnections()
	waitFor(t, func() bool { return s.Stats().ConnsActive == 1 })
	s.ResetConnsPeak()
	if p := s.Stats().ConnsPeak; p != 1 {
		t.Errorf("after ResetConnsPeak with one open: peak %d, want 1", p)
	}
}
