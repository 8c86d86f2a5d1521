package mockbackend

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPhaseOneRoutesAnswerOverTLS(t *testing.T) {
	s := startServer(t, Config{TLS: true})
	c := newClient(t, s, nil)
	base := s.URL()
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("URL() = %q, want https://127.0.0.1:port", base)
	}
	steps := []struct {
		name, method, path, body string
		wantCode                 int
		wantField                string // field named in a JSON error body
		wantBody                 string // exact body, when set
	}{
		{"a first policy PUT creates it", "PUT", "/A1-P/v2/policytypes/1000/policies/p1", `{"qos":5}`, 201, "", `{"qos":5}`},
		{"a second PUT updates it", "PUT", "/A1-P/v2/policytypes/1000/policies/p1", `{"qos":7}`, 200, "", `{"qos":7}`},
		{"GET returns the stored policy", "GET", "/A1-P/v2/policytypes/1000/policies/p1", "", 200, "", `{"qos":7}`},
		{"the lower-case alias serves the same store", "GET", "/a1-p/v2/policytypes/1000/policies/p1", "", 200, "", `{"qos":7}`},
		{"an unknown policy is 404 naming policyId", "GET", "/A1-P/v2/policytypes/1000/policies/nope", "", 404, "policyId", ""},
		{"an unknown type is 404 naming policyTypeId", "PUT", "/A1-P/v2/policytypes/77/policies/p1", `{}`, 404, "policyTypeId", ""},
		{"a non-integer type is 400", "GET", "/A1-P/v2/policytypes/abc/policies/p1", "", 400, "policyTypeId", ""},
		{"malformed JSON is 400 naming the body", "PUT", "/A1-P/v2/policytypes/20008/policies/p2", `{"a":`, 400, "body", ""},
		{"a JSON array is 400", "PUT", "/A1-P/v2/policytypes/20008/policies/p2", `[1]`, 400, "body", ""},
		{"an unknown path is a JSON 404", "GET", "/nowhere", "", 404, "", ""},
		{"a wrong method is a JSON 405", "DELETE", "/api/v1/repositories/r1/packages", "", 405, "", ""},
	}
	for _, st := range steps {
		resp := do(t, c, st.method, base+st.path, st.body)
		if resp.code != st.wantCode {
			t.Fatalf("%s: code = %d, want %d (body %s)", st.name, resp.code, st.wantCode, resp.body)
		}
		if st.wantBody != "" && string(resp.body) != st.wantBody {
			t.Errorf("%s: body = %s, want %s", st.name, resp.body, st.wantBody)
		}
		if st.wantCode >= 400 {
			if got := jsonField(t, resp.body, "status"); got != float64(st.wantCode) {
				t.Errorf("%s: error body status = %v, want %d", st.name, got, st.wantCode)
			}
			if st.wantField != "" {
				if got := jsonField(t, resp.body, "field"); got != st.wantField {
					t.Errorf("%s: error field = %v, want %s", st.name, got, st.wantField)
				}
			}
		}
		if st.wantCode == 405 && resp.header.Get("Allow") != "GET, HEAD, POST" {
			t.Errorf("%s: Allow = %q, want GET, HEAD, POST", st.name, resp.header.Get("Allow"))
		}
	}
}

func TestPorchCreatePackageReturnsADraftRevision(t *testing.T) {
	s := startServer(t, Config{TLS: true})
	c := newClient(t, s, nil)
	url := s.URL() + "/api/v1/repositories/edge1/packages"
	body := `{"metadata":{"name":"upf","namespace":"ran"},"spec":{"workspace":"ws1","intent":{"replicas":3},"revision":"v1"}}`

	first := do(t, c, "POST", url, body)
	if first.code != 201 {
		t.Fatalf("create: code = %d, want 201: %s", first.code, first.body)
	}
	for path, want := range map[string]any{
		"metadata.name":      "edge1.upf.ws1",
		"metadata.namespace": "ran",
		"spec.lifecycle":     LifecycleDraft,
		"spec.repository":    "edge1",
		"spec.packageName":   "upf",
	} {
		if got := jsonField(t, first.body, strings.Split(path, ".")...); got != want {
			t.Errorf("create: %s = %v, want %v", path, got, want)
		}
	}
	if got := do(t, c, "POST", url, body); got.code != 409 {
		t.Errorf("same name again: code = %d, want 409", got.code)
	}
	// Without a name, each create gets a fresh one: a fixed load body never conflicts.
	a := do(t, c, "POST", url, `{"spec":{"intent":"scale"}}`)
	b := do(t, c, "POST", url, `{"spec":{"intent":"scale"}}`)
	if a.code != 201 || b.code != 201 {
		t.Fatalf("unnamed creates: codes %d, %d, want 201, 201", a.code, b.code)
	}
	if jsonField(t, a.body, "metadata", "name") == jsonField(t, b.body, "metadata", "name") {
		t.Errorf("unnamed creates got the same name %v", jsonField(t, a.body, "metadata", "name"))
	}
	if got := do(t, c, "POST", url, `{"metadata":{"name":7}}`); got.code != 400 || jsonField(t, got.body, "field") != "metadata.name" {
		t.Errorf("numeric name: code %d field %v, want 400 metadata.name", got.code, jsonField(t, got.body, "field"))
	}
}

