package mockbackend

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strings"
	"testing"
	"time"
)

// timeRequests measures n sequential GETs of path.
func timeRequests(t *testing.T, c *http.Client, url string, n int) []time.Duration {
	t.Helper()
	out := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		resp, err := c.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out = append(out, time.Since(start))
	}
	slices.Sort(out)
	return out
}

// Timing tests below assert lower bounds up to early (the RTT toxic starts
// its timers early by the timers' learned lateness, so a passage can end
// that much before its time, never more than latenessMax) and upper bounds
// with a margin of one whole RTT, so they hold on a loaded 2-core machine
// under -race.

// early is the most n round trips can end before their time: two passages
// each, each at most latenessMax early.
func early(n int) time.Duration { return time.Duration(2*n) * time.Duration(latenessMax) }

func TestToxiproxyRTTShowsInMeasuredLatency(t *testing.T) {
	const rtt = 50 * time.Millisecond
	s := startServer(t, Config{TLS: true, TLSVersion: TLS13, RTT: rtt})
	if s.URL() == s.BackendURL() {
		t.Fatalf("URL() = BackendURL() = %s, want the proxy in front", s.URL())
	}
	c := newClient(t, s, nil)
	// The first request pays the TLS 1.3 handshake: one extra round trip.
	first := timeRequests(t, c, s.URL()+"/healthz", 1)[0]
	warm := timeRequests(t, c, s.URL()+"/healthz", 5)
	if warm[0] < rtt-early(1) {
		t.Errorf("keep-alive request took %v, below one %v RTT", warm[0], rtt)
	}
	if warm[len(warm)/2] >= 2*rtt {
		t.Errorf("keep-alive median %v, want about one %v RTT", warm[len(warm)/2], rtt)
	}
	if first < 2*rtt-early(2) {
		t.Errorf("request on a new TLS 1.3 connection took %v, want >= 2 RTT (%v)", first, 2*rtt)
	}
	direct := newClient(t, s, nil)
	if d := timeRequests(t, direct, s.BackendURL()+"/healthz", 3)[1]; d >= rtt {
		t.Errorf("BackendURL request took %v, want it to bypass the %v RTT", d, rtt)
	}
}

func TestHandshakeRoundTripsFollowTheTLSVersion(t *testing.T) {
	const rtt = 50 * time.Millisecond
	cases := []struct {
		name       string
		version    string
		setup      time.Duration
		wantRTTs   int // round trips of a fresh connection's first request
		wantResume bool
	}{
		{"TLS 1.3 costs one handshake round trip", TLS13, 0, 2, false},
		{"TLS 1.2 costs two handshake round trips", TLS12, 0, 3, false},
		{"a connection setup delay adds one more", TLS13, rtt, 3, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{TLS: true, TLSVersion: tc.version, RTT: rtt, ConnSetupDelay: tc.setup})
			c := newClient(t, s, func(tr *http.Transport) { tr.DisableKeepAlives = true })
			times := timeRequests(t, c, s.URL()+"/healthz", 3)
			want := time.Duration(tc.wantRTTs) * rtt
			if times[0] < want-early(tc.wantRTTs) {
				t.Errorf("fastest fresh-connection request %v, want >= %v", times[0], want)
			}
			if times[1] >= want+rtt {
				t.Errorf("median fresh-connection request %v, want below %v", times[1], want+rtt)
			}
		})
	}
}

func TestBandwidthLimitsTransferTime(t *testing.T) {
	// 200 KB of policy body at 500 KB/s takes at least 0.4 s to upload.
	s := startServer(t, Config{Bandwidth: 500 * KBPerSecond})
	c := newClient(t, s, nil)
	body := `{"blob":"` + strings.Repeat("x", 200_000) + `"}`
	start := time.Now()
	resp := do(t, c, "PUT", s.URL()+"/A1-P/v2/policytypes/1000/policies/big", body)
	took := time.Since(start)
	if resp.code != 201 {
		t.Fatalf("code = %d, want 201", resp.code)
	}
	if took < 400*time.Millisecond {
		t.Errorf("200 KB each way at 500 KB/s took %v, want >= 400ms", took)
	}
}