// clientCounts is the client's own view of connections through httptrace.
type clientCounts struct {
	newConns, reused, handshakes atomic.Int64
}

func (cc *clientCounts) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) {
			if i.Reused {
				cc.reused.Add(1)
			} else {
				cc.newConns.Add(1)
			}
		},
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err == nil {
				cc.handshakes.Add(1)
			}
		},
	}
}

func TestStatsMatchAKnownWorkload(t *testing.T) {
	const n = 12
	cases := []struct {
		name          string
		tlsVersion    string
		keepAlive     bool
		sessionCache  bool
		wantConns     int64
		wantHandshake int64
		wantResumed   int64
	}{
		{"keep-alive reuses one connection and one handshake", "", true, false, 1, 1, 0},
		{"no keep-alive dials and handshakes per request", "", false, false, n, n, 0},
		{"a session cache resumes every handshake after the first (TLS 1.3)", TLS13, false, true, n, n, n - 1},
		{"a session cache resumes every handshake after the first (TLS 1.2)", TLS12, false, true, n, n, n - 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{TLS: true, TLSVersion: tc.tlsVersion})
			c := newClient(t, s, func(tr *http.Transport) {
				tr.DisableKeepAlives = !tc.keepAlive
				if tc.sessionCache {
					tr.TLSClientConfig.ClientSessionCache = tls.NewLRUClientSessionCache(8)
				}
			})
			var cc clientCounts
			before := s.Stats()
			for i := range n {
				req, _ := http.NewRequest("GET", s.URL()+"/A1-P/v2/policytypes/1000/policies/p"+itoa(i), nil)
				req = req.WithContext(httptrace.WithClientTrace(req.Context(), cc.trace()))
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body) // drained, so the connection can be reused
				resp.Body.Close()
				if resp.StatusCode != 404 {
					t.Fatalf("code = %d, want 404", resp.StatusCode)
				}
			}
			c.Transport.(*http.Transport).CloseIdleConnections()
			waitFor(t, func() bool { return s.Stats().ConnsActive == 0 })
			d := s.Stats().Sub(before)
			if d.Requests != n || d.Routes["a1.policy.get"].Codes[404] != n {
				t.Errorf("requests = %d (404s on a1.policy.get: %d), want %d", d.Requests, d.Routes["a1.policy.get"].Codes[404], n)
			}
			if d.ConnsAccepted != tc.wantConns || cc.newConns.Load() != tc.wantConns {
				t.Errorf("connections: server %d, client %d, want %d", d.ConnsAccepted, cc.newConns.Load(), tc.wantConns)
			}
			if d.TLSHandshakes != tc.wantHandshake || cc.handshakes.Load() != tc.wantHandshake {
				t.Errorf("handshakes: server %d, client %d, want %d", d.TLSHandshakes, cc.handshakes.Load(), tc.wantHandshake)
			}
			if d.TLSResumed != tc.wantResumed {
				t.Errorf("resumed handshakes = %d, want %d", d.TLSResumed, tc.wantResumed)
			}
		})
	}
}

// waitFor polls cond for up to 5 s; connection close is seen by the server
// asynchronously.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 5s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestFixedLatencyShowsInMeasuredTime(t *testing.T) {
	const latency = 20 * time.Millisecond
	s := startServer(t, Config{TLS: true, Latency: latency})
	c := newClient(t, s, nil)
	do(t, c, "GET", s.URL()+"/healthz", "") // warm the connection: the handshake is not part of the sample
	var samples []time.Duration
	for range 10 {
		start := time.Now()
		resp := do(t, c, "GET", s.URL()+"/A1-P/v2/policytypes/1000/policies/x", "")
		samples = append(samples, time.Since(start))
		if resp.code != 404 {
			t.Fatalf("code = %d, want 404", resp.code)
		}
	}
	slices.Sort(samples)
	if samples[0] < latency {
		t.Errorf("fastest request took %v, below the %v handler latency", samples[0], latency)
	}
	// Generous upper bound: a loaded CI machine may add scheduling delay.
	if p50 := samples[len(samples)/2]; p50 > latency+50*time.Millisecond {
		t.Errorf("median %v, want close to %v", p50, latency)
	}
}

func TestOperationalRoutesSkipTheInjectedLatency(t *testing.T) {
	s := startServer(t, Config{Latency: time.Second})
	c := newClient(t, s, nil)
	for _, path := range []string{"/healthz", "/metrics"} {
		start := time.Now()
		if resp := do(t, c, "GET", s.URL()+path, ""); resp.code != 200 || time.Since(start) >= 500*time.Millisecond {
			t.Errorf("%s: code %d in %v, want 200 without the 1s injected latency", path, resp.code, time.Since(start))
		}
	}
}

func TestStartNamesTheAddressWhenThePortIsInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Start(Config{Listen: ln.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Fatalf("Start on a used port: err = %v, want one naming %s", err, ln.Addr())
	}
}

func TestCloseIsIdempotentAndBoundedWithARequestInFlight(t *testing.T) {
	s, err := Start(Config{Latency: MaxDelay, ShutdownTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, s, nil)
	done := make(chan error, 1)
	go func() {
		resp, err := c.Get(s.URL() + "/A1-P/v2/policytypes/1000/policies/p")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitFor(t, func() bool { return s.Stats().InFlight == 1 })
	start := time.Now()
	_ = s.Close() // the minute-long request is aborted; Shutdown's deadline error is expected
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v with a request in flight, want about the 100ms shutdown timeout", took)
	}
	if err := <-done; err == nil {
		t.Errorf("the in-flight request succeeded, want it aborted by Close")
	}
	first := s.Close()
	if second := s.Close(); second != first {
		t.Errorf("second Close = %v, want the first result %v", second, first)
	}
	if got := s.Stats().InFlight; got != 0 {
		t.Errorf("in flight after Close = %d, want 0", got)
	}
	if got := s.Stats().Routes["a1.policy.get"].Codes; got[StatusClientClosed] != 1 || got[200] != 0 {
		t.Errorf("codes of the aborted request = %v, want one %d and no 200", got, StatusClientClosed)
	}
}

func TestCACertificateIsTrustedAndWritten(t *testing.T) {
	plain := startServer(t, Config{})
	if plain.ClientTLSConfig() != nil || plain.CACertPEM() != nil {
		t.Errorf("plain server: ClientTLSConfig/CACertPEM non-nil, want nil")
	}
	if err := plain.WriteCACert(filepath.Join(t.TempDir(), "ca.pem")); err == nil {
		t.Errorf("plain server: WriteCACert succeeded, want an error")
	}

	s := startServer(t, Config{TLS: true})
	a, b := s.ClientTLSConfig(), s.ClientTLSConfig()
	if a == b || a.InsecureSkipVerify || a.RootCAs == nil {
		t.Fatalf("ClientTLSConfig: fresh=%v insecure=%v roots=%v, want fresh, verifying, with roots", a != b, a.InsecureSkipVerify, a.RootCAs != nil)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := s.WriteCACert(path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		t.Fatalf("written CA is not PEM: %q", raw)
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil || !ca.IsCA {
		t.Fatalf("written CA: err %v, IsCA %v", err, ca != nil && ca.IsCA)
	}
	// The leaf verifies against the CA for every loopback name.
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	for _, name := range []string{"127.0.0.1", "::1", "localhost"} {
		if _, err := s.tls.cert.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: name}); err != nil {
			t.Errorf("leaf does not verify for %s: %v", name, err)
		}
	}
	if alg := s.tls.cert.Leaf.PublicKeyAlgorithm; alg != x509.ECDSA {
		t.Errorf("leaf key algorithm = %v, want ECDSA", alg)
	}
}