func TestNetworkFaultsAsAClientSeesThem(t *testing.T) {
	cases := []struct {
		name   string
		faults NetFaults
		check  func(t *testing.T, err error, took time.Duration)
	}{
		{"reset_peer resets the connection", NetFaults{ResetPeer: NetFault{Rate: 1}}, func(t *testing.T, err error, _ time.Duration) {
			if err == nil {
				t.Errorf("request succeeded through reset_peer, want a connection error")
			}
		}},
		{"timeout swallows data and closes after the delay", NetFaults{Timeout: NetFault{Rate: 1, After: 150 * time.Millisecond}}, func(t *testing.T, err error, took time.Duration) {
			if err == nil || took < 150*time.Millisecond {
				t.Errorf("err %v after %v, want an error no sooner than 150ms", err, took)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{NetFaults: tc.faults})
			c := newClient(t, s, nil)
			c.Timeout = 3 * time.Second
			start := time.Now()
			resp, err := c.Get(s.URL() + "/healthz")
			if err == nil {
				resp.Body.Close()
			}
			tc.check(t, err, time.Since(start))
		})
	}
}

func TestSlowCloseDelaysTheClientSeeingEOF(t *testing.T) {
	const delay = 200 * time.Millisecond
	s := startServer(t, Config{NetFaults: NetFaults{SlowClose: NetFault{Rate: 1, After: delay}}})
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	gotResponse := time.Since(start)
	_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err = conn.Read(make([]byte, 1))
	eof := time.Since(start)
	if !errors.Is(err, io.EOF) {
		t.Fatalf("after the response: %v, want EOF", err)
	}
	// Without the toxic the close follows the response within a millisecond.
	if eof < delay {
		t.Errorf("EOF %v after start (response at %v), want the close delayed by %v", eof, gotResponse, delay)
	}
}

func TestConnectionSetupDelayCostsOnePerConnection(t *testing.T) {
	const setup = 200 * time.Millisecond
	s := startServer(t, Config{ConnSetupDelay: setup})
	c := newClient(t, s, nil)
	var gotFirstByte []time.Duration
	for range 3 {
		start := time.Now()
		req, _ := http.NewRequest("GET", s.URL()+"/healthz", nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotFirstResponseByte: func() { gotFirstByte = append(gotFirstByte, time.Since(start)) },
		}))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if gotFirstByte[0] < setup {
		t.Errorf("first request on a new connection: first byte after %v, want >= %v", gotFirstByte[0], setup)
	}
	if gotFirstByte[2] >= setup {
		t.Errorf("third request on the kept-alive connection: first byte after %v, want < %v", gotFirstByte[2], setup)
	}
}

// tlsVersionOf returns the negotiated version name of a response.
func tlsVersionOf(resp *http.Response) string {
	if resp.TLS == nil {
		return "none"
	}
	return tls.VersionName(resp.TLS.Version)
}

func TestRTTToxicDrawsItsJitterFromItsSeedInMicroseconds(t *testing.T) {
	draws := func(seed int64) []time.Duration {
		tx := &rttToxic{LatencyUS: 10_250, JitterUS: 1_500, Seed: seed}
		out := make([]time.Duration, 200)
		for i := range out {
			out[i] = tx.delay()
		}
		return out
	}
	a, b, other := draws(7), draws(7), draws(8)
	if !slices.Equal(a, b) {
		t.Fatal("the same seed drew different delays")
	}
	if slices.Equal(a, other) {
		t.Fatal("different seeds drew the same delays")
	}
	lo, hi := 8_750*time.Microsecond, 11_750*time.Microsecond
	subMillisecond := false
	for _, d := range a {
		if d < lo || d > hi {
			t.Fatalf("delay %v outside latency 10.25ms ± 1.5ms", d)
		}
		subMillisecond = subMillisecond || d%time.Millisecond != 0
	}
	if !subMillisecond {
		t.Fatal("every delay is a whole millisecond; want microsecond resolution")
	}
	if d := (&rttToxic{LatencyUS: 10_250}).delay(); d != 10_250*time.Microsecond {
		t.Fatalf("delay without jitter = %v, want 10.25ms", d)
	}
}
